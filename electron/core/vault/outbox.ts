// The outbox (local edits waiting to be pushed, in order, idempotent by mutation id) and the
// sync issues (conflicts and rejections the server answered, kept until the user dismisses them).

import { randomUUID } from 'node:crypto';
import type { OutboxChange, OutboxItem, SyncIssue } from '../../../shared/api/desktop-api';
import type { EntityType } from '../../../shared/domain/model';
import { ownerBucket, projectRecord } from '../../../shared/permissions/engine';
import type { GrantClaims } from '../../../shared/protocol/grant';
import { mutationSchema, type Mutation, type MutationResult } from '../../../shared/protocol/sync';
import type { VaultDb } from './db';
import { VaultError } from './errors';
import {
  CHILD_ENTITIES,
  FIELD_NAME,
  SERVER_OWNED_FIELDS,
  TABLE,
  deleteRecord,
  getRecord,
  hasBuckets,
  overlayPending,
  parentOf,
  rewriteRecord,
  setBuckets,
  stringOr,
  writeRecord,
  type StoredRecord,
} from './records';
import { beginSearchPurge, endSearchPurge, refreshSearch } from './search-index';

/**
 * Record a local edit: write the record optimistically and append the mutation to the outbox in
 * the same transaction (so an acknowledged edit survives a crash). `claims` names the user, who
 * owns a new customer and authors a new activity unless the mutation says otherwise.
 */
