// The per-device exposure ledger: what a device's vault holds, as exactly as the server can know
// it, without re-deriving anything from today's permissions (rules: docs/exposure-report.md).
//
// Every pull page is RECORDED when it is sent (updateLedger): its upserts (entity, id, customer, the
// set of field names the projected record carried, a customer's buckets), removals, dropped buckets
// and field purges, as one pending row in exposure_pages keyed by the page's cursor. The device
// later ACKNOWLEDGES a page (acknowledgementOf, at the start of its next pull): the request's
// `applied` names the cursor its vault had stored when it sent the request (pages are applied in
// one vault transaction together with their cursor, so that cursor proves the page and every
// earlier one are on disk). The acknowledged pages are then replayed, in order, into
// exposure_ledger with the same rules the vault applies them by (pull-apply.ts): field purges,
// bucket drops, removals (a customer takes its children with it), upserts, then the customers left
// in no bucket. A page sent but not acknowledged stays pending: "possibly held" in the report.
// Pages sent on a path the device abandoned (it pulls again from an older stored cursor) are
// dropped: its vault never stored them.
//
// Cost: one transaction per pull (none on an idle periodic sync): the INSERT of the page, and the
// replay of the pages it acknowledges in a handful of set-based statements (upserts as one JSON
// parameter unpacked by the database, deletes by id lists, bucket and field-set rewrites grouped
// by their distinct stored values). On PostgreSQL the replay is a transaction of its own that runs
// while the pull builds its page (startLedgerUpdate). Nothing here reads the permission scope.

import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../context';
import type { EntityType } from '../../shared/domain/model';
import type { PullResponse } from '../../shared/protocol/sync';
import type { Database } from '../db/schema';

/** A page as stored in exposure_pages.body (short keys: it is written once per page sent). */
interface PageBody {
  /** 1 = the request had no cursor: the device's vault was empty (a first sync) */
  r: 0 | 1;
  /** field purges: entity, field names */
  p: [EntityType, string[]][];
  /** dropped buckets */
  d: string[];
  /** removals: entity, id */
  x: [EntityType, string][];
  /** upserts: entity, id, customer id, field set id, buckets (customers) */
  u: [EntityType, string, string, string, string | null][];
}

/** Rows per upsert statement (one JSON parameter each). */
const UPSERT_CHUNK = 5000;
const ID_CHUNK = 900;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The key a page is found by: a hash of the cursor the response carried. */
export function pageKey(cursor: string): string {
  return createHash('sha256').update(cursor).digest('base64url').slice(0, 22);
}

/** Interned id of an entity's field-name set. */
export function fieldSetId(entity: EntityType, fields: readonly string[]): string {
  return createHash('sha256').update(`${entity}:${fields.join(',')}`).digest('base64url').slice(0, 16);
}

/** ' b1 b2 ' (sorted), so one bucket matches LIKE '% b %'; '' = in no bucket. */
function bucketText(buckets: readonly string[]): string {
  return buckets.length === 0 ? '' : ` ${[...buckets].sort().join(' ')} `;
}

// Field-set ids known to be stored, per database: most pages carry only sets stored long ago.
const knownSets = new WeakMap<object, Set<string>>();

async function internFieldSets(db: Kysely<Database> | Transaction<Database>, known: Set<string>, sets: Map<string, { entity: EntityType; fields: string }>): Promise<void> {
  const rows = [...sets].filter(([id]) => !known.has(id)).map(([id, s]) => ({ id, entity: s.entity, fields: s.fields }));
  if (rows.length === 0) return;
  await db.insertInto('exposure_field_sets').values(rows).onConflict((oc) => oc.column('id').doNothing()).execute();
  for (const r of rows) known.add(r.id);
}

function knownSetsOf(db: Kysely<Database>): Set<string> {
  let known = knownSets.get(db);
  if (!known) {
    known = new Set();
    knownSets.set(db, known);
  }
  return known;
}

