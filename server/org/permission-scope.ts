// The permission scope: everything the permission engine needs to decide what a user may see
// and hold, loaded in one go — the org tree, every user's unit (to find owners inside a scope),
// all shares, the field classification and every user's subject (user + role). The loaders are
// ./load.ts; this module caches, indexes and answers from them, and it is the ONE place a
// subject's bucket set is computed (pull, grant issuing, admin re-scoping and the event
// stream's interest all ask `subjectBucketSet`).
// The bundle is cached per database handle and reused while `meta.scope_epoch` is unchanged:
// database triggers (migration 0004) bump it in the same transaction as any change to these
// inputs, so one cheap read per request keeps every process, on either database, current.
// Share expiry needs no invalidation: the engine judges it against `now` on every decision.

import type { Kysely } from 'kysely';
import type { FieldClassification, Share, User } from '../../shared/domain/model';
import { isShareActive, subjectBuckets, type OrgTree, type RecordScope, type Subject } from '../../shared/permissions/engine';
import type { Database } from '../db/schema';
import { rowToShare } from '../db/mappers';
import { SCOPE_EPOCH_KEY } from '../db/migrations/0004_sync_performance';
import { loadClassification, loadOrgTree, loadSubjects, loadUserUnits } from './load';

export interface ScopeData {
  tree: OrgTree;
  users: Pick<User, 'id' | 'unitId'>[];
  unitOfUser: ReadonlyMap<string, string>;
  /** Every share, revoked and expired ones included (a device may still hold their bucket). */
  shares: Share[];
  sharesByCustomer: ReadonlyMap<string, Share[]>;
  sharesById: ReadonlyMap<string, Share>;
  classification: FieldClassification;
  /** Every user's subject (user + role), for request authentication. */
  subjects: ReadonlyMap<string, Subject>;
}

interface CachedScopeData {
  epoch: string;
  data: Promise<ScopeData>;
}

// Keyed by the Kysely handle: each server (and each test database) has its own.
const scopeDataCache = new WeakMap<Kysely<Database>, CachedScopeData>();

/** The current scope epoch (a counter bumped by triggers; see migration 0004). */
export async function readScopeEpoch(db: Kysely<Database>): Promise<string> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', SCOPE_EPOCH_KEY).executeTakeFirst();
  if (!row) throw new Error('meta.scope_epoch is missing: the database is not migrated to 0004');
  return row.value;
}

/**
 * The permission inputs, from the cache when no scope change was committed since they were
 * loaded. Callers must treat the result as read-only: it is shared between requests.
 * `knownEpoch`: the epoch the caller has just read itself, in a statement of its own that also
 * fetched something else (request authentication reads it with the device row: one round trip).
 */
export async function loadScopeData(db: Kysely<Database>, knownEpoch?: string): Promise<ScopeData> {
  // The epoch is read BEFORE the data: a change committed in between makes the cached copy
  // newer than its epoch claims, which only costs one extra reload, never a stale answer.
  const epoch = knownEpoch ?? await readScopeEpoch(db);
  const cached = scopeDataCache.get(db);
  if (cached && cached.epoch === epoch) return cached.data;
  // Concurrent requests after a change share one load (the promise is cached, not the result).
  const data = readScopeData(db);
  const entry = { epoch, data };
  scopeDataCache.set(db, entry);
  data.catch(() => {
    if (scopeDataCache.get(db) === entry) scopeDataCache.delete(db); // never cache a failure
  });
  return data;
}

async function readScopeData(db: Kysely<Database>): Promise<ScopeData> {
  const [tree, users, shareRows, classification, subjects] = await Promise.all([
    loadOrgTree(db),
    loadUserUnits(db),
    db.selectFrom('shares').selectAll().execute(),
    loadClassification(db),
    loadSubjects(db),
  ]);
  const shares = shareRows.map(rowToShare);
  const sharesByCustomer = new Map<string, Share[]>();
  for (const share of shares) {
    const list = sharesByCustomer.get(share.customerId);
    if (list) list.push(share);
    else sharesByCustomer.set(share.customerId, [share]);
  }
  const data: ScopeData = {
    tree,
    users,
    unitOfUser: new Map(users.map((u) => [u.id, u.unitId])),
    shares,
    sharesByCustomer,
    sharesById: new Map(shares.map((s) => [s.id, s])),
    classification,
    subjects,
  };
  for (const subject of subjects.values()) snapshotOfSubject.set(subject, data);
  return data;
}

// The snapshot each cached subject came from, so a request authenticated with it can reuse
// that snapshot instead of re-checking the epoch (it is current as of the request's start).
const snapshotOfSubject = new WeakMap<Subject, ScopeData>();

/** The scope data `subject` was resolved from during authentication, else the current one. */
export async function scopeDataForRequest(db: Kysely<Database>, subject: Subject): Promise<ScopeData> {
  return snapshotOfSubject.get(subject) ?? loadScopeData(db);
}

/**
 * A user's subject as of the current scope epoch (user rows' identity, placement, role and
 * status columns and all of roles bump the epoch, so this is as fresh as a direct read).
 */
export async function currentSubject(db: Kysely<Database>, userId: string, knownEpoch?: string): Promise<Subject | undefined> {
  return (await loadScopeData(db, knownEpoch)).subjects.get(userId);
}

/** The engine's view of a customer (child records use their customer's). */
export function recordScopeOf(data: ScopeData, customerId: string, ownerId: string): RecordScope {
  // An owner missing from the users table has no unit: '' matches no scope unit.
  return { customerId, ownerId, ownerUnitId: data.unitOfUser.get(ownerId) ?? '' };
}

export function sharesOf(data: ScopeData, customerId: string): Share[] {
  return data.sharesByCustomer.get(customerId) ?? [];
}

/** Shares of a customer still in force at `now` (the input recordBuckets expects). */
export function activeSharesOf(data: ScopeData, customerId: string, now: number): Share[] {
  return sharesOf(data, customerId).filter((s) => isShareActive(s, now));
}

/**
 * The subject's bucket set (sorted): every owner bucket its data scope covers plus the buckets
 * of active shares that reach it. A deactivated user or a 'none' scope has no buckets.
 */
export function subjectBucketSet(subject: Subject, data: ScopeData, now: number): string[] {
  return subjectBuckets(subject, data.tree, data.users, data.shares, now).sort();
}

/** Owner ids and shared customer ids behind a bucket list (for SQL filters). */
export function bucketTargets(buckets: readonly string[], data: ScopeData): { owners: string[]; customers: string[] } {
  const owners: string[] = [];
  const customers = new Set<string>();
  for (const b of buckets) {
    if (b.startsWith('o:')) owners.push(b.slice(2));
    else if (b.startsWith('s:')) {
      const share = data.sharesById.get(b.slice(2));
      if (share) customers.add(share.customerId);
    }
  }
  return { owners, customers: [...customers] };
}
