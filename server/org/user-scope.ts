// A user's scope (bucket set and scope version), computed at most once per permission snapshot.
// The snapshot (server/org/permission-scope.ts) is replaced whenever `meta.scope_epoch` moves, so
// a result kept beside it is current exactly as long as the snapshot is — with one exception:
// share expiry is judged against the clock, not the epoch. The kept results are therefore also
// dropped once the earliest expiry of a share that was in force when they were computed passes.
// Event streams (their interest), admin re-scoping (before/after versions) and anything else that
// asks for many users' scopes at once share these results instead of each redoing them.

import { isShareActive } from '../../shared/permissions/engine';
import { computeScope } from '../devices/grant';
import { subjectBucketSet, type ScopeData } from './permission-scope';

interface Kept {
  /** epoch ms when a share in force at computation time expires (Infinity: none does) */
  validUntil: number;
  buckets: Map<string, string[]>;
  versions: Map<string, number>;
}

const keptBySnapshot = new WeakMap<ScopeData, Kept>();

function keptFor(data: ScopeData, now: number): Kept {
  const kept = keptBySnapshot.get(data);
  if (kept && now < kept.validUntil) return kept;
  let validUntil = Number.POSITIVE_INFINITY;
  for (const share of data.shares) {
    if (share.expiresAt !== null && isShareActive(share, now)) validUntil = Math.min(validUntil, share.expiresAt);
  }
  const fresh: Kept = { validUntil, buckets: new Map(), versions: new Map() };
  keptBySnapshot.set(data, fresh);
  return fresh;
}

/** The user's bucket set (sorted) in `data` at `now`, or undefined for an unknown user. Read-only. */
export function bucketsOfUser(data: ScopeData, userId: string, now: number): readonly string[] | undefined {
  const subject = data.subjects.get(userId);
  if (!subject) return undefined;
  const kept = keptFor(data, now);
  let buckets = kept.buckets.get(userId);
  if (!buckets) {
    buckets = subjectBucketSet(subject, data, now);
    kept.buckets.set(userId, buckets);
  }
  return buckets;
}

/** The user's scope version in `data` at `now` (what a grant issued now would carry), or undefined. */
export function scopeVersionOfUser(data: ScopeData, userId: string, now: number): number | undefined {
  const subject = data.subjects.get(userId);
  if (!subject) return undefined;
  const kept = keptFor(data, now);
  let version = kept.versions.get(userId);
  if (version === undefined) {
    // computeScope only reads the bucket list (it hashes it).
    const buckets = bucketsOfUser(data, userId, now) as string[];
    version = computeScope(subject, { data, buckets }).scopeVersion;
    kept.versions.set(userId, version);
  }
  return version;
}
