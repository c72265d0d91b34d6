// 0013: the per-device exposure ledger — what each device's vault holds, as the server sent it and
// the device acknowledged it (rules and cost: docs/exposure-report.md).
//   exposure_ledger       one row per record a device's vault holds: (device, entity, record id),
//                         its customer, the set of field names it holds (an id into
//                         exposure_field_sets) and, for customers, the buckets it is held under
//                         (' b1 b2 ', so one bucket is matched with LIKE '% b %').
//   exposure_field_sets   interned field-name sets (a page's records share a handful of them), so a
//                         ledger row carries a 16-character id instead of the field list.
//   exposure_pages        what each pull page sent (upserts with their field sets, removals, dropped
//                         buckets, field purges) that the device has not yet acknowledged applying;
//                         replayed into the ledger, in order, once it has; `n` (auto-numbered) orders
//                         the pages, also when two pulls of one device run at once.
//   exposure_devices      per device: complete = 1 once its first sync (cursor null) was recorded
//                         (a device that synced before this migration may have records the ledger
//                         lacks), applied_at = when it last acknowledged a page.

import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../../context';

export function deviceExposureLedgerMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('exposure_ledger')
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('field_set', 'text', (c) => c.notNull())
        .addColumn('buckets', 'text')
        .addPrimaryKeyConstraint('exposure_ledger_pk', ['device_id', 'entity', 'record_id'])
        .execute();
      await db.schema.createIndex('exposure_ledger_customer').on('exposure_ledger').columns(['device_id', 'customer_id']).execute();
      await db.schema
        .createTable('exposure_field_sets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .execute();
      const pg = dialect === 'postgres';
      await db.schema
        .createTable('exposure_pages')
        .addColumn('n', pg ? 'bigint' : 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('page_key', 'text', (c) => c.notNull())
        .addColumn('sent_at', time, (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('exposure_pages_device').on('exposure_pages').columns(['device_id', 'n']).execute();
      await db.schema
        .createTable('exposure_devices')
        .addColumn('device_id', 'text', (c) => c.primaryKey())
        .addColumn('complete', 'integer', (c) => c.notNull())
        .addColumn('applied_at', time, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('exposure_devices').execute();
      await db.schema.dropIndex('exposure_pages_device').execute();
      await db.schema.dropTable('exposure_pages').execute();
      await db.schema.dropTable('exposure_field_sets').execute();
      await db.schema.dropIndex('exposure_ledger_customer').execute();
      await db.schema.dropTable('exposure_ledger').execute();
    },
  };
}
