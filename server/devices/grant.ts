// Scope grants and access tokens. A grant tells the device everything that shapes what it may
// hold offline (role, clearances, buckets, classification, lease); its scopeVersion is a hash of
// exactly those inputs, so it changes when — and only when — the user's scope changes.

import { createHash } from 'node:crypto';
import type { FieldClassification, Share, User } from '../../shared/domain/model';
import { subjectBuckets, type OrgTree, type Subject } from '../../shared/permissions/engine';
import { ACCESS_TOKEN_TTL_S, ACCESS_TYP, GRANT_TYP, ISSUER, type AccessClaims, type GrantClaims } from '../../shared/protocol/grant';
import { canonicalJson } from '../audit/chain';
import type { ServerContext } from '../context';
import { loadClassification, loadOrgTree, loadUnrevokedShares, loadUserUnits } from '../org/load';

const HOUR_MS = 3_600_000;

/** Everything scope depends on, loaded once and reused for many subjects (admin re-scoping). */
export interface ScopeInputs {
  tree: OrgTree;
  users: Pick<User, 'id' | 'unitId'>[];
  shares: Share[];
  classification: FieldClassification;
  now: number;
}

export async function loadScopeInputs(ctx: ServerContext): Promise<ScopeInputs> {
  const [tree, users, shares, classification] = await Promise.all([
    loadOrgTree(ctx.db),
    loadUserUnits(ctx.db),
    loadUnrevokedShares(ctx.db),
    loadClassification(ctx.db),
  ]);
  return { tree, users, shares, classification, now: ctx.now() };
}

export interface Scope {
  buckets: string[];
  scopeVersion: number;
}

export function computeScope(subject: Subject, inputs: ScopeInputs): Scope {
  const buckets = subjectBuckets(subject, inputs.tree, inputs.users, inputs.shares, inputs.now).sort();
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
    classification: inputs.classification,
  });
  // 48 bits of SHA-256: a non-negative safe integer, as grantClaimsSchema requires.
  const scopeVersion = createHash('sha256').update(shaping).digest().readUIntBE(0, 6);
  return { buckets, scopeVersion };
}

export async function issueGrant(
  ctx: ServerContext,
  subject: Subject,
  deviceId: string,
  inputs?: ScopeInputs,
): Promise<{ grant: string; claims: GrantClaims }> {
  const scopeInputs = inputs ?? (await loadScopeInputs(ctx));
  const { buckets, scopeVersion } = computeScope(subject, scopeInputs);
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
    classification: scopeInputs.classification,
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