function pageBody(firstSync: boolean, page: PullResponse): { body: PageBody; sets: Map<string, { entity: EntityType; fields: string }> } {
  const sets = new Map<string, { entity: EntityType; fields: string }>();
  const setOf = new Map<string, string>(); // entity + field list -> id (computed once per distinct list)
  const u: PageBody['u'] = [];
  for (const upsert of page.upserts) {
    const record = upsert.record as Record<string, unknown> & { id: string };
    const fields = Object.keys(record).sort();
    const text = fields.join(',');
    const memo = `${upsert.entity}|${text}`;
    let id = setOf.get(memo);
    if (id === undefined) {
      id = fieldSetId(upsert.entity, fields);
      setOf.set(memo, id);
      sets.set(id, { entity: upsert.entity, fields: text });
    }
    const customerId = upsert.entity === 'customer' ? record.id : (upsert.customerId ?? String(record.customerId ?? ''));
    u.push([upsert.entity, record.id, customerId, id, upsert.entity === 'customer' ? bucketText(upsert.buckets) : null]);
  }
  const body: PageBody = {
    r: firstSync ? 1 : 0,
    p: page.fieldPurges.map((f) => [f.entity, f.fields]),
    d: page.droppedBuckets,
    x: page.removals.map((r) => [r.entity, r.id]),
    u,
  };
  return { body, sets };
}

/** What a pull request acknowledges: pages up to `upto` (-1: none) are held; `dropRest`: the others were abandoned. */
export interface Acknowledgement {
  upto: number;
  dropRest: boolean;
  /** pending pages that stay pending */
  pendingLeft: number;
}

/** A page recorded as sent and not yet acknowledged (exposure_pages' n and page_key, in n order). */
export interface PendingPage {
  n: number;
  page_key: string;
}

/**
 * The device sends a pull with `cursor` (the page it asks to continue from) and `applied` (the
 * cursor its vault has stored; absent from clients older than the ledger: then `cursor` is taken
 * for it). Every pending page up to the applied one is held; pages after it were abandoned when
 * nothing is in flight (cursor = applied: the device continues from what it stored). `pending`
 * is the device's pending pages in n order (the pull reads them together with its other starting
 * values in one statement: sync/pull.ts). The writes happen with the new page's, in one
 * transaction (updateLedger).
 */
export function acknowledgementOf(pending: readonly PendingPage[], cursor: string | null, applied: string | null | undefined): Acknowledgement {
  if (pending.length === 0) return { upto: -1, dropRest: false, pendingLeft: 0 };
  const stored = applied === undefined ? cursor : applied;
  let upto = -1;
  if (stored !== null) {
    const key = pageKey(stored);
    for (let i = pending.length - 1; i >= 0; i -= 1) {
      if (pending[i]?.page_key === key) {
        upto = Number(pending[i]?.n);
        break;
      }
    }
  }
  const dropRest = cursor === stored;
  return { upto, dropRest, pendingLeft: dropRest ? 0 : pending.filter((p) => Number(p.n) > upto).length };
}

/**
 * One transaction per pull: replay the acknowledged pages into the ledger, drop abandoned ones, and
 * store what this page sends, pending until acknowledged. A page that changes nothing is not stored
 * while nothing else is pending (the steady state of periodic syncs: no write at all); while pages
 * are pending it is, so that a request naming its cursor still acknowledges them.
 */
export async function updateLedger(db: Kysely<Database>, dialect: Dialect, deviceId: string, ack: Acknowledgement, firstSync: boolean, page: PullResponse, now: number): Promise<void> {
  const record = recordsPage(ack, firstSync, page);
  if (!record && ack.upto < 0 && !ack.dropRest) return;
  const built = record ? pageBody(firstSync, page) : null;
  const text = built ? JSON.stringify(built.body) : '';
  const known = knownSetsOf(db);
  const fresh = new Set<string>();
  await db.transaction().execute(async (trx) => {
    await applyAcknowledgement(trx, dialect, deviceId, ack, now);
    if (built) await storePage(trx, known, fresh, deviceId, built.sets, text, page.cursor, now);
  });
  // Only once committed: a rolled-back set must be written again next time.
  for (const id of fresh) known.add(id);
}

/** A ledger update begun before the page it records is built (startLedgerUpdate). */
export interface LedgerUpdate {
  /** Records the page sent (after the acknowledgement committed); throws what either step threw. */
  finish(firstSync: boolean, page: PullResponse): Promise<void>;
  /** The pull failed before its page was built: waits for the acknowledgement, never throws. */
  abandon(): Promise<void>;
}

/**
 * updateLedger in two steps, for PostgreSQL: what the request acknowledges does not depend on the
 * page being built, so its replay (the bulk of the work: thousands of rows per page of a first
 * sync) runs in its own transaction on its own pooled connection while the pull reads and builds
 * the page, and only the page's own record waits for the page. The acknowledgement holds whatever
 * becomes of this pull: the device's vault has stored those pages. On SQLite (one connection:
 * nothing would run beside it) this is updateLedger, one transaction at finish.
 */
