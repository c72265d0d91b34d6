// Bulk insert path for the seed and the benchmark: whole batches of new records in one
// transaction, as multi-row INSERTs, each record logged as `create` so incremental syncs see it.

import type { ActivitiesTable, ChangeLogTable, ContactsTable, CustomersTable, Database, OpportunitiesTable } from '../db/schema';
import { refreshStatistics } from '../db/statistics';
import { inRecordTransaction, type RecordStore, type Trx } from './repository';

export interface RecordBatch {
  customers: CustomersTable[];
  contacts: ContactsTable[];
  opportunities: OpportunitiesTable[];
  activities: ActivitiesTable[];
}

/**
 * Parameters per statement stay well under SQLite's 32766 and PostgreSQL's 65535 bound
 * variables: the widest row (customers) has 15 columns.
 */
const ROWS_PER_STATEMENT = 1000;

async function insertChunked<T extends keyof Pick<Database, 'customers' | 'contacts' | 'opportunities' | 'activities' | 'change_log'>>(
  trx: Trx,
  table: T,
  rows: readonly object[],
  rowsPerStatement = ROWS_PER_STATEMENT,
): Promise<void> {
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    // The row shapes are checked by the typed RecordBatch at the call site.
    await trx.insertInto(table).values(rows.slice(i, i + rowsPerStatement) as never).execute();
  }
}

/**
 * Inserts one batch (a few thousand records) in one transaction. Child rows must reference
 * customers in the same batch or already stored. Callers generate and insert batch by batch so
 * 700k rows never sit in memory at once.
 */
export async function bulkInsertRecords(
  store: RecordStore,
  batch: RecordBatch,
  opts: { actorId: string | null; now: number },
): Promise<number> {
  const ownerOf = new Map(batch.customers.map((c) => [c.id, c.owner_id]));
  const log: Omit<ChangeLogTable, 'seq'>[] = [];
  const logCreate = (entity: ChangeLogTable['entity'], id: string, customerId: string) => {
    log.push({
      at: opts.now, entity, record_id: id, customer_id: customerId, op: 'create',
      owner_before: null, owner_after: ownerOf.get(customerId) ?? null, actor_id: opts.actorId,
    });
  };
  for (const c of batch.customers) logCreate('customer', c.id, c.id);
  for (const r of batch.contacts) logCreate('contact', r.id, r.customer_id);
  for (const r of batch.opportunities) logCreate('opportunity', r.id, r.customer_id);
  for (const r of batch.activities) logCreate('activity', r.id, r.customer_id);

  await inRecordTransaction(store, async (trx) => {
    // Children of customers stored earlier: look their owners up so the log names the bucket.
    const missing = [...new Set(log.filter((e) => e.owner_after === null).map((e) => e.customer_id))];
    for (let i = 0; i < missing.length; i += 500) {
      const rows = await trx.selectFrom('customers').select(['id', 'owner_id']).where('id', 'in', missing.slice(i, i + 500)).execute();
      for (const r of rows) ownerOf.set(r.id, r.owner_id);
    }
    for (const e of log) if (e.owner_after === null) e.owner_after = ownerOf.get(e.customer_id) ?? null;

    await insertChunked(trx, 'customers', batch.customers);
    await insertChunked(trx, 'contacts', batch.contacts);
    await insertChunked(trx, 'opportunities', batch.opportunities);
    await insertChunked(trx, 'activities', batch.activities);
    await insertChunked(trx, 'change_log', log, 2000);
  });
  // PostgreSQL plans the sync's reads from statistics that only ANALYZE gathers: a table filled in
  // bulk is analyzed as it grows instead of whenever autovacuum comes by (db/statistics.ts; a no-op on SQLite).
  await refreshStatistics(store.db);
  return log.length;
}
