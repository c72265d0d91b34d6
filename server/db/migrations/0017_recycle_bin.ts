// 0017: the recycle bin of deleted customers (docs/reassign-and-delete.md).
//   recycle_bin          one row per deleted customer still restorable: who deleted it and when.
//                        The customer row itself stays soft-deleted (customers.deleted = 1) until
//                        it is restored (row removed, record live again) or purged 30 days later
//                        (row removed, the customer and its child records erased).
//   recycle_bin_records  the child records (contacts, opportunities, activities) that the
//                        customer's delete took with it, so a restore brings back exactly those
//                        and not a child deleted on its own before.

import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../../context';

export function recycleBinMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('recycle_bin')
        .addColumn('customer_id', 'text', (c) => c.primaryKey().references('customers.id'))
        .addColumn('deleted_by', 'text', (c) => c.references('users.id'))
        .addColumn('deleted_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('recycle_bin_deleted_at').on('recycle_bin').column('deleted_at').execute();
      await db.schema
        .createTable('recycle_bin_records')
        .addColumn('customer_id', 'text', (c) => c.notNull().references('recycle_bin.customer_id'))
        .addColumn('entity', 'text', (c) => c.notNull().check(sql`entity in ('contact', 'opportunity', 'activity')`))
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('recycle_bin_records_pk', ['customer_id', 'entity', 'record_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('recycle_bin_records').execute();
      await db.schema.dropTable('recycle_bin').execute();
    },
  };
}
