// 0007: what the hardened sync needs to remember per device.
//   devices.synced_entities    JSON list of the entity types the device's vault was served under
//                              (those its role could read), next to synced_buckets & co. When a
//                              role loses an entity's read action, the next pull removes that
//                              entity's records from the device; null = served before this
//                              column existed (treated as every entity).
//   devices.audit_latest_at    time of the newest offline audit entry accepted from the device:
//                              the queue uploads in the order it was written, so entries of a
//                              later upload cannot be older than that (the device's offline window).

import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../../context';

export function syncHardeningMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('devices').addColumn('synced_entities', 'text').execute();
      await db.schema.alterTable('devices').addColumn('audit_latest_at', time).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('devices').dropColumn('audit_latest_at').execute();
      await db.schema.alterTable('devices').dropColumn('synced_entities').execute();
    },
  };
}
