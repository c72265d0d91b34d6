// Pull: a paged delta over the bucketed change log (PowerSync / Couchbase Sync Gateway style).
// Only records in the user's current scope leave the server, projected to the user's read
// clearance, plus explicit removals — also for indirect causes, where the record did not change
// but the user's scope did. Each page is, in order:
//   1. on a scope transition (the user's current state differs from the cursor's base state):
//      droppedBuckets (buckets that left the set), fieldPurges (fields no longer readable) and a
//      fresh grant; then a BACKFILL of every current record of the buckets the client lacks
//      (all buckets when fields became readable, so the new fields arrive), paged by customer;
//   2. the change log after the cursor's seq, filtered to entries touching the client's buckets:
//      records still visible are upserted (current state, projected to the CURRENT clearance),
//      records no longer visible are removed ('deleted' / 'reassigned' / 'scope_changed').
// Records always travel as their current row, never as log payloads, so re-sending is harmless
// and ordering between backfill and log cannot resurrect stale data.
// See state.ts for how the device's state is committed only once the client acknowledged it.

import { sql, type Kysely } from 'kysely';
import { ENTITY_TYPES, type EntityType } from '../../shared/domain/model';
import { readableFields } from '../../shared/permissions/engine';
import type { PullRequest, PullResponse } from '../../shared/protocol/sync';
import type { Principal, ServerContext } from '../context';
import type { Database } from '../db/schema';
import { DomainError } from '../domain-error';
import { bucketTargets, scopeDataForRequest, subjectBucketSet, type ScopeData } from '../org/permission-scope';
import { backfillPage, changesFromLog, countBackfill, readLog } from './pull-pages';
import {
  EMPTY_STATE,
  entitiesOf,
  commitState,
  committedStateOf,
  decodeCursor,
  encodeCursor,
  parsePendingState,
  pendingKey,
  savePendingState,
  stateId,
  type PullCursor,
  type SyncState,
} from './state';
import { acknowledgementOf, startLedgerUpdate, type LedgerUpdate, type PendingPage } from '../exposure/ledger';
import { directoryUnits, ownerDirectory } from './directory';
import { entityRemovals, readableEntities } from './entity-removals';
import { VisibilityCache } from './visibility';

export interface PullDeps {
  /**
   * A freshly signed scope grant for the caller (devices/grant.ts), built from the snapshot and
   * bucket set this pull computed, so grant and response describe the same scope.
   */
  issueGrant(principal: Principal, scope: { data: ScopeData; buckets: string[] }): Promise<string>;
}

type Upsert = PullResponse['upserts'][number];
type Removal = PullResponse['removals'][number];

function readableUnder(entity: EntityType, state: SyncState): Set<string> {
  if (!state.clearance || !state.classification || !entitiesOf(state).includes(entity)) return new Set();
  return new Set(readableFields(entity, state.clearance, state.classification));
}

interface Transition {
  dropped: string[];
  purges: PullResponse['fieldPurges'];
  /** backfill every bucket of the target (fields became readable) or only the new ones */
  all: boolean;
  /** entity types the client may hold but the role no longer reads: each such record is removed */
  lostEntities: EntityType[];
  /** buckets the client holds and keeps (where those records are) */
  keptBuckets: string[];
}

/**
 * What must change on the client to go from `held` to `target`. `held` may be a union of two
 * states when a transition was interrupted by another scope change (the client holds something
 * between them); `surely` is what the client certainly holds completely.
 */
function planTransition(held: SyncState[], target: SyncState): Transition {
  const targetBuckets = new Set(target.buckets);
  const dropped = [...new Set(held.flatMap((s) => s.buckets))].filter((b) => !targetBuckets.has(b)).sort();
  const purges: PullResponse['fieldPurges'] = [];
  let all = false;
  for (const entity of ENTITY_TYPES) {
    const now = readableUnder(entity, target);
    const before = new Set(held.flatMap((s) => [...readableUnder(entity, s)]));
    const lost = [...before].filter((f) => !now.has(f));
    if (lost.length > 0) purges.push({ entity, fields: lost });
    // Fields readable now that some held state lacked: re-send everything so they arrive.
    const surelyHeld = held.filter((s) => s.clearance !== null);
    if (surelyHeld.some((s) => [...now].some((f) => !readableUnder(entity, s).has(f)))) all = true;
  }
  // An entity the role no longer reads (its read action was taken away, not its scope): the
  // buckets may be unchanged, so its records are removed one by one.
  const targetEntities = new Set(entitiesOf(target));
  const lostEntities = ENTITY_TYPES.filter((e) => !targetEntities.has(e) && held.some((s) => s.buckets.length > 0 && entitiesOf(s).includes(e)));
  const keptBuckets = [...new Set(held.flatMap((s) => s.buckets))].filter((b) => targetBuckets.has(b)).sort();
  return { dropped, purges, all, lostEntities, keptBuckets };
}