export function startLedgerUpdate(db: Kysely<Database>, dialect: Dialect, deviceId: string, ack: Acknowledgement, now: number): LedgerUpdate {
  if (dialect !== 'postgres') {
    return {
      finish: (firstSync, page) => updateLedger(db, dialect, deviceId, ack, firstSync, page, now),
      abandon: async () => undefined,
    };
  }
  const acknowledged = ack.upto >= 0 || ack.dropRest
    ? db.transaction().execute((trx) => applyAcknowledgement(trx, dialect, deviceId, ack, now))
    : Promise.resolve();
  // Awaited by finish or abandon; until then a failure must not count as unhandled.
  acknowledged.catch(() => undefined);
  return {
    async finish(firstSync, page) {
      await acknowledged;
      if (!recordsPage(ack, firstSync, page)) return;
      const built = pageBody(firstSync, page);
      const text = JSON.stringify(built.body);
      const known = knownSetsOf(db);
      const fresh = new Set<string>();
      // No transaction: a field set is stored under its content's hash, so one stored without the
      // page is harmless, and the page is then one statement (its sets are known but on the first
      // pages): one round trip on every page's path instead of three.
      await storePage(db, known, fresh, deviceId, built.sets, text, page.cursor, now);
      for (const id of fresh) known.add(id);
    },
    abandon: () => acknowledged.catch(() => undefined),
  };
}

/** Whether a page is stored as pending (see updateLedger). */
function recordsPage(ack: Acknowledgement, firstSync: boolean, page: PullResponse): boolean {
  const empty = page.upserts.length === 0 && page.removals.length === 0 && page.droppedBuckets.length === 0 && page.fieldPurges.length === 0;
  return !(empty && !firstSync && ack.pendingLeft === 0);
}

/** Replays the acknowledged pages into the ledger and drops the abandoned ones. */
async function applyAcknowledgement(trx: Transaction<Database>, dialect: Dialect, deviceId: string, ack: Acknowledgement, now: number): Promise<void> {
  if (ack.upto >= 0) {
    const pages = await trx.selectFrom('exposure_pages').select(['n', 'body']).where('device_id', '=', deviceId).where('n', '<=', ack.upto).orderBy('n').execute();
    let first = false;
    for (const p of pages) {
      const body = JSON.parse(p.body) as PageBody;
      if (body.r === 1) first = true;
      await replayPage(trx, dialect, deviceId, body);
    }
    await trx.deleteFrom('exposure_pages').where('device_id', '=', deviceId).where('n', '<=', ack.upto).execute();
    await trx.insertInto('exposure_devices').values({ device_id: deviceId, complete: first ? 1 : 0, applied_at: now })
      .onConflict((oc) => oc.column('device_id').doUpdateSet(first ? { complete: 1, applied_at: now } : { applied_at: now }))
      .execute();
  }
  // Sent on a path the device abandoned: its vault never stored them.
  if (ack.dropRest) await trx.deleteFrom('exposure_pages').where('device_id', '=', deviceId).execute();
}

/** Stores the page sent as pending, with the field sets it names that are not stored yet. */
async function storePage(
  trx: Kysely<Database> | Transaction<Database>,
  known: Set<string>,
  fresh: Set<string>,
  deviceId: string,
  sets: Map<string, { entity: EntityType; fields: string }>,
  body: string,
  cursor: string,
  now: number,
): Promise<void> {
  await internFieldSets(trx, fresh, new Map([...sets].filter(([id]) => !known.has(id))));
  await trx.insertInto('exposure_pages').values({ device_id: deviceId, page_key: pageKey(cursor), sent_at: now, body }).execute();
}

