// The offline audit queue: what was viewed, searched or exported while offline, uploaded to the
// server's audit trail at the next sync and then dropped.

import { randomUUID } from 'node:crypto';
import { offlineAuditEntrySchema, type OfflineAuditEntry } from '../../../shared/protocol/sync';
import type { VaultDb } from './db';
import { VaultError } from './errors';

export function recordAudit(db: VaultDb, entry: Omit<OfflineAuditEntry, 'id'>): void {
  const parsed = offlineAuditEntrySchema.safeParse({ ...entry, id: randomUUID() });
  if (!parsed.success) throw new VaultError('invalid_input', `Invalid audit entry: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  db.stmt('INSERT INTO audit_queue(id, entry) VALUES (?, ?)').run(parsed.data.id, JSON.stringify(parsed.data));
}

export function pendingAudit(db: VaultDb, limit: number): OfflineAuditEntry[] {
  return (db.stmt('SELECT entry FROM audit_queue ORDER BY seq LIMIT ?').all(Math.max(0, Math.floor(limit))) as { entry: string }[]).map(
    (r) => JSON.parse(r.entry) as OfflineAuditEntry,
  );
}

export function ackAudit(db: VaultDb, ids: readonly string[]): void {
  if (!ids.length) return;
  db.stmt('DELETE FROM audit_queue WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
}
