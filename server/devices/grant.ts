// Scope grants and access tokens. A grant tells the device everything that shapes what it may
// hold offline (role, clearances, buckets, classification, lease); its scopeVersion is a hash of
// exactly those inputs, so it changes when — and only when — the user's scope changes.
// The inputs and the bucket set come from the permission scope (server/org/permission-scope.ts);
// a caller that already computed the bucket set (pull) hands it in instead of having it redone.

import { createHash } from 'node:crypto';
import type { Subject } from '../../shared/permissions/engine';
import { ACCESS_TOKEN_TTL_S, ACCESS_TYP, GRANT_TYP, ISSUER, type AccessClaims, type GrantClaims } from '../../shared/protocol/grant';
import { canonicalJson } from '../audit/chain';
import type { ServerContext } from '../context';
import { scopeDataForRequest, subjectBucketSet, type ScopeData } from '../org/permission-scope';

const HOUR_MS = 3_600_000;

export interface Scope {
  buckets: string[];
  scopeVersion: number;
}

/** What a grant is computed from: the permission scope snapshot and the subject's bucket set in it. */
export interface GrantScope {
  data: ScopeData;
  /** subjectBucketSet(subject, data, now), sorted */
  buckets: string[];
}

export function computeScope(subject: Subject, scope: GrantScope): Scope {
  const { buckets } = scope;
  const { role, user } = subject;
  const shaping = canonicalJson({
    actions: [...role.actions].sort(),
    dataScope: role.dataScope,
    readClearance: role.readClearance,
    writeClearance: role.writeClearance,
    offline: role.offline,
    roleId: role.id,
    unitId: user.unitId,
    managedUnitIds: [...user.managedUnitIds].sort(),
    status: user.status,
    buckets,
    classification: scope.data.classification,
  });
  // 48 bits of SHA-256: a non-negative safe integer, as grantClaimsSchema requires.
  const scopeVersion = createHash('sha256').update(shaping).digest().readUIntBE(0, 6);
  return { buckets, scopeVersion };
}

/** The grant scope of `subject` now, from the snapshot it was authenticated with (or the current one). */
export async function grantScopeOf(ctx: ServerContext, subject: Subject): Promise<GrantScope> {
  const data = await scopeDataForRequest(ctx.db, subject);
  return { data, buckets: subjectBucketSet(subject, data, ctx.now()) };
}

export async function issueGrant(
  ctx: ServerContext,
  subject: Subject,
  deviceId: string,
  scope?: GrantScope,
): Promise<{ grant: string; claims: GrantClaims }> {
  const grantScope = scope ?? (await grantScopeOf(ctx, subject));
  const { buckets, scopeVersion } = computeScope(subject, grantScope);
  const now = ctx.now();
  const { user, role } = subject;
  const claims: GrantClaims = {
    iss: ISSUER,
    sub: user.id,
    did: deviceId,
    username: user.username,
    displayName: user.displayName,
    unitId: user.unitId,
    role: { id: role.id, key: role.key, name: role.name },
    actions: role.actions,
    dataScope: role.dataScope,
    readClearance: role.readClearance,
    writeClearance: role.writeClearance,
    offline: role.offline,
    buckets,
    scopeVersion,
    classification: grantScope.data.classification,
    iat: Math.floor(now / 1000),
    leaseUntil: now + role.offline.leaseHours * HOUR_MS,
    wipeAfter: now + role.offline.wipeAfterHours * HOUR_MS,
  };
  return { grant: await ctx.keys.sign(claims, GRANT_TYP), claims };
}

export async function issueAccessToken(
  ctx: ServerContext,
  userId: string,
  deviceId: string,
): Promise<{ accessToken: string; accessExpiresAt: number }> {
  const iat = Math.floor(ctx.now() / 1000);
  const claims: AccessClaims = { iss: ISSUER, sub: userId, did: deviceId, iat, exp: iat + ACCESS_TOKEN_TTL_S };
  return { accessToken: await ctx.keys.sign(claims, ACCESS_TYP), accessExpiresAt: claims.exp * 1000 };
}
