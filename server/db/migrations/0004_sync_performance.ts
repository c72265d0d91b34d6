// 0004: what the sync hot path needs to stay fast at scale (hundreds of concurrent delta syncs).
//   Indexes   customers(owner_id, id) serves the backfill's keyset page
//             (owner_id = ? AND id > ? ORDER BY id LIMIT n) without sorting a whole owner's
//             customers per page; children by (customer_id, id) replace the single-column ones.
//   scope_epoch  a counter in `meta` that database triggers bump, in the writing transaction, on
//             every change to the permission inputs (org_units, users' placement/role/status,
//             roles, shares, field_classification). Processes cache those inputs and re-read only
//             this one value per request (server/org/permission-scope.ts). Triggers rather than
//             calls in each write path: every writer (admin API, shares, seeds, CLI, other
//             processes, hand-written SQL) is covered, so a cache can never miss a change.

import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../../context';

export const SCOPE_EPOCH_KEY = 'scope_epoch';

/**
 * Tables (and, for users, the columns) the permission inputs are built from. Sign-in bookkeeping
 * on users (failed attempts, last sign-in, TOTP, password) deliberately does not invalidate.
 */
const SCOPE_TABLES: readonly { table: string; columns?: readonly string[] }[] = [
  { table: 'org_units' },
  { table: 'roles' },
  { table: 'shares' },
  { table: 'field_classification' },
  { table: 'users', columns: ['id', 'unit_id', 'role_id', 'managed_unit_ids', 'status', 'username', 'display_name'] },
];

const CHILD_TABLES = ['contacts', 'opportunities', 'activities'] as const;

export function syncPerformanceMigration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('customers_owner_id_id').on('customers').columns(['owner_id', 'id']).execute();
      // The composite serves every lookup the single-column index did (same leading column).
      await db.schema.dropIndex('customers_owner_id').execute();
      for (const table of CHILD_TABLES) {
        await db.schema.createIndex(`${table}_customer_id_id`).on(table).columns(['customer_id', 'id']).execute();
        await db.schema.dropIndex(`${table}_customer_id`).execute();
      }

      await sql`insert into meta (key, value) values (${SCOPE_EPOCH_KEY}, '0')`.execute(db);
      if (pg) {
        await sql.raw(`
          create function sv_bump_scope_epoch() returns trigger language plpgsql as $$
          begin
            update meta set value = (value::bigint + 1)::text where key = '${SCOPE_EPOCH_KEY}';
            return null;
          end $$`).execute(db);
        for (const { table, columns } of SCOPE_TABLES) {
          const update = columns ? `update of ${columns.join(', ')}` : 'update';
          // Statement-level: one bump per statement, however many rows it touches.
          await sql.raw(`create trigger ${table}_scope_epoch after insert or ${update} or delete or truncate on ${table}
            for each statement execute function sv_bump_scope_epoch()`).execute(db);
        }
      } else {
        for (const { table, columns } of SCOPE_TABLES) {
          for (const op of ['insert', 'update', 'delete'] as const) {
            const event = op === 'update' && columns ? `update of ${columns.join(', ')}` : op;
            await sql.raw(`create trigger ${table}_scope_epoch_${op} after ${event} on ${table}
              begin update meta set value = cast(value as integer) + 1 where key = '${SCOPE_EPOCH_KEY}'; end`).execute(db);
          }
        }
      }
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const { table } of SCOPE_TABLES) {
        if (pg) await sql.raw(`drop trigger if exists ${table}_scope_epoch on ${table}`).execute(db);
        else for (const op of ['insert', 'update', 'delete']) await sql.raw(`drop trigger if exists ${table}_scope_epoch_${op}`).execute(db);
      }
      if (pg) await sql.raw('drop function if exists sv_bump_scope_epoch()').execute(db);
      await sql`delete from meta where key = ${SCOPE_EPOCH_KEY}`.execute(db);
      for (const table of CHILD_TABLES) {
        await db.schema.createIndex(`${table}_customer_id`).on(table).column('customer_id').execute();
        await db.schema.dropIndex(`${table}_customer_id_id`).execute();
      }
      await db.schema.createIndex('customers_owner_id').on('customers').column('owner_id').execute();
      await db.schema.dropIndex('customers_owner_id_id').execute();
    },
  };
}
