// The two sources of a pull page's records (see pull.ts for how a page is assembled):
//   backfill   every current record of a list of buckets, whole customers (with their
//              children) in bucket order, then id order, resumable from a position;
//   change log entries after a seq that touch the client's buckets, reduced to the latest per
//              record: still visible -> upsert (current row), no longer visible -> removal.
// Records are always projected to the target state's clearance and classification.

import { sql, type Kysely, type Selectable } from 'kysely';
import { dialectOf } from '../db/connection';
import type { EntityType, FieldClassification, FieldLevel } from '../../shared/domain/model';
import { projectRecord } from '../../shared/permissions/engine';
import type { PullResponse } from '../../shared/protocol/sync';
import type { ChangeLogTable as ChangeLogColumns, CustomersTable, Database } from '../db/schema';
import { bucketTargets, type ScopeData } from '../org/permission-scope';
import { ENTITY_TABLE, recordFromRow, type AnyRow, type EntityRowMap } from '../records/rows';
import type { SyncState } from './state';
import type { VisibilityCache } from './visibility';

type ChangeLogTable = Selectable<ChangeLogColumns>;
export type Upsert = PullResponse['upserts'][number];
export type Removal = PullResponse['removals'][number];

const CHILD_ENTITIES = ['contact', 'opportunity', 'activity'] as const;
/** Average records per customer in a backfill (1 + contacts + opportunities + activities): sizes customer batches. */
const RECORDS_PER_CUSTOMER_GUESS = 7;
/** Keeps IN (...) lists well inside every driver's bound-parameter limit. */
const IN_CHUNK = 900;

