// 0002: the data every server starts with — the six default roles (shared/permissions/default-roles.ts) and the shipped
// field classification. Inserted only when absent, so admin edits are never overwritten.

import type { Kysely, Migration } from 'kysely';
import { DEFAULT_CLASSIFICATION, ENTITY_TYPES } from '../../../shared/domain/model';
import { DEFAULT_ROLES } from '../../../shared/permissions/default-roles';
import { roleToRow } from '../mappers';
import type { Database } from '../schema';

export const defaultRolesMigration: Migration = {
  async up(untyped: Kysely<unknown>): Promise<void> {
    const db = untyped as Kysely<Database>;
    // Migrations run once; their timestamp is informational.
    const now = Date.now();
    for (const role of DEFAULT_ROLES) {
      await db.insertInto('roles').values(roleToRow(role, now)).onConflict((oc) => oc.doNothing()).execute();
    }
    for (const entity of ENTITY_TYPES) {
      for (const [field, level] of Object.entries(DEFAULT_CLASSIFICATION[entity])) {
        await db.insertInto('field_classification').values({ entity, field, level }).onConflict((oc) => oc.doNothing()).execute();
      }
    }
  },
  async down(untyped: Kysely<unknown>): Promise<void> {
    const db = untyped as Kysely<Database>;
    await db.deleteFrom('field_classification').execute();
    await db.deleteFrom('roles').where('id', 'in', DEFAULT_ROLES.map((r) => r.id)).execute();
  },
};