function backfillList(base: SyncState, target: SyncState, all: boolean): string[] {
  if (all) return target.buckets;
  const had = new Set(base.buckets);
  return target.buckets.filter((b) => !had.has(b));
}

async function maxSeq(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('change_log').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
  return row?.m === null || row?.m === undefined ? 0 : Number(row.m);
}

interface PullStart {
  /** the change log's head (0 when empty) */
  seqNow: number;
  /** the device's pending sync state (state.ts) */
  pending: SyncState | undefined;
  /** the device's pending exposure pages in n order; null when the ledger is off */
  pages: PendingPage[] | null;
}

/**
 * What every pull reads before it can decide anything — the change-log head, the device's pending
 * state and its pending exposure pages — in ONE statement: on PostgreSQL each statement is a round
 * trip and a pooled connection, and a delta pull under load is bound by those, not by work.
 */
async function readPullStart(ctx: ServerContext, deviceId: string, withPages: boolean): Promise<PullStart> {
  const pagesOf = ctx.dialect === 'postgres'
    ? sql<string>`(select cast(json_agg(json_build_array(n, page_key) order by n) as text) from exposure_pages where device_id = ${deviceId})`
    : sql<string>`(select json_group_array(json_array(n, page_key)) from (select n, page_key from exposure_pages where device_id = ${deviceId} order by n))`;
  const row = await ctx.db
    .selectNoFrom((eb) => [
      eb.selectFrom('change_log').select((e) => e.fn.max('seq').as('m')).as('head'),
      eb.selectFrom('meta').select('value').where('key', '=', pendingKey(deviceId)).as('pending'),
      (withPages ? pagesOf : sql<string>`null`).as('pages'),
    ])
    .executeTakeFirstOrThrow();
  const pages = withPages ? (JSON.parse(row.pages ?? '[]') as [number, string][]).map(([n, key]) => ({ n: Number(n), page_key: key })) : null;
  return { seqNow: row.head === null || row.head === undefined ? 0 : Number(row.head), pending: parsePendingState(row.pending), pages };
}

