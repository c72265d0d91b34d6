// The tamper-evident audit trail: every entry's hash covers the previous entry's hash and the
// canonical JSON of the entry, so editing, inserting or deleting a row in the middle breaks the
// chain from that row on. Appends are serialised (one writer at a time, across processes too)
// so that two entries can never claim the same predecessor.

import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AuditEntryInput, AuditLog, Dialect } from '../context';
import type { AuditLogTable, Database } from '../db/schema';

/** prev_hash of the first entry */
export const GENESIS_HASH = '0'.repeat(64);

// Arbitrary constant identifying "the audit append lock" among PG advisory locks.
const PG_AUDIT_LOCK_KEY = 0x5a_0d_17;

/** JSON with object keys sorted at every depth: the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

type HashedFields = Pick<AuditLogTable, 'at' | 'actor_id' | 'device_id' | 'action' | 'target' | 'outcome' | 'details'> & {
  seq: number;
};

export function entryHash(prevHash: string, row: HashedFields): string {
  const body = canonicalJson({
    seq: row.seq,
    at: row.at,
    actor_id: row.actor_id,
    device_id: row.device_id,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    details: JSON.parse(row.details) as unknown,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export function createAuditLog(db: Kysely<Database>, dialect: Dialect, now: () => number): AuditLog {
  return {
    async append(entry: AuditEntryInput): Promise<void> {
      const fields = {
        at: entry.at ?? now(),
        actor_id: entry.actorId,
        device_id: entry.deviceId,
        action: entry.action,
        target: entry.target,
        outcome: entry.outcome,
        details: canonicalJson(entry.details ?? {}),
      };
      await db.transaction().execute(async (trx) => {
        // PG: an advisory lock held to commit serialises appenders across processes. SQLite: the
        // INSERT below is the transaction's first statement, so it takes the database write lock
        // before we read the predecessor.
        if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_AUDIT_LOCK_KEY})`.execute(trx);
        const { seq } = await trx
          .insertInto('audit_log')
          .values({ ...fields, prev_hash: '', hash: '' })
          .returning('seq')
          .executeTakeFirstOrThrow();
        const prev = await trx
          .selectFrom('audit_log')
          .select('hash')
          .where('seq', '<', seq)
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        const prevHash = prev?.hash ?? GENESIS_HASH;
        await trx
          .updateTable('audit_log')
          .set({ prev_hash: prevHash, hash: entryHash(prevHash, { ...fields, seq }) })
          .where('seq', '=', seq)
          .execute();
      });
    },
  };
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  /** seq of the first entry whose link or hash does not match; null when ok */
  firstBrokenSeq: number | null;
}

/** Walks the whole chain in seq order, in pages, recomputing every hash. */
export async function verifyChain(db: Kysely<Database>): Promise<ChainVerification> {
  const pageSize = 2000;
  let prevHash = GENESIS_HASH;
  let afterSeq = 0;
  let checked = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of rows) {
      checked++;
      let expected: string | null = null;
      try {
        expected = entryHash(prevHash, row);
      } catch {
        // details no longer parse as JSON: the row was edited
      }
      if (row.prev_hash !== prevHash || row.hash !== expected) {
        return { ok: false, checked, firstBrokenSeq: row.seq };
      }
      prevHash = row.hash;
      afterSeq = row.seq;
    }
    if (rows.length < pageSize) return { ok: true, checked, firstBrokenSeq: null };
  }
}
