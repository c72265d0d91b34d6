// Loads what the permission engine needs from storage: the org tree, subjects, shares and the
// field classification. Decisions themselves are made only by shared/permissions/engine.

import type { Kysely } from 'kysely';
import {
  DEFAULT_CLASSIFICATION,
  ENTITY_TYPES,
  type FieldClassification,
  type FieldLevel,
  type User,
} from '../../shared/domain/model';
import { buildOrgTree, type OrgTree, type Subject } from '../../shared/permissions/engine';
import type { Database } from '../db/schema';
import { rowToRole, rowToUnit, rowToUser } from '../db/mappers';

export async function loadOrgTree(db: Kysely<Database>): Promise<OrgTree> {
  const rows = await db.selectFrom('org_units').selectAll().execute();
  return buildOrgTree(rows.map(rowToUnit));
}

/** The subject for a user id, or undefined when the user (or its role) does not exist. */
export async function loadSubject(db: Kysely<Database>, userId: string): Promise<Subject | undefined> {
  return (await loadSubjects(db, userId)).get(userId);
}

/** Subjects by user id: every user's, or only `userId`'s when given. */
export async function loadSubjects(db: Kysely<Database>, userId?: string): Promise<Map<string, Subject>> {
  let query = db
    .selectFrom('users')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .selectAll('users')
    .select([
      'roles.id as r_id', 'roles.key as r_key', 'roles.name as r_name', 'roles.actions as r_actions',
      'roles.data_scope as r_data_scope', 'roles.read_clearance as r_read_clearance',
      'roles.write_clearance as r_write_clearance', 'roles.offline as r_offline', 'roles.updated_at as r_updated_at',
    ])
  if (userId !== undefined) query = query.where('users.id', '=', userId);
  const rows = await query.execute();
  const subjects = new Map<string, Subject>();
  for (const row of rows) {
    subjects.set(row.id, {
      user: rowToUser(row),
      role: rowToRole({
        id: row.r_id, key: row.r_key, name: row.r_name, actions: row.r_actions, data_scope: row.r_data_scope,
        read_clearance: row.r_read_clearance, write_clearance: row.r_write_clearance, offline: row.r_offline,
        updated_at: row.r_updated_at,
      }),
    });
  }
  return subjects;
}

export async function loadUserUnits(db: Kysely<Database>): Promise<Pick<User, 'id' | 'unitId'>[]> {
  const rows = await db.selectFrom('users').select(['id', 'unit_id']).execute();
  return rows.map((r) => ({ id: r.id, unitId: r.unit_id }));
}

/**
 * The field classification as stored; fields the table does not mention keep the shipped
 * default (the engine treats fields missing altogether as confidential).
 */
export async function loadClassification(db: Kysely<Database>): Promise<FieldClassification> {
  const rows = await db.selectFrom('field_classification').selectAll().execute();
  const result = structuredClone(DEFAULT_CLASSIFICATION);
  for (const row of rows) {
    if ((ENTITY_TYPES as readonly string[]).includes(row.entity)) {
      result[row.entity as keyof FieldClassification][row.field] = row.level as FieldLevel;
    }
  }
  return result;
}