export function applyLocalMutation(db: VaultDb, input: Mutation, claims: GrantClaims): void {
  const parsed = mutationSchema.safeParse(input);
  if (!parsed.success) throw new VaultError('invalid_input', `Invalid mutation: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  const mutation = parsed.data;
  const { entity, recordId } = mutation;
  const fields = Object.fromEntries(Object.entries(mutation.fields).filter(([f]) => !SERVER_OWNED_FIELDS.has(f)));
  for (const f of Object.keys(fields)) {
    if (!FIELD_NAME.test(f)) throw new VaultError('invalid_input', 'A mutation names an invalid field.');
  }

  db.raw.transaction(() => {
    if (db.stmt('SELECT 1 FROM outbox WHERE mutation_id = ?').get(mutation.mutationId)) {
      throw new VaultError('invalid_input', 'This mutation id is already in the outbox.');
    }
    db.bumpDataVersion();
    let customerId: string;
    const existing = getRecord(db, entity, recordId);
    if (mutation.op === 'create') {
      if (existing) throw new VaultError('invalid_input', `A ${entity} with this id already exists.`);
      const record: StoredRecord = { ...fields, id: recordId, updatedAt: mutation.createdAt, version: 0 };
      const me = claims.sub;
      if (entity === 'customer') {
        const ownerId = stringOr(record.ownerId) ?? me;
        if (!ownerId) throw new VaultError('invalid_input', 'A new customer needs an owner.');
        record.ownerId = ownerId;
        customerId = recordId;
      } else {
        const parent = stringOr(record.customerId);
        if (!parent || !getRecord(db, 'customer', parent)) throw new VaultError('record_missing', `The customer of this ${entity} is not in the vault.`);
        customerId = parent;
        if (entity === 'opportunity' && !record.ownerId) record.ownerId = me;
        if (entity === 'activity' && !record.authorId) record.authorId = me;
      }
      writeRecord(db, entity, record, customerId, true);
      if (entity === 'customer') setBuckets(db, recordId, [ownerBucket(String(record.ownerId))]);
    } else if (mutation.op === 'update') {
      if (!existing) throw new VaultError('record_missing', `This ${entity} is not in the vault.`);
      customerId = entity === 'customer' ? recordId : (parentOf(db, entity, recordId) as string);
      const record = { ...existing, ...fields, id: recordId } as StoredRecord;
      if (entity !== 'customer') record.customerId = customerId; // moving a child is not an update
      rewriteRecord(db, entity, record);
    } else {
      if (!existing) throw new VaultError('record_missing', `This ${entity} is not in the vault.`);
      customerId = entity === 'customer' ? recordId : (parentOf(db, entity, recordId) as string);
      deleteRecord(db, entity, recordId);
      // A customer's delete takes its child records with it (as the server does).
      if (entity === 'customer') {
        for (const child of CHILD_ENTITIES) db.stmt(`DELETE FROM ${TABLE[child]} WHERE customer_id = ?`).run(recordId);
      }
    }
    db.stmt('INSERT INTO outbox(mutation_id, entity, op, record_id, customer_id, mutation) VALUES (?, ?, ?, ?, ?, ?)').run(
      mutation.mutationId,
      entity,
      mutation.op,
      recordId,
      customerId,
      JSON.stringify({ ...mutation, fields }),
    );
    if (entity === 'customer' || entity === 'contact') refreshSearch(db, [customerId]);
    bumpOutboxSeq(db);
  })();
}

/** Internal meta: counts every change of the outbox; the keychain mark remembers the highest (mark.ts). */
export const OUTBOX_SEQ = 'outbox-seq';

export function outboxSeq(db: VaultDb): number {
  return Number(db.internalMeta(OUTBOX_SEQ) ?? 0);
}

function bumpOutboxSeq(db: VaultDb): void {
  db.setInternalMeta(OUTBOX_SEQ, String(outboxSeq(db) + 1));
}

/**
 * Put edits salvaged from a damaged vault back in the outbox of a fresh one, as they were sent
 * (no optimistic write: the records come back with the next pull). Invalid entries are skipped.
 */
export function restoreOutbox(db: VaultDb, mutations: readonly Mutation[]): number {
  let restored = 0;
  db.raw.transaction(() => {
    for (const input of mutations) {
      const parsed = mutationSchema.safeParse(input);
      if (!parsed.success) continue;
      const m = parsed.data;
      const customerId = m.entity === 'customer' ? m.recordId : stringOr(m.fields.customerId) ?? '';
      const done = db
        .stmt('INSERT OR IGNORE INTO outbox(mutation_id, entity, op, record_id, customer_id, mutation) VALUES (?, ?, ?, ?, ?, ?)')
        .run(m.mutationId, m.entity, m.op, m.recordId, customerId, JSON.stringify(m));
      restored += done.changes;
    }
    bumpOutboxSeq(db);
  })();
  return restored;
}

export function outbox(db: VaultDb, limit = 500): Mutation[] {
  return (db.stmt('SELECT mutation FROM outbox ORDER BY seq LIMIT ?').all(limit) as { mutation: string }[]).map((r) => JSON.parse(r.mutation) as Mutation);
}

export function outboxCount(db: VaultDb): number {
  return (db.stmt('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
}

export function listOutbox(db: VaultDb): OutboxItem[] {
  const rows = db.stmt('SELECT mutation, attempts FROM outbox ORDER BY seq').all() as { mutation: string; attempts: number }[];
  return rows.map((row) => {
    const m = JSON.parse(row.mutation) as Mutation;
    return {
      mutationId: m.mutationId,
      entity: m.entity,
      op: m.op,
      recordId: m.recordId,
      ...outboxLabel(db, m),
      changes: changesOf(m),
      createdAt: m.createdAt,
      attempts: row.attempts,
    };
  });
}

/** Fields that place a record (its customer, owner, author) rather than describe it: not shown as a change. */
const PLACEMENT_FIELDS = new Set(['customerId', 'ownerId', 'authorId']);

/** What an edit changes, field by field: the value it started from (updates) and the new one. */
function changesOf(m: Mutation): OutboxChange[] {
  if (m.op === 'delete') return [];
  return Object.entries(m.fields)
    .filter(([field]) => !(m.op === 'create' && PLACEMENT_FIELDS.has(field)))
    .map(([field, after]) => (m.op === 'update' ? { field, before: m.baseValues[field] ?? null, after } : { field, after }));
}

/**
 * Discard an edit waiting in the outbox: it leaves the outbox and the local record goes back to
 * the server's version as the vault holds it — an update's fields return to the values the edit
 * started from (later pending edits of the same record stay on top), a created record is removed
 * together with the pending edits that need it (edits of it, and of its contacts, deals and
 * activities when it is a customer). Generated columns and the search index follow the record.
 * A deletion cannot be discarded: the vault no longer holds the record to bring back.
 * Returns the mutation ids that left the outbox.
 */
export function discardMutation(db: VaultDb, mutationId: string): string[] {
  return db.raw.transaction(() => {
    const row = db.stmt('SELECT mutation FROM outbox WHERE mutation_id = ?').get(mutationId) as { mutation: string } | undefined;
    if (!row) throw new VaultError('record_missing', 'This edit is no longer in the outbox (it may have been sent).');
    const m = JSON.parse(row.mutation) as Mutation;
    if (m.op === 'delete') throw new VaultError('invalid_input', 'A deletion cannot be discarded.');
    db.bumpDataVersion();
    let removed: string[];
    if (m.op === 'update') {
      db.stmt('DELETE FROM outbox WHERE mutation_id = ?').run(mutationId);
      revertFields(db, m.entity, m.recordId, m.baseValues);
      removed = [mutationId];
    } else {
      // A customer's outbox rows, and its children's, carry its id as customer_id.
      const dependent =
        m.entity === 'customer'
          ? db.stmt('DELETE FROM outbox WHERE customer_id = ? RETURNING mutation_id').all(m.recordId)
          : db.stmt('DELETE FROM outbox WHERE entity = ? AND record_id = ? RETURNING mutation_id').all(m.entity, m.recordId);
      removed = (dependent as { mutation_id: string }[]).map((d) => d.mutation_id);
      // Deleting a customer also deletes its children, memberships and search rows (trigger, schema.ts).
      const parent = deleteRecord(db, m.entity, m.recordId);
      if (parent && m.entity === 'contact') refreshSearch(db, [parent]);
    }
    bumpOutboxSeq(db);
    return removed;
  })();
}

/** Send an edit again now: its failed attempts are forgotten (the caller then syncs). */
export function resetAttempts(db: VaultDb, mutationId: string): void {
  const done = db.stmt('UPDATE outbox SET attempts = 0 WHERE mutation_id = ?').run(mutationId);
  if (done.changes === 0) throw new VaultError('record_missing', 'This edit is no longer in the outbox (it may have been sent).');
}

/** A rejected edit's mutation as it was sent (to send it again as a new edit), or null. */
export function issueMutation(db: VaultDb, id: string): { kind: SyncIssue['kind']; mutation: Mutation } | null {
  const row = db.stmt('SELECT kind, mutation FROM issues WHERE id = ?').get(id) as { kind: SyncIssue['kind']; mutation: string | null } | undefined;
  if (!row?.mutation) return null;
  return { kind: row.kind, mutation: JSON.parse(row.mutation) as Mutation };
}

/**
 * Settle pushed mutations: drop them from the outbox, store the server's state of each record
 * (projected to `claims`' read clearance), keep conflicts and rejections as issues.
 */
export function settlePush(db: VaultDb, sent: readonly Mutation[], results: readonly MutationResult[], claims: GrantClaims): void {
  const byId = new Map(results.map((r) => [r.mutationId, r]));
  let removedSomething = false;
  let settled = false;
  const dropsCreates = sent.some((m) => m.op === 'create' && byId.get(m.mutationId)?.status === 'rejected' && !byId.get(m.mutationId)?.record);
  db.raw.transaction(() => {
    // Settling rewrites records with the server's state and clears their pending marks.
    if (sent.length) db.bumpDataVersion();
    const searchPurge = beginSearchPurge(db, dropsCreates ? 1 : 0);
    for (const mutation of sent) {
      const result = byId.get(mutation.mutationId);
      if (!result) {
        // Not answered (the batch was cut short): keep it, in order, for the next push.
        db.stmt('UPDATE outbox SET attempts = attempts + 1 WHERE mutation_id = ?').run(mutation.mutationId);
        continue;
      }
      const stored = db.stmt('DELETE FROM outbox WHERE mutation_id = ? RETURNING mutation').get(mutation.mutationId) as { mutation: string } | undefined;
      if (!stored) continue; // settled before (a retried settle after a crash)
      settled = true;
      const label = labelFor(db, mutation.entity, mutation.recordId, mutation.fields);
      if (result.record) {
        storeServerRecord(db, mutation.entity, result.record as StoredRecord, claims);
      } else if (result.status === 'rejected' && mutation.op === 'create') {
        // The server never took it: the optimistic row goes; the issue keeps what the user typed.
        if (deleteRecord(db, mutation.entity, mutation.recordId) !== undefined) removedSomething = true;
        if (mutation.entity === 'contact') refreshSearch(db, [String(mutation.fields.customerId ?? '')]);
      } else if (result.status === 'rejected' && mutation.op === 'update') {
        // No server state came back: undo the optimistic edit from the values it started from,
        // or the vault would show a change the server refused until the record changes again.
        revertFields(db, mutation.entity, mutation.recordId, mutation.baseValues);
      }
      if (result.status === 'conflict' || result.status === 'rejected') {
        db.stmt(
          `INSERT OR REPLACE INTO issues(id, kind, entity, record_id, label, created_at, reason, conflicts, mutation)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          result.heldId ?? randomUUID(),
          result.status,
          mutation.entity,
          mutation.recordId,
          label,
          db.clock.now(),
          result.reason ?? null,
          JSON.stringify(result.conflicts ?? []),
          stored.mutation,
        );
      }
    }
    endSearchPurge(db, searchPurge);
    if (settled) bumpOutboxSeq(db);
  })();
  if (removedSomething) db.raw.pragma('wal_checkpoint(TRUNCATE)');
}

