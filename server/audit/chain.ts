// The tamper-evident audit trail: every entry's hash covers the previous entry's hash and the
// canonical JSON of the entry, so editing, inserting or deleting a row in the middle breaks the
// chain from that row on. Two entries can never claim the same predecessor: an append either
// proves in its own statement that its predecessor is still the newest entry, or runs
// serialised (one writer at a time, across processes too). Removing the newest entries is
// made visible by signed checkpoints of the chain head (./checkpoints.ts).

import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AuditEntryInput, AuditLog, Dialect, ServerKeys } from '../context';
import { createBatcher } from '../db/batcher';
import type { AuditLogTable, Database } from '../db/schema';
import { loadServerKeys } from '../keys';
import { CHECKPOINT_EVERY_ENTRIES, CHECKPOINT_EVERY_MS, loadCheckpoints, writeCheckpoint } from './checkpoints';

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

type Link = { seq: number; hash: string };

/**
 * Appends hash-chained entries.
 * Group commit: appends arriving while a write is in flight are queued and written together by
 * the next write, so 500 concurrent syncs cost a handful of transactions, not 500. Each append
 * still resolves only once its entry is committed.
 * Fast path (one statement): this process remembers the last entry it wrote, and inserts the
 * batch after it only if that entry is still the newest (`max(seq)` matches, checked in the same
 * statement). Another writer in between (another process) makes that insert add nothing or
 * collide on the primary key; the slow path then reads the real predecessor under the lock.
 */
export interface AuditLogOptions {
  /** sign checkpoints of the chain head with this key (the server's); none without it */
  keys?: ServerKeys;
  checkpointEveryEntries?: number;
  checkpointEveryMs?: number;
}

export function createAuditLog(db: Kysely<Database>, dialect: Dialect, now: () => number, options: AuditLogOptions = {}): AuditLog {
  let last: Link | null = null;
  const everyEntries = options.checkpointEveryEntries ?? CHECKPOINT_EVERY_ENTRIES;
  const everyMs = options.checkpointEveryMs ?? CHECKPOINT_EVERY_MS;
  // What this process checkpointed last (seq 0 and the start time before its first one).
  let checkpointed = { seq: 0, at: now() };

  /** After a write: sign the head this process just wrote when enough entries or time passed. */
  async function maybeCheckpoint(): Promise<void> {
    const head = last;
    if (!options.keys || !head) return;
    const at = now();
    if (head.seq - checkpointed.seq < everyEntries && at - checkpointed.at < everyMs) return;
    try {
      await writeCheckpoint(db, options.keys, head, at);
      checkpointed = { seq: head.seq, at };
    } catch {
      // The entries are committed; a checkpoint that failed is retried after the next write.
    }
  }

  /** Seqs and hashes for `batch` following `prev`. */
  function chain(batch: readonly AuditFields[], prev: Link): (AuditFields & { seq: number; prev_hash: string; hash: string })[] {
    let link = prev;
    return batch.map((fields) => {
      const seq = link.seq + 1;
      const row = { ...fields, seq, prev_hash: link.hash, hash: entryHash(link.hash, { ...fields, seq }) };
      link = { seq, hash: row.hash };
      return row;
    });
  }

  async function writeFast(batch: readonly AuditFields[], known: Link): Promise<boolean> {
    const rows = chain(batch, known);
    const selects = rows.map((r) => sql`select cast(${r.seq} as bigint) as seq, cast(${r.at} as bigint) as at,
      cast(${r.actor_id} as text) as actor_id, cast(${r.device_id} as text) as device_id, cast(${r.action} as text) as action,
      cast(${r.target} as text) as target, cast(${r.outcome} as text) as outcome, cast(${r.details} as text) as details,
      cast(${r.prev_hash} as text) as prev_hash, cast(${r.hash} as text) as hash`);
    try {
      const result = await sql`
        insert into audit_log (seq, at, actor_id, device_id, action, target, outcome, details, prev_hash, hash)
        select * from (${sql.join(selects, sql` union all `)}) as batch
        where coalesce((select max(seq) from audit_log), 0) = ${known.seq}`.execute(db);
      if (Number(result.numAffectedRows ?? 0) !== rows.length) return false;
    } catch (err) {
      if (isUniqueViolation(err)) return false; // another process took these seqs first
      throw err;
    }
    const tail = rows[rows.length - 1];
    if (tail) last = { seq: tail.seq, hash: tail.hash };
    return true;
  }

  async function writeLocked(batch: readonly AuditFields[]): Promise<void> {
    await db.transaction().execute(async (trx) => {
      if (dialect === 'postgres') {
        // The advisory lock, held to commit, serialises slow-path writers across processes.
        // Seqs are chosen here (max + 1), never by the identity default, so both paths agree.
        await sql`select pg_advisory_xact_lock(${PG_AUDIT_LOCK_KEY})`.execute(trx);
        const prev = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
        const rows = chain(batch, { seq: Number(prev?.seq ?? 0), hash: prev?.hash ?? GENESIS_HASH });
        await trx.insertInto('audit_log').values(rows).execute();
        const tail = rows[rows.length - 1];
        if (tail) last = { seq: tail.seq, hash: tail.hash };
        return;
      }
      // SQLite: the INSERT is the transaction's first statement, so it takes the database write
      // lock before we read the predecessor; the rest of the batch follows under that lock.
      const [first, ...rest] = batch;
      if (!first) return;
      const { seq } = await trx
        .insertInto('audit_log')
        .values({ ...first, prev_hash: '', hash: '' })
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
      const hash = entryHash(prevHash, { ...first, seq: Number(seq) });
      await trx.updateTable('audit_log').set({ prev_hash: prevHash, hash }).where('seq', '=', seq).execute();
      const rows = chain(rest, { seq: Number(seq), hash });
      if (rows.length > 0) await trx.insertInto('audit_log').values(rows).execute();
      const tail = rows[rows.length - 1];
      last = tail ? { seq: tail.seq, hash: tail.hash } : { seq: Number(seq), hash };
    });
  }

  async function writeChained(batch: readonly AuditFields[]): Promise<void> {
    if (last && (await writeFast(batch, last))) return;
    // PG: a slow-path write can still collide with another process's fast path on the seq.
    for (let attempt = 1; ; attempt++) {
      try {
        await writeLocked(batch);
        return;
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= 5) throw err;
      }
    }
  }

  async function write(batch: readonly AuditFields[]): Promise<void> {
    await writeChained(batch);
    await maybeCheckpoint();
  }

  // Group commit (server/db/batcher.ts): a failed batch is retried entry by entry.
  const appendQueued = createBatcher(async (batch: readonly AuditFields[]) => {
    await write(batch);
    return batch.map(() => undefined);
  });

  return {
    append(entry: AuditEntryInput): Promise<void> {
      const fields: AuditFields = {
        at: entry.at ?? now(),
        actor_id: entry.actorId,
        device_id: entry.deviceId,
        action: entry.action,
        target: entry.target,
        outcome: entry.outcome,
        details: canonicalJson(entry.details ?? {}),
      };
      return appendQueued(fields);
    },
  };
}