export async function pull(ctx: ServerContext, principal: Principal, request: PullRequest, deps: PullDeps): Promise<PullResponse> {
  const now = ctx.now();
  const { subject, device } = principal;
  // The snapshot the caller was authenticated against: one epoch check per request, not two.
  const data = await scopeDataForRequest(ctx.db, subject);
  const target: SyncState = {
    buckets: subjectBucketSet(subject, data, now),
    clearance: principal.role.readClearance,
    classification: data.classification,
    entities: readableEntities(principal.role),
  };
  const targetId = stateId(target);
  // The exposure ledger learns which pages the device's vault has stored (server/exposure/ledger.ts).
  const ledger = ctx.exposureLedger !== false;
  const { seqNow, pending, pages } = await readPullStart(ctx, device.id, ledger);

  // ---- which state does the client hold? ------------------------------------------------
  let cursor: PullCursor | undefined;
  if (request.cursor !== null) {
    cursor = decodeCursor(request.cursor);
    if (!cursor) throw new DomainError('validation_failed', 'body.cursor: not a cursor issued by this server; pull with cursor null');
  }
  const ack = pages ? acknowledgementOf(pages, request.cursor, request.applied) : null;
  const committed = committedStateOf(device);
  let base: SyncState;
  if (!cursor) base = EMPTY_STATE;
  else if (cursor.base === stateId(EMPTY_STATE)) base = EMPTY_STATE;
  else if (cursor.base === stateId(committed)) base = committed;
  else if (pending && cursor.base === stateId(pending)) {
    // The client presents a cursor built on the pending state: it has stored that response.
    await commitState(ctx.db, device.id, pending);
    base = pending;
  } else {
    throw new DomainError('conflict', 'the sync cursor refers to a scope this server no longer tracks; pull again with cursor null');
  }

  // ---- transition or continuation ---------------------------------------------------------
  let transition: Transition | undefined;
  let bf: PullCursor['bf'];
  let logSeq = cursor?.seq ?? seqNow;
  const tgtInCursor = cursor?.tgt;
  if (tgtInCursor !== undefined && tgtInCursor === targetId && cursor?.bf) {
    bf = cursor.bf;
  } else if (tgtInCursor !== undefined) {
    // The scope changed again mid-backfill: the client holds something between base and the old target.
    if (!pending || stateId(pending) !== tgtInCursor) {
      throw new DomainError('conflict', 'the scope changed twice during this sync; pull again with cursor null');
    }
    transition = planTransition([base, pending], target);
  } else if (stateId(base) !== targetId) {
    transition = planTransition([base], target);
  }
  if (transition) {
    if (stateId(base) === stateId(EMPTY_STATE)) logSeq = seqNow; // a fresh vault gets everything by backfill
    await savePendingState(ctx.db, device.id, target);
    const list = backfillList(base, target, transition.all);
    if (list.length > 0) {
      bf = { i: 0, after: null, total: await countBackfill(ctx.db, list, data), sent: 0, all: transition.all };
    }
  }

  // What the request acknowledges is replayed into the exposure ledger beside the page's reads
  // (on PostgreSQL; see startLedgerUpdate); the page itself is recorded once built.
  const ledgerUpdate: LedgerUpdate | null = ack ? startLedgerUpdate(ctx.db, ctx.dialect, device.id, ack, now) : null;
  try {
    const visibility = new VisibilityCache(subject, data, target.buckets, now);
    const upserts: Upsert[] = [];
    const removals: Removal[] = [];
    if (transition && transition.lostEntities.length > 0) {
      removals.push(...await entityRemovals(ctx.db, data, transition.keptBuckets, transition.lostEntities));
    }
    let budget = request.limit;
    let nextCursor: PullCursor;
    let hasMore = false;
    let remaining: number | undefined;

    if (bf) {
      const list = backfillList(base, target, bf.all);
      const page = await backfillPage(ctx.db, data, list, { i: bf.i, after: bf.after }, budget, visibility, target);
      upserts.push(...page.upserts);
      budget -= page.upserts.length;
      const sent = bf.sent + page.upserts.length;
      if (!page.done) {
        nextCursor = {
          v: 1, base: stateId(base), seq: logSeq, tgt: targetId,
          bf: { i: page.pos.i, after: page.pos.after, total: bf.total, sent, all: bf.all },
        };
        hasMore = true;
        remaining = Math.max(0, bf.total - sent);
      } else {
        nextCursor = { v: 1, base: targetId, seq: logSeq };
      }
    } else {
      nextCursor = { v: 1, base: targetId, seq: logSeq };
    }

    if (!hasMore && budget > 0) {
      const clientBuckets = [...new Set([...target.buckets, ...base.buckets, ...(pending?.buckets ?? [])])];
      const log = await readLog(ctx.db, logSeq, seqNow, bucketTargets(clientBuckets, data), budget);
      const changes = await changesFromLog(ctx.db, log.entries, visibility, target);
      upserts.push(...changes.upserts);
      removals.push(...changes.removals);
      nextCursor = { v: 1, base: targetId, seq: log.lastSeq };
      hasMore = log.hasMore;
      if (hasMore) remaining = Math.max(0, seqNow - log.lastSeq);
    } else if (!hasMore) {
      hasMore = seqNow > logSeq; // budget spent on the backfill's end: the log comes next page
    }

    const response: PullResponse = {
      droppedBuckets: transition?.dropped ?? [],
      fieldPurges: transition?.purges ?? [],
      upserts,
      removals,
      cursor: encodeCursor(nextCursor),
      hasMore,
      serverTime: now,
    };
    if (remaining !== undefined) response.remaining = remaining;
    if (transition) response.grant = await deps.issueGrant(principal, { data, buckets: target.buckets });
    const fullDirectory = request.cursor === null || transition !== undefined;
    const directory = await ownerDirectory(ctx.db, target.buckets, upserts, fullDirectory);
    if (directory.length > 0) response.directory = directory;
    if (fullDirectory) response.units = directoryUnits(data, target.buckets);

    if (ledgerUpdate) await ledgerUpdate.finish(request.cursor === null, response);

    await ctx.audit.append({
      actorId: principal.user.id,
      deviceId: device.id,
      action: 'sync.pull',
      target: null,
      outcome: 'ok',
      details: {
        records: upserts.length,
        removals: removals.length,
        droppedBuckets: response.droppedBuckets.length,
        fieldPurges: response.fieldPurges.reduce((n, p) => n + p.fields.length, 0),
        first: request.cursor === null,
      },
    });
    return response;
  } catch (err) {
    await ledgerUpdate?.abandon();
    throw err;
  }
}

// Exposed for the benchmark and tests that want to know the log head.
export { maxSeq as changeLogHead };
