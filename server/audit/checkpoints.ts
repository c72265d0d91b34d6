// Signed audit checkpoints: the hash chain (./chain.ts) detects an edited or removed entry in
// the middle, but not the newest entries removed from the end — the shorter chain is still a
// valid chain. So the server signs the chain head (seq, hash, time) with its Ed25519 key (a JWS,
// like grants and wipe directives) at intervals and at every `audit-verify`, and stores it in
// its own table. Verification then requires every checkpoint to be covered: the entry at the
// checkpoint's seq must exist and carry the signed hash. Entries deleted after a checkpoint
// show as a missing tail; a tail deleted and re-written shows as a hash that differs.
//
// What this does NOT detect on its own: someone with write access to the database who deletes
// the newest entries AND every checkpoint that covered them (the trail then looks like it
// ended at an older checkpoint). Against that, checkpoints must also live outside the
// database: `audit-verify` prints each new checkpoint (for the operator's log) and, with
// `--anchor FILE`, appends it to a file kept elsewhere and checks the database against every
// checkpoint in that file. Entries written after the newest checkpoint (at most
// CHECKPOINT_EVERY_ENTRIES, or CHECKPOINT_EVERY_MS of activity) are not covered by any.

import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { Kysely } from 'kysely';
import { ISSUER } from '../../shared/protocol/grant';
import type { ServerKeys } from '../context';
import type { Database } from '../db/schema';

export const CHECKPOINT_TYP = 'sv-audit-checkpoint+jwt';
/** A checkpoint is signed after this many entries written by one process... */
export const CHECKPOINT_EVERY_ENTRIES = 100;
/** ...or at the first write after this long without one. */
export const CHECKPOINT_EVERY_MS = 5 * 60_000;

export interface Checkpoint {
  seq: number;
  hash: string;
  /** epoch ms when it was signed */
  at: number;
  jws: string;
}

interface CheckpointClaims {
  iss: string;
  seq: number;
  hash: string;
  at: number;
  iat: number;
  [claim: string]: unknown;
}

/** Signs (seq, hash) as the chain head at `at` and stores it; an existing checkpoint of that seq is kept. */
export async function writeCheckpoint(
  db: Kysely<Database>,
  keys: ServerKeys,
  head: { seq: number; hash: string },
  at: number,
): Promise<Checkpoint> {
  const claims: CheckpointClaims = { iss: ISSUER, seq: head.seq, hash: head.hash, at, iat: Math.floor(at / 1000) };
  const jws = await keys.sign(claims, CHECKPOINT_TYP);
  await db
    .insertInto('audit_checkpoints')
    .values({ seq: head.seq, hash: head.hash, at, jws })
    .onConflict((oc) => oc.column('seq').doNothing())
    .execute();
  return { seq: head.seq, hash: head.hash, at, jws };
}

/** Checkpoints the newest entry now in the table (null when the trail is empty). */
export async function checkpointHead(db: Kysely<Database>, keys: ServerKeys, at: number): Promise<Checkpoint | null> {
  const head = await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return head ? writeCheckpoint(db, keys, { seq: Number(head.seq), hash: head.hash }, at) : null;
}

/**
 * The claims of a checkpoint JWS signed by `keys`, or null when it is not one. Verified directly,
 * not through the token cache of ../keys.ts: thousands of checkpoints must not evict the access
 * tokens that cache exists for.
 */
export async function readCheckpointJws(keys: ServerKeys, jws: string): Promise<Omit<Checkpoint, 'jws'> | null> {
  try {
    const key = createPublicKey({ key: keys.publicJwk as never, format: 'jwk' });
    // No expiry: a checkpoint stays valid evidence for as long as the trail is kept.
    const { payload } = await jwtVerify(jws, key, { algorithms: ['EdDSA'], typ: CHECKPOINT_TYP, issuer: ISSUER });
    const { seq, hash, at } = payload as Partial<CheckpointClaims>;
    if (!Number.isSafeInteger(seq) || typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash) || !Number.isSafeInteger(at)) return null;
    return { seq: seq!, hash, at: at! };
  } catch {
    return null;
  }
}

export interface CheckpointSet {
  /** valid checkpoints by seq (database rows and anchors); the same seq may be signed more than once */
  bySeq: Map<number, Omit<Checkpoint, 'jws'>[]>;
  /** seqs of database rows whose signature or fields do not verify */
  invalid: number[];
}

/** Loads the stored checkpoints plus `anchors` (JWS strings kept outside the database), verified. */
export async function loadCheckpoints(db: Kysely<Database>, keys: ServerKeys | undefined, anchors: readonly string[] = []): Promise<CheckpointSet> {
  const rows = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
  const bySeq = new Map<number, Omit<Checkpoint, 'jws'>[]>();
  const invalid: number[] = [];
  const add = (cp: Omit<Checkpoint, 'jws'>) => bySeq.set(cp.seq, [...(bySeq.get(cp.seq) ?? []), cp]);
  for (const row of rows) {
    const claims = keys ? await readCheckpointJws(keys, row.jws) : null;
    // The row's own columns must say what was signed (they are what an admin would look at).
    if (!claims || claims.seq !== Number(row.seq) || claims.hash !== row.hash || claims.at !== Number(row.at)) {
      invalid.push(Number(row.seq));
      continue;
    }
    add(claims);
  }
  for (const jws of anchors) {
    const claims = keys ? await readCheckpointJws(keys, jws) : null;
    if (!claims) throw new AnchorInvalidError();
    add(claims);
  }
  return { bySeq, invalid };
}

export class AnchorInvalidError extends Error {
  constructor() {
    super('an anchored checkpoint does not verify with the server key');
    this.name = 'AnchorInvalidError';
  }
}
