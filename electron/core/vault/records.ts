// Record storage primitives shared by the pull, the outbox and the read queries: one row per
// record (its JSON as stored, projected to the user's clearance), bucket memberships, and the
// overlay of pending local edits.

import { ENTITY_TYPES, type EntityType } from '../../../shared/domain/model';
import type { Mutation } from '../../../shared/protocol/sync';
import { nameSortKey } from './collation';
import type { VaultDb } from './db';

export type StoredRecord = Record<string, unknown> & { id: string };

export const TABLE: Record<EntityType, string> = {
  customer: 'customers',
  contact: 'contacts',
  opportunity: 'opportunities',
  activity: 'activities',
};
export const CHILD_ENTITIES = ['contact', 'opportunity', 'activity'] as const;

/**
 * The field each table's `sort_key` column is derived from (collation.ts; schema.ts, migration
 * 10): customers and contacts by name, opportunities by title. Activities have no such column.
 * The key needs JavaScript (the pinyin readings), so it cannot be a generated column: every write
 * of a record's JSON writes its key in the same statement (writeRecord, rewriteRecord).
 */
export const SORT_FIELD: Partial<Record<EntityType, string>> = { customer: 'name', contact: 'name', opportunity: 'title' };

/**
 * Sort keys of names seen before, up to a bound: names repeat across a first sync (contacts'
 * given names and surnames, opportunity titles made from a customer's name), and the key is a
 * pure function of the name (collation.ts), so a name's key is computed once.
 */
const sortKeys = new Map<string, string>();
const SORT_KEYS_MAX = 20_000;

function cachedSortKey(name: unknown): string {
  if (typeof name !== 'string') return nameSortKey(name);
  let key = sortKeys.get(name);
  if (key === undefined) {
    key = nameSortKey(name);
    if (sortKeys.size >= SORT_KEYS_MAX) sortKeys.clear();
    sortKeys.set(name, key);
  }
  return key;
}

/** The sort key a record of this entity is stored with (null: its table has none). */
export function sortKeyOf(entity: EntityType, record: Record<string, unknown>): string | null {
  const field = SORT_FIELD[entity];
  return field ? cachedSortKey(record[field]) : null;
}

export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Fields a local edit may never set: identity and versioning belong to the server. */
export const SERVER_OWNED_FIELDS = new Set(['id', 'version', 'updatedAt']);