function revertFields(db: VaultDb, entity: EntityType, id: string, baseValues: Record<string, unknown>): void {
  const current = getRecord(db, entity, id);
  if (!current) return;
  const reverted = { ...current } as StoredRecord;
  for (const [field, value] of Object.entries(baseValues)) {
    if (FIELD_NAME.test(field) && !SERVER_OWNED_FIELDS.has(field) && Object.hasOwn(current, field)) reverted[field] = value;
  }
  const overlaid = overlayPending(db, entity, reverted);
  if (overlaid === null) return;
  rewriteRecord(db, entity, overlaid);
  const customerId = entity === 'customer' ? id : parentOf(db, entity, id);
  if (customerId && (entity === 'customer' || entity === 'contact')) refreshSearch(db, [customerId]);
}

/** Store the server's current state of a record after a push, keeping later pending edits on top. */
function storeServerRecord(db: VaultDb, entity: EntityType, serverRecord: StoredRecord, claims: GrantClaims): void {
  let record = projectRecord(entity, serverRecord, claims.readClearance, claims.classification) as StoredRecord;
  const existingParent = entity === 'customer' ? null : parentOf(db, entity, record.id);
  const customerId = entity === 'customer' ? record.id : (stringOr(record.customerId) ?? existingParent);
  if (!customerId) return; // a child whose customer we cannot place: the next pull brings it
  if (entity !== 'customer' && !getRecord(db, 'customer', customerId)) return;
  const overlaid = overlayPending(db, entity, record);
  if (overlaid === null) return;
  record = overlaid;
  const row = db.stmt(`SELECT writable FROM ${TABLE[entity]} WHERE id = ?`).get(record.id) as { writable: number } | undefined;
  writeRecord(db, entity, record, customerId, row ? row.writable === 1 : true);
  const owner = stringOr(record.ownerId);
  if (entity === 'customer' && owner && !hasBuckets(db, customerId)) setBuckets(db, customerId, [ownerBucket(owner)]);
  if (entity === 'customer' || entity === 'contact') refreshSearch(db, [customerId]);
}