/** Apply one acknowledged page to the ledger, in the order the vault applies it. */
async function replayPage(trx: Transaction<Database>, dialect: Dialect, deviceId: string, body: PageBody): Promise<void> {
  const ledger = () => trx.deleteFrom('exposure_ledger').where('device_id', '=', deviceId);
  if (body.r === 1) await ledger().execute(); // an empty vault: nothing from before is on it

  for (const [entity, fields] of body.p) await purgeFields(trx, deviceId, entity, fields);

  if (body.d.length > 0) await leaveBuckets(trx, deviceId, body.d);

  const removed = new Map<EntityType, string[]>();
  for (const [entity, id] of body.x) {
    const list = removed.get(entity) ?? [];
    list.push(id);
    removed.set(entity, list);
  }
  for (const [entity, ids] of removed) {
    for (const group of chunks(ids, ID_CHUNK)) {
      await ledger().where('entity', '=', entity).where('record_id', 'in', group).execute();
      if (entity === 'customer') await ledger().where('customer_id', 'in', group).execute();
    }
  }

  // All upserts of the page in one statement: the rows travel as one JSON parameter and are
  // unpacked by the database (json_each / jsonb_array_elements), so nothing is built per row here.
  // One row per record (a page names a record twice only by mistake; the last wins): PostgreSQL
  // refuses to update one row twice in a statement.
  const rows = new Map<string, PageBody['u'][number]>();
  for (const row of body.u) rows.set(`${row[0]}:${row[1]}`, row);
  for (const group of chunks([...rows.values()], UPSERT_CHUNK)) {
    const json = JSON.stringify(group);
    const source = dialect === 'postgres'
      ? sql`select ${deviceId}, v->>0, v->>1, v->>2, v->>3, v->>4 from jsonb_array_elements(${json}::jsonb) as v`
      : sql`select ${deviceId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]') from json_each(${json}) where true`;
    await sql`insert into exposure_ledger (device_id, entity, record_id, customer_id, field_set, buckets) ${source}
      on conflict (device_id, entity, record_id) do update set
        customer_id = excluded.customer_id, field_set = excluded.field_set, buckets = excluded.buckets`.execute(trx);
  }

  if (body.d.length > 0) {
    // Customers that left a bucket and are in none now go, with their children.
    const orphans = trx.selectFrom('exposure_ledger').select('record_id')
      .where('device_id', '=', deviceId).where('entity', '=', 'customer').where('buckets', '=', '');
    await ledger().where('entity', '!=', 'customer').where('customer_id', 'in', orphans).execute();
    await ledger().where('entity', '=', 'customer').where('buckets', '=', '').execute();
  }
}

/** Remove fields from every held record of an entity: one UPDATE per distinct field set. */
async function purgeFields(trx: Transaction<Database>, deviceId: string, entity: EntityType, fields: readonly string[]): Promise<void> {
  const gone = new Set(fields);
  const held = await trx.selectFrom('exposure_ledger as l').innerJoin('exposure_field_sets as f', 'f.id', 'l.field_set')
    .select(['f.id', 'f.fields']).distinct()
    .where('l.device_id', '=', deviceId).where('l.entity', '=', entity).execute();
  for (const set of held) {
    const before = set.fields === '' ? [] : set.fields.split(',');
    const after = before.filter((f) => !gone.has(f));
    if (after.length === before.length) continue;
    const id = fieldSetId(entity, after);
    await internFieldSets(trx, new Set(), new Map([[id, { entity, fields: after.join(',') }]]));
    await trx.updateTable('exposure_ledger').set({ field_set: id })
      .where('device_id', '=', deviceId).where('entity', '=', entity).where('field_set', '=', set.id).execute();
  }
}

/** Take the dropped buckets off every held customer: one UPDATE per distinct bucket list. */
async function leaveBuckets(trx: Transaction<Database>, deviceId: string, dropped: readonly string[]): Promise<void> {
  const gone = new Set(dropped);
  for (const group of chunks(dropped, 100)) {
    const lists = await trx.selectFrom('exposure_ledger').select('buckets').distinct()
      .where('device_id', '=', deviceId).where('entity', '=', 'customer')
      .where((eb) => eb.or(group.map((b) => eb('buckets', 'like', `% ${b} %`))))
      .execute();
    for (const { buckets } of lists) {
      if (buckets === null) continue;
      const kept = buckets.trim().split(' ').filter((b) => b !== '' && !gone.has(b));
      const text = bucketText(kept);
      if (text === buckets) continue;
      await trx.updateTable('exposure_ledger').set({ buckets: text })
        .where('device_id', '=', deviceId).where('entity', '=', 'customer').where('buckets', '=', buckets).execute();
    }
  }
}

/** Ledger rows and pending pages, of one device or of all (the benchmark's storage figure). */
export async function ledgerRowCount(db: Kysely<Database>, deviceId?: string): Promise<{ rows: number; pending: number }> {
  let q = db.selectFrom('exposure_ledger').select((eb) => eb.fn.countAll<number>().as('n'));
  if (deviceId) q = q.where('device_id', '=', deviceId);
  let p = db.selectFrom('exposure_pages').select((eb) => eb.fn.countAll<number>().as('n'));
  if (deviceId) p = p.where('device_id', '=', deviceId);
  const [rows, pending] = await Promise.all([q.executeTakeFirst(), p.executeTakeFirst()]);
  return { rows: Number(rows?.n ?? 0), pending: Number(pending?.n ?? 0) };
}