export function stringOr(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Delete one record (children cascade by trigger). Returns its customer id, or undefined when it was not stored. */
export function deleteRecord(db: VaultDb, entity: EntityType, id: string): string | undefined {
  const column = entity === 'customer' ? 'id' : 'customer_id';
  const row = db.stmt(`DELETE FROM ${TABLE[entity]} WHERE id = ? RETURNING ${column} AS parent`).get(id) as { parent: string } | undefined;
  return row?.parent;
}

/** Rids of one cluster slot: [slot * CLUSTER_SPAN, (slot + 1) * CLUSTER_SPAN) (schema.ts, migration 3). */
const CLUSTER_SPAN = 2 ** 32;

/** Per entity: a table's statements as constant strings, so the statement cache finds them without building the SQL per record. */
function perEntity(sql: (table: string) => string): Record<EntityType, string> {
  return Object.fromEntries(ENTITY_TYPES.map((entity) => [entity, sql(TABLE[entity])])) as Record<EntityType, string>;
}
const MAX_RID_SQL = perEntity((table) => `SELECT coalesce(max(rid), ?) + 1 AS rid FROM ${table} WHERE rid > ? AND rid < ?`);
const UPSERT_CUSTOMER_SQL = `INSERT INTO customers(rid, id, record, writable, sort_key) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET record = excluded.record, writable = excluded.writable, sort_key = excluded.sort_key
       WHERE record IS NOT excluded.record OR writable IS NOT excluded.writable`;
const UPSERT_KEYED_SQL = perEntity((table) => `INSERT INTO ${table}(rid, id, customer_id, record, writable, sort_key) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id, record = excluded.record, writable = excluded.writable, sort_key = excluded.sort_key
       WHERE customer_id IS NOT excluded.customer_id OR record IS NOT excluded.record OR writable IS NOT excluded.writable`);
const UPSERT_CHILD_SQL = perEntity((table) => `INSERT INTO ${table}(rid, id, customer_id, record, writable) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id, record = excluded.record, writable = excluded.writable
     WHERE customer_id IS NOT excluded.customer_id OR record IS NOT excluded.record OR writable IS NOT excluded.writable`);

/**
 * Hands out rids in clusters (schema.ts, migration 3): a customer's in its owner's slot, a child's
 * in its customer's. Lookups (owner slot, a customer's slot, the highest rid of a slot) are made
 * once and then counted on in memory, so use one allocator per transaction and drop it after:
 * nothing else writes the record tables meanwhile. A rid handed to an upsert that turns out to be
 * an update stays unused (a gap, harmless).
 */
export class ClusterRids {
  private readonly slotBase = new Map<string, number>();
  private readonly customerBase = new Map<string, number>();
  /** Per table, the next free rid of each cluster base used so far. */
  private readonly nextRid = new Map<EntityType, Map<number, number>>();

  constructor(private readonly db: VaultDb) {}

  next(entity: EntityType, record: StoredRecord, customerId: string): number {
    const base = entity === 'customer' ? this.ownerBase(stringOr(record.ownerId)) : this.parentBase(customerId);
    let bases = this.nextRid.get(entity);
    if (!bases) this.nextRid.set(entity, (bases = new Map()));
    let rid = bases.get(base);
    if (rid === undefined) {
      rid = (this.db.stmt(MAX_RID_SQL[entity]).get(base, base, base + CLUSTER_SPAN) as { rid: number }).rid;
    }
    bases.set(base, rid + 1);
    if (entity === 'customer') this.customerBase.set(record.id, base);
    return rid;
  }

  private ownerBase(owner: string | null): number {
    if (!owner) return 0;
    let base = this.slotBase.get(owner);
    if (base === undefined) {
      const row = this.db.stmt('SELECT slot FROM clusters WHERE key = ?').get(owner) as { slot: number } | undefined;
      const slot = row
        ? row.slot
        : (this.db.stmt('INSERT INTO clusters(key, slot) VALUES (?, (SELECT coalesce(max(slot), 0) + 1 FROM clusters)) RETURNING slot').get(owner) as { slot: number }).slot;
      base = slot * CLUSTER_SPAN;
      this.slotBase.set(owner, base);
    }
    return base;
  }

  private parentBase(customerId: string): number {
    let base = this.customerBase.get(customerId);
    if (base === undefined) {
      const parent = this.db.stmt('SELECT rid FROM customers WHERE id = ?').get(customerId) as { rid: number } | undefined;
      base = parent ? Math.floor(parent.rid / CLUSTER_SPAN) * CLUSTER_SPAN : 0;
      this.customerBase.set(customerId, base);
    }
    return base;
  }
}

/**
 * Insert or update one record; false when an identical row was already stored (nothing written).
 * A new row takes the next rid of its cluster (`rids`: the transaction's allocator); an update
 * keeps its row where it is.
 */
export function writeRecord(
  db: VaultDb, entity: EntityType, record: StoredRecord, customerId: string, writable: boolean, rids = new ClusterRids(db),
): boolean {
  const json = JSON.stringify(record);
  const rid = rids.next(entity, record, customerId);
  const key = sortKeyOf(entity, record);
  if (entity === 'customer') {
    // An unchanged resend writes nothing: no row, index or WAL page is touched for it.
    return db.stmt(UPSERT_CUSTOMER_SQL).run(rid, record.id, json, writable ? 1 : 0, key).changes > 0;
  }
  if (key !== null) return db.stmt(UPSERT_KEYED_SQL[entity]).run(rid, record.id, customerId, json, writable ? 1 : 0, key).changes > 0;
  return db.stmt(UPSERT_CHILD_SQL[entity]).run(rid, record.id, customerId, json, writable ? 1 : 0).changes > 0;
}

/** Replace the JSON of a stored record (a local edit, a reverted one), with its sort key. */
export function rewriteRecord(db: VaultDb, entity: EntityType, record: StoredRecord): void {
  const key = sortKeyOf(entity, record);
  if (key === null) db.stmt(`UPDATE ${TABLE[entity]} SET record = ? WHERE id = ?`).run(JSON.stringify(record), record.id);
  else db.stmt(`UPDATE ${TABLE[entity]} SET record = ?, sort_key = ? WHERE id = ?`).run(JSON.stringify(record), key, record.id);
}

/** Internal meta flag: stored sort keys are missing or stale (migration 10 sets it); filled at open. */
export const SORT_KEYS_FILL = 'sort-keys-fill';
const FILL_BATCH = 2_000;

/**
 * Compute the sort key of every stored customer, contact, opportunity and owner, once, at the first
 * open after the migration that added (or changed) the keys. One transaction; rows are read in
 * rid batches (a statement cannot write while another one is still reading).
 */
export function fillSortKeys(db: VaultDb): void {
  if (db.internalMeta(SORT_KEYS_FILL) === null) return;
  db.raw.transaction(() => {
    for (const [entity, field] of Object.entries(SORT_FIELD) as [EntityType, string][]) {
      const table = TABLE[entity];
      const read = db.stmt(`SELECT rid, CASE WHEN json_type(record, '$.${field}') = 'text' THEN json_extract(record, '$.${field}') END AS v
         FROM ${table} WHERE rid > ? ORDER BY rid LIMIT ${FILL_BATCH}`);
      const write = db.stmt(`UPDATE ${table} SET sort_key = ? WHERE rid = ? AND sort_key IS NOT ?`);
      let after = -1;
      for (;;) {
        const rows = read.all(after) as { rid: number; v: unknown }[];
        for (const row of rows) {
          const key = nameSortKey(row.v);
          write.run(key, row.rid, key);
        }
        if (rows.length < FILL_BATCH) break;
        after = (rows[rows.length - 1] as { rid: number }).rid;
      }
    }
    // The owner directory (display names, pull-apply.ts: rememberUserNames): a few hundred rows at most.
    const users = db.stmt('SELECT id, display_name FROM users').all() as { id: string; display_name: string }[];
    const write = db.stmt('UPDATE users SET sort_key = ? WHERE id = ?');
    for (const user of users) write.run(nameSortKey(user.display_name), user.id);
    db.setInternalMeta(SORT_KEYS_FILL, null);
  })();
}

/** A customer's bucket memberships (children follow their customer); true when one changed. */
export function setBuckets(db: VaultDb, customerId: string, buckets: readonly string[]): boolean {
  return setPageBuckets(db, new Map([[customerId, buckets]]));
}

/**
 * The bucket memberships of a pull page's customers (customer id → its buckets), with two
 * statements for the whole page instead of two or more per customer: memberships no longer
 * listed are deleted, listed ones inserted where missing. Only memberships that change are
 * written: a delta resends every customer's buckets, and deleting and re-inserting the same rows
 * would dirty their pages on every sync. Returns true when a membership changed.
 */
export function setPageBuckets(db: VaultDb, memberships: ReadonlyMap<string, readonly string[]>): boolean {
  if (memberships.size === 0) return false;
  const ids: string[] = [];
  const pairs: [string, string][] = [];
  for (const [id, buckets] of memberships) {
    ids.push(id);
    for (const bucket of buckets) pairs.push([id, bucket]);
  }
  const listed = JSON.stringify(pairs);
  let changes = db.stmt(
    `DELETE FROM record_buckets WHERE entity = 'customer' AND id IN (SELECT value FROM json_each(?))
       AND (id, bucket) NOT IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))`,
  ).run(JSON.stringify(ids), listed).changes;
  changes += db.stmt(
    `INSERT OR IGNORE INTO record_buckets(entity, id, bucket) SELECT 'customer', value ->> 0, value ->> 1 FROM json_each(?)`,
  ).run(listed).changes;
  return changes > 0;
}

export function hasBuckets(db: VaultDb, customerId: string): boolean {
  return Boolean(db.stmt(`SELECT 1 FROM record_buckets WHERE entity = 'customer' AND id = ? LIMIT 1`).get(customerId));
}

export function parentOf(db: VaultDb, entity: (typeof CHILD_ENTITIES)[number], id: string): string | null {
  const row = db.stmt(`SELECT customer_id FROM ${TABLE[entity]} WHERE id = ?`).get(id) as { customer_id: string } | undefined;
  return row?.customer_id ?? null;
}

/**
 * Lay the user's unsynced edits over a server record so they stay visible until pushed.
 * Only keys the server record carries are overlaid: a pending edit never brings back a
 * field that is now above the user's clearance. null = a pending delete.
 */
export function overlayPending(db: VaultDb, entity: EntityType, serverRecord: StoredRecord): StoredRecord | null {
  const rows = db.stmt('SELECT op, mutation FROM outbox WHERE entity = ? AND record_id = ? ORDER BY seq').all(entity, serverRecord.id) as { op: string; mutation: string }[];
  if (!rows.length) return serverRecord;
  const merged: StoredRecord = { ...serverRecord };
  for (const row of rows) {
    if (row.op === 'delete') return null;
    const { fields } = JSON.parse(row.mutation) as Mutation;
    for (const [field, value] of Object.entries(fields)) {
      if (Object.hasOwn(serverRecord, field) && !SERVER_OWNED_FIELDS.has(field)) merged[field] = value;
    }
  }
  return merged;
}

export function getRecord(db: VaultDb, entity: EntityType, id: string): Record<string, unknown> | null {
  if (!ENTITY_TYPES.includes(entity)) return null;
  const row = db.stmt(`SELECT record FROM ${TABLE[entity]} WHERE id = ?`).get(id) as { record: string } | undefined;
  return row ? (JSON.parse(row.record) as Record<string, unknown>) : null;
}