export function chunks<T>(items: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- backfill -----------------------------------------------------------------------------

export async function countBackfill(db: Kysely<Database>, buckets: readonly string[], data: ScopeData): Promise<number> {
  const { owners, customers } = bucketTargets(buckets, data);
  let total = 0;
  // One statement per group of owners (the four counts as scalar subqueries): one round trip.
  for (const group of chunks(owners)) {
    const row = await db.selectNoFrom((eb) => [
      eb.selectFrom('customers').select((e) => e.fn.countAll<number>().as('n'))
        .where('owner_id', 'in', group).where('deleted', '=', 0).as('customer'),
      ...CHILD_ENTITIES.map((child) => eb.selectFrom(`${ENTITY_TABLE[child]} as r` as 'contacts as r')
        .innerJoin('customers as cu', 'cu.id', 'r.customer_id')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('cu.owner_id', 'in', group).where('cu.deleted', '=', 0).where('r.deleted', '=', 0)
        .as(child)),
    ]).executeTakeFirstOrThrow();
    total += Object.values(row).reduce<number>((n, v) => n + Number(v ?? 0), 0);
  }
  // Shared customers: about one customer's worth of records each.
  total += customers.length * RECORDS_PER_CUSTOMER_GUESS;
  return total;
}

export interface BackfillPos {
  i: number;
  after: string | null;
}

async function childrenOf(db: Kysely<Database>, customerIds: readonly string[]): Promise<Map<string, { entity: EntityType; row: AnyRow }[]>> {
  const byCustomer = new Map<string, { entity: EntityType; row: AnyRow }[]>();
  if (customerIds.length === 0) return byCustomer;
  const postgres = dialectOf(db) === 'postgres';
  // The three child tables are read concurrently: on PostgreSQL that is three pooled connections
  // working at once (one round trip of waiting instead of three); SQLite runs them in turn.
  const perEntity = await Promise.all(CHILD_ENTITIES.map(async (entity) => {
    const rows: AnyRow[] = [];
    for (const group of chunks(customerIds)) {
      rows.push(...(postgres ? await childRowsPg(db, entity, group) : await db.selectFrom(ENTITY_TABLE[entity] as 'contacts').selectAll()
        .where('customer_id', 'in', group).where('deleted', '=', 0).execute()) as AnyRow[]);
    }
    return { entity, rows };
  }));
  for (const { entity, rows } of perEntity) {
    for (const row of rows) {
      const customerId = (row as { customer_id: string }).customer_id;
      const list = byCustomer.get(customerId);
      const item = { entity, row };
      if (list) list.push(item);
      else byCustomer.set(customerId, [item]);
    }
  }
  return byCustomer;
}

/**
 * A page's children on PostgreSQL: one index probe per customer. `customer_id IN (…)` leaves the
 * choice to the planner, and a plain LATERAL join is flattened into the same join the planner
 * may run as a hash join over the whole child table. On a table without statistics (a fresh
 * import, before it was analyzed) it does: `deleted = 0` is taken for 0.5 % of the rows, so the
 * scan looks cheap, and a first sync then costs pages × table size (profiled at 100k customers:
 * ~100 ms per child table and page). `offset 0` keeps the subquery from being flattened, so the
 * plan is a nested loop of probes on (customer_id, id) whatever the statistics say: the same
 * cost on any table size.
 */
export function childRowsStatement(entity: (typeof CHILD_ENTITIES)[number], customerIds: readonly string[]) {
  return sql<AnyRow>`select r.* from unnest(cast(${[...customerIds]} as text[])) as c(id)
    cross join lateral (select * from ${sql.table(ENTITY_TABLE[entity])} as x where x.customer_id = c.id and x.deleted = 0 offset 0) as r`;
}

async function childRowsPg(db: Kysely<Database>, entity: (typeof CHILD_ENTITIES)[number], customerIds: readonly string[]): Promise<AnyRow[]> {
  return (await childRowsStatement(entity, customerIds).execute(db)).rows;
}

function toUpsert(entity: EntityType, row: AnyRow, customer: CustomersTable, visibility: VisibilityCache, state: SyncState): Upsert | undefined {
  const v = visibility.of(customer.id, customer.owner_id);
  if (!v.readable[entity]) return undefined;
  const record = recordFromRow(entity, row as EntityRowMap[typeof entity]) as unknown as Record<string, unknown>;
  const projected = projectRecord(entity, record, state.clearance as FieldLevel, state.classification as FieldClassification);
  const upsert: Upsert = { entity, record: projected as Upsert['record'], buckets: v.buckets, writable: v.writable[entity] };
  if (entity !== 'customer') upsert.customerId = customer.id;
  return upsert;
}

/**
 * One page of the backfill: whole customers (with their children) in bucket order, then id
 * order within a bucket, until `budget` records. A page always makes progress: a single
 * customer with more children than `budget` is sent whole (the page then exceeds the limit).
 */
export async function backfillPage(
  db: Kysely<Database>,
  data: ScopeData,
  list: readonly string[],
  start: BackfillPos,
  budget: number,
  visibility: VisibilityCache,
  state: SyncState,
): Promise<{ upserts: Upsert[]; pos: BackfillPos; done: boolean }> {
  const upserts: Upsert[] = [];
  const pos = { ...start };
  while (pos.i < list.length) {
    const bucket = list[pos.i] as string;
    const want = Math.max(1, Math.ceil((budget - upserts.length) / RECORDS_PER_CUSTOMER_GUESS));
    let customers: CustomersTable[];
    if (bucket.startsWith('o:')) {
      let q = db.selectFrom('customers').selectAll().where('owner_id', '=', bucket.slice(2)).where('deleted', '=', 0);
      if (pos.after !== null) q = q.where('id', '>', pos.after);
      customers = await q.orderBy('id').limit(want).execute();
    } else {
      const share = data.sharesById.get(bucket.slice(2));
      customers = share && pos.after === null
        ? await db.selectFrom('customers').selectAll().where('id', '=', share.customerId).where('deleted', '=', 0).execute()
        : [];
    }
    const children = await childrenOf(db, customers.map((c) => c.id));
    let stoppedEarly = false;
    for (const customer of customers) {
      const group: Upsert[] = [];
      const self = toUpsert('customer', customer, customer, visibility, state);
      if (self) group.push(self);
      for (const child of children.get(customer.id) ?? []) {
        const u = toUpsert(child.entity, child.row, customer, visibility, state);
        if (u) group.push(u);
      }
      if (upserts.length > 0 && upserts.length + group.length > budget) {
        stoppedEarly = true;
        break;
      }
      upserts.push(...group);
      pos.after = customer.id;
    }
    if (stoppedEarly) return { upserts, pos, done: false };
    if (customers.length < want) {
      pos.i += 1; // bucket exhausted
      pos.after = null;
    }
    if (upserts.length >= budget) return { upserts, pos, done: pos.i >= list.length };
  }
  return { upserts, pos, done: true };
}

// ---- change log ---------------------------------------------------------------------------

export async function readLog(
  db: Kysely<Database>,
  afterSeq: number,
  uptoSeq: number,
  targets: { owners: string[]; customers: string[] },
  limit: number,
): Promise<{ entries: ChangeLogTable[]; lastSeq: number; hasMore: boolean }> {
  if (afterSeq >= uptoSeq || (targets.owners.length === 0 && targets.customers.length === 0)) {
    return { entries: [], lastSeq: Math.max(afterSeq, uptoSeq), hasMore: false };
  }
  // Entries that touch the client's buckets: owned (before or after) by an owner in the set, or
  // about a customer shared into the set. Large IN lists (an 'all' scope) are fine on both databases.
  const entries = await db
    .selectFrom('change_log')
    .selectAll()
    .where('seq', '>', afterSeq)
    .where('seq', '<=', uptoSeq)
    .where((eb) => {
      const ors = [];
      if (targets.owners.length > 0) {
        ors.push(eb('owner_before', 'in', targets.owners), eb('owner_after', 'in', targets.owners));
      }
      if (targets.customers.length > 0) ors.push(eb('customer_id', 'in', targets.customers));
      return eb.or(ors);
    })
    .orderBy('seq')
    .limit(limit)
    .execute();
  const hasMore = entries.length === limit;
  const last = entries[entries.length - 1];
  return { entries, lastSeq: hasMore && last ? Number(last.seq) : uptoSeq, hasMore };
}

export async function changesFromLog(
  db: Kysely<Database>,
  entries: readonly ChangeLogTable[],
  visibility: VisibilityCache,
  state: SyncState,
): Promise<{ upserts: Upsert[]; removals: Removal[] }> {
  // Latest entry per record, in log order.
  const latest = new Map<string, ChangeLogTable>();
  for (const e of entries) {
    const key = `${e.entity}:${e.record_id}`;
    latest.delete(key);
    latest.set(key, e);
  }
  const idsByEntity = new Map<EntityType, string[]>();
  const customerIds = new Set<string>();
  for (const e of latest.values()) {
    const list = idsByEntity.get(e.entity) ?? [];
    list.push(e.record_id);
    idsByEntity.set(e.entity, list);
    customerIds.add(e.customer_id);
  }
  // The record rows and their customers are read concurrently (separate pooled connections on
  // PostgreSQL: one round trip of waiting, not one per table).
  const rows = new Map<string, AnyRow>();
  const customers = new Map<string, CustomersTable>();
  await Promise.all([
    ...[...idsByEntity].map(async ([entity, ids]) => {
      for (const group of chunks(ids)) {
        const found = await db.selectFrom(ENTITY_TABLE[entity] as 'contacts').selectAll().where('id', 'in', group).execute();
        for (const r of found) rows.set(`${entity}:${r.id}`, r as AnyRow);
      }
    }),
    (async () => {
      for (const group of chunks([...customerIds])) {
        const found = await db.selectFrom('customers').selectAll().where('id', 'in', group).execute();
        for (const c of found) customers.set(c.id, c);
      }
    })(),
  ]);

  const upserts: Upsert[] = [];
  const removals: Removal[] = [];
  for (const [key, entry] of latest) {
    const row = rows.get(key);
    const customer = customers.get(entry.customer_id);
    const gone = !row || row.deleted !== 0 || !customer || customer.deleted !== 0;
    const upsert = !gone && customer ? toUpsert(entry.entity, row as AnyRow, customer, visibility, state) : undefined;
    if (upsert) {
      upserts.push(upsert);
      continue;
    }
    // The customer is visible but the role may not read this kind of record (customer service
    // and opportunities): the device never held it, so there is nothing to remove or reveal.
    if (!gone && customer && visibility.of(customer.id, customer.owner_id).buckets.length > 0) continue;
    const reason = gone ? 'deleted' : entry.op === 'reassign' || entry.owner_before !== entry.owner_after ? 'reassigned' : 'scope_changed';
    removals.push({ entity: entry.entity, id: entry.record_id, reason });
  }
  return { upserts, removals };
}
