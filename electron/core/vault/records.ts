// Record storage primitives shared by the pull, the outbox and the read queries: one row per
// record (its JSON as stored, projected to the user's clearance), bucket memberships, and the
// overlay of pending local edits.

import { ENTITY_TYPES, type EntityType } from '../../../shared/domain/model';
import type { Mutation } from '../../../shared/protocol/sync';
import type { VaultDb } from './db';

export type StoredRecord = Record<string, unknown> & { id: string };

export const TABLE: Record<EntityType, string> = {
  customer: 'customers',
  contact: 'contacts',
  opportunity: 'opportunities',
  activity: 'activities',
};
export const CHILD_ENTITIES = ['contact', 'opportunity', 'activity'] as const;

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

export function writeRecord(db: VaultDb, entity: EntityType, record: StoredRecord, customerId: string, writable: boolean): void {
  const json = JSON.stringify(record);
  if (entity === 'customer') {
    // An unchanged resend writes nothing: no row, index or WAL page is touched for it.
    db.stmt(
      `INSERT INTO customers(id, record, writable) VALUES (?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET record = excluded.record, writable = excluded.writable
       WHERE record IS NOT excluded.record OR writable IS NOT excluded.writable`,
    ).run(record.id, json, writable ? 1 : 0);
  } else {
    db.stmt(
      `INSERT INTO ${TABLE[entity]}(id, customer_id, record, writable) VALUES (?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id, record = excluded.record, writable = excluded.writable
       WHERE customer_id IS NOT excluded.customer_id OR record IS NOT excluded.record OR writable IS NOT excluded.writable`,
    ).run(record.id, customerId, json, writable ? 1 : 0);
  }
}

/** A customer's bucket memberships (children follow their customer). */
export function setBuckets(db: VaultDb, customerId: string, buckets: readonly string[]): void {
  // Only memberships that change are written: a delta resends every customer's buckets, and
  // deleting and re-inserting the same rows would dirty their pages on every sync.
  db.stmt(`DELETE FROM record_buckets WHERE entity = 'customer' AND id = ? AND bucket NOT IN (SELECT value FROM json_each(?))`).run(
    customerId,
    JSON.stringify(buckets),
  );
  const insert = db.stmt(`INSERT OR IGNORE INTO record_buckets(entity, id, bucket) VALUES ('customer', ?, ?)`);
  for (const bucket of buckets) insert.run(customerId, bucket);
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