export function listIssues(db: VaultDb): SyncIssue[] {
  const rows = db.stmt('SELECT id, kind, entity, record_id, label, created_at, reason, conflicts, mutation FROM issues ORDER BY created_at, id').all() as {
    id: string; kind: SyncIssue['kind']; entity: EntityType; record_id: string; label: string; created_at: number; reason: string | null; conflicts: string; mutation: string | null;
  }[];
  return rows.map((r) => {
    const m = r.mutation ? (JSON.parse(r.mutation) as Mutation) : null;
    const activityKind = r.entity === 'activity' && m ? (stringOr(m.fields.kind) ?? stringOr(getRecord(db, 'activity', r.record_id)?.kind)) : null;
    return {
      id: r.id,
      kind: r.kind,
      entity: r.entity,
      recordId: r.record_id,
      // Issues stored before the kind travelled apart carry it in front of the text ("visit: …").
      label: activityKind && r.label.startsWith(`${activityKind}: `) ? r.label.slice(activityKind.length + 2) : r.label,
      ...(activityKind ? { activityKind } : {}),
      ...(m ? { resendable: r.kind === 'rejected' && m.op !== 'delete' } : {}),
      createdAt: r.created_at,
      reason: r.reason,
      conflicts: JSON.parse(r.conflicts) as SyncIssue['conflicts'],
    };
  });
}

export function dismissIssue(db: VaultDb, id: string): void {
  db.stmt('DELETE FROM issues WHERE id = ?').run(id);
}

/** An activity's kind travels apart from its text, so the UI can name it in the user's language. */
function outboxLabel(db: VaultDb, m: Mutation): { label: string; activityKind?: string } {
  if (m.entity !== 'activity') return { label: labelFor(db, m.entity, m.recordId, m.fields) };
  const stored = getRecord(db, 'activity', m.recordId) ?? {};
  const kind = stringOr(m.fields.kind) ?? stringOr(stored.kind);
  const text = stringOr(m.fields.text) ?? stringOr(stored.text);
  return { label: text ? text.slice(0, 60) : '', ...(kind ? { activityKind: kind } : {}) };
}

function labelFor(db: VaultDb, entity: EntityType, recordId: string, fields: Record<string, unknown>): string {
  const stored = getRecord(db, entity, recordId) ?? {};
  const pick = (key: string): string | null => stringOr(fields[key]) ?? stringOr(stored[key]);
  switch (entity) {
    case 'customer':
    case 'contact':
      return pick('name') ?? recordId;
    case 'opportunity':
      return pick('title') ?? recordId;
    case 'activity':
      // The kind travels apart (activityKind), so the UI names it in the user's language.
      return (pick('text') ?? '').slice(0, 60);
  }
}