type AuditFields = Pick<AuditLogTable, 'at' | 'actor_id' | 'device_id' | 'action' | 'target' | 'outcome' | 'details'>;

/** A primary-key collision (PG 23505; SQLite SQLITE_CONSTRAINT_PRIMARYKEY). */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  /**
   * seq of the first entry whose link or hash does not match, that differs from a signed
   * checkpoint, or that is missing from the end; null when ok
   */
  firstBrokenSeq: number | null;
  /**
   * entries missing between two that link up: the chain was cut and writing went on from the
   * cut (seqs are gap-free as written, so a gap is always a deletion)
   */
  missingEntries?: { fromSeq: number; toSeq: number; count: number };
  /** entries a signed checkpoint covers that are missing from the end of the trail */
  missingTail?: { fromSeq: number; toSeq: number; count: number; checkpointAt: number };
  /** an entry whose hash differs from the one a checkpoint signed: the entries up to it were replaced */
  checkpointMismatch?: { seq: number; checkpointAt: number };
  /** seqs of stored checkpoints whose signature does not verify (edited or forged) */
  invalidCheckpoints?: number[];
  /** the newest checkpoint the trail was checked against */
  latestCheckpoint?: { seq: number; at: number };
}

export interface VerifyChainOptions {
  /** the server key checkpoints are verified with; by default the one stored in the database */
  keys?: ServerKeys;
  /** checkpoint JWSs kept outside the database (`audit-verify --anchor FILE`) */
  anchors?: readonly string[];
}

/**
 * Walks the whole chain in seq order, in pages, recomputing every hash, and checks it against
 * every signed checkpoint: the entry at a checkpoint's seq must exist with the signed hash.
 */
export async function verifyChain(db: Kysely<Database>, options: VerifyChainOptions = {}): Promise<ChainVerification> {
  const keys = options.keys ?? (await loadServerKeys(db));
  const checkpoints = await loadCheckpoints(db, keys, options.anchors);
  const pageSize = 2000;
  let prevHash = GENESIS_HASH;
  let afterSeq = 0;
  let checked = 0;
  let brokenSeq: number | null = null;
  let mismatch: ChainVerification['checkpointMismatch'];
  let gap: ChainVerification['missingEntries'];
  walk: for (;;) {
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
        brokenSeq = row.seq;
        break walk;
      }
      if (Number(row.seq) !== afterSeq + 1) {
        brokenSeq = afterSeq + 1;
        gap = { fromSeq: afterSeq + 1, toSeq: Number(row.seq) - 1, count: Number(row.seq) - 1 - afterSeq };
        break walk;
      }
      const differing = checkpoints.bySeq.get(Number(row.seq))?.find((cp) => cp.hash !== row.hash);
      if (differing) {
        brokenSeq = row.seq;
        mismatch = { seq: Number(row.seq), checkpointAt: differing.at };
        break walk;
      }
      prevHash = row.hash;
      afterSeq = Number(row.seq);
    }
    if (rows.length < pageSize) break;
  }

  const result: ChainVerification = { ok: true, checked, firstBrokenSeq: brokenSeq };
  if (mismatch) result.checkpointMismatch = mismatch;
  if (gap) result.missingEntries = gap;
  const newest = Math.max(0, ...checkpoints.bySeq.keys());
  if (newest > 0) {
    const at = Math.max(...checkpoints.bySeq.get(newest)!.map((cp) => cp.at));
    result.latestCheckpoint = { seq: newest, at };
    const head = await db.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    const headSeq = Number(head?.seq ?? 0);
    if (headSeq < newest) {
      result.missingTail = { fromSeq: headSeq + 1, toSeq: newest, count: newest - headSeq, checkpointAt: at };
      result.firstBrokenSeq ??= headSeq + 1;
    }
  }
  if (checkpoints.invalid.length > 0) {
    result.invalidCheckpoints = checkpoints.invalid;
    result.firstBrokenSeq ??= checkpoints.invalid[0]!;
  }
  result.ok = result.firstBrokenSeq === null;
  return result;
}
