// IT's configuration of identity providers, their SCIM bearer tokens and group → role rules.
// Shared by the admin API (./admin-routes.ts) and the CLI (./cli.ts); callers authorize first.
// Every change is audited.
//
// Separation of duties: a group rule that would give an administering role (admin.*, audit.read,
// review.conduct) is refused unless IT sets `allowAdminRole` on that rule; the SCIM token itself
// can never create or change rules, so an identity provider cannot grant administration on its own.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { Role } from '../../shared/domain/model';
import type { GroupRuleView, IdentityProviderView, providerInputSchema } from '../../shared/protocol/sso';
import type { Actor } from '../admin/service';
import { assertRoleExists, assertUnitsExist } from '../admin/service';
import type { ServerContext } from '../context';
import { rowToRole } from '../db/mappers';
import { DomainError } from '../domain-error';
import { identityDb, type IdentityProvidersTable, type ScimGroupRulesTable } from './tables';

export type ProviderInput = z.output<typeof providerInputSchema>;

export const SCIM_BASE_PATH = '/scim/v2';

/** Actions that make a role an administering one. */
export function isAdministeringRole(role: Pick<Role, 'actions'>): boolean {
  return role.actions.some((a) => a.startsWith('admin.') || a === 'audit.read' || a === 'review.conduct');
}

export const scimTokenDigest = (token: string): string => createHash('sha256').update(token).digest('base64url');

function toView(row: Selectable<IdentityProvidersTable>, token: { hint: string; created_at: number } | undefined): IdentityProviderView {
  return {
    id: row.id,
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    scopes: JSON.parse(row.scopes) as string[],
    usernameClaim: row.username_claim,
    trustMfa: row.trust_mfa === 1,
    mfaValues: JSON.parse(row.mfa_values) as string[],
    passwordRoleIds: row.password_role_ids === null ? null : (JSON.parse(row.password_role_ids) as string[]),
    defaultUnitId: row.default_unit_id,
    enabled: row.enabled === 1,
    scimTokenHint: token ? `…${token.hint}` : null,
    scimTokenCreatedAt: token?.created_at ?? null,
  };
}

function ruleView(row: Selectable<ScimGroupRulesTable>): GroupRuleView {
  return {
    id: row.id, providerId: row.provider_id, groupName: row.group_name, roleId: row.role_id, unitId: row.unit_id,
    priority: row.priority, allowAdminRole: row.allow_admin_role === 1,
  };
}

/** Issuer URLs compare without a trailing slash: `https://x/` and `https://x` are one provider. */
export function normaliseIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

export async function loadProviderRow(ctx: ServerContext, id: string): Promise<Selectable<IdentityProvidersTable>> {
  const row = await identityDb(ctx.db).selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not_found', `no identity provider ${id}`);
  return row;
}

export async function listProviders(ctx: ServerContext): Promise<IdentityProviderView[]> {
  const db = identityDb(ctx.db);
  const rows = await db.selectFrom('identity_providers').selectAll().orderBy('name').execute();
  const tokens = await db.selectFrom('scim_tokens').select(['provider_id', 'hint', 'created_at']).where('revoked_at', 'is', null).execute();
  const byProvider = new Map(tokens.map((t) => [t.provider_id, t]));
  return rows.map((r) => toView(r, byProvider.get(r.id)));
}

async function viewOf(ctx: ServerContext, id: string): Promise<IdentityProviderView> {
  const found = (await listProviders(ctx)).find((p) => p.id === id);
  if (!found) throw new DomainError('not_found', `no identity provider ${id}`);
  return found;
}

async function checkReferences(ctx: ServerContext, input: Partial<ProviderInput>): Promise<void> {
  if (input.defaultUnitId !== undefined) await assertUnitsExist(ctx, [input.defaultUnitId], 'defaultUnitId');
  for (const roleId of input.passwordRoleIds ?? []) await assertRoleExists(ctx, roleId);
  if (input.scopes && !input.scopes.includes('openid')) {
    throw new DomainError('validation_failed', 'scopes: must include openid');
  }
}

export async function createProvider(ctx: ServerContext, input: ProviderInput, actor: Actor): Promise<IdentityProviderView> {
  await checkReferences(ctx, input);
  const db = identityDb(ctx.db);
  const issuer = normaliseIssuer(input.issuer);
  const taken = await db.selectFrom('identity_providers').select('id').where('issuer', '=', issuer).executeTakeFirst();
  if (taken) throw new DomainError('conflict', `a provider with issuer ${issuer} exists`);
  const now = ctx.now();
  const id = `idp-${randomUUID()}`;
  await db.insertInto('identity_providers').values({
    id, name: input.name, issuer, client_id: input.clientId, scopes: JSON.stringify(input.scopes),
    username_claim: input.usernameClaim, trust_mfa: input.trustMfa ? 1 : 0, mfa_values: JSON.stringify(input.mfaValues),
    password_role_ids: input.passwordRoleIds === null ? null : JSON.stringify(input.passwordRoleIds),
    default_unit_id: input.defaultUnitId, enabled: input.enabled ? 1 : 0, created_at: now, updated_at: now,
  }).execute();
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.idp.create', target: id, outcome: 'ok',
    details: { name: input.name, issuer, clientId: input.clientId, trustMfa: input.trustMfa, passwordRoleIds: input.passwordRoleIds },
  });
  return viewOf(ctx, id);
}

export async function updateProvider(ctx: ServerContext, id: string, input: Partial<ProviderInput>, actor: Actor): Promise<IdentityProviderView> {
  await loadProviderRow(ctx, id);
  await checkReferences(ctx, input);
  const db = identityDb(ctx.db);
  const changes: Partial<Selectable<IdentityProvidersTable>> = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.issuer !== undefined ? { issuer: normaliseIssuer(input.issuer) } : {}),
    ...(input.clientId !== undefined ? { client_id: input.clientId } : {}),
    ...(input.scopes !== undefined ? { scopes: JSON.stringify(input.scopes) } : {}),
    ...(input.usernameClaim !== undefined ? { username_claim: input.usernameClaim } : {}),
    ...(input.trustMfa !== undefined ? { trust_mfa: input.trustMfa ? 1 : 0 } : {}),
    ...(input.mfaValues !== undefined ? { mfa_values: JSON.stringify(input.mfaValues) } : {}),
    ...(input.passwordRoleIds !== undefined
      ? { password_role_ids: input.passwordRoleIds === null ? null : JSON.stringify(input.passwordRoleIds) }
      : {}),
    ...(input.defaultUnitId !== undefined ? { default_unit_id: input.defaultUnitId } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
  };
  if (changes.issuer) {
    const taken = await db.selectFrom('identity_providers').select('id').where('issuer', '=', changes.issuer).where('id', '!=', id).executeTakeFirst();
    if (taken) throw new DomainError('conflict', `a provider with issuer ${changes.issuer} exists`);
  }
  await db.updateTable('identity_providers').set({ ...changes, updated_at: ctx.now() }).where('id', '=', id).execute();
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.idp.update', target: id, outcome: 'ok', details: { changes: input },
  });
  return viewOf(ctx, id);
}

/** A new SCIM bearer token for the provider; every earlier token of it stops working now. */
export async function rotateScimToken(ctx: ServerContext, providerId: string, actor: Actor): Promise<{ token: string; hint: string }> {
  await loadProviderRow(ctx, providerId);
  const db = identityDb(ctx.db);
  const token = `svscim_${randomBytes(32).toString('base64url')}`;
  const hint = token.slice(-4);
  const now = ctx.now();
  const revoked = await db.updateTable('scim_tokens').set({ revoked_at: now })
    .where('provider_id', '=', providerId).where('revoked_at', 'is', null).executeTakeFirst();
  await db.insertInto('scim_tokens').values({
    id: randomUUID(), provider_id: providerId, token_hash: scimTokenDigest(token), hint, created_at: now, revoked_at: null,
  }).execute();
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.idp.scim_token_rotate', target: providerId, outcome: 'ok',
    details: { hint, revokedPrevious: Number(revoked.numUpdatedRows) },
  });
  return { token, hint };
}

export async function revokeScimTokens(ctx: ServerContext, providerId: string, actor: Actor): Promise<number> {
  await loadProviderRow(ctx, providerId);
  const result = await identityDb(ctx.db).updateTable('scim_tokens').set({ revoked_at: ctx.now() })
    .where('provider_id', '=', providerId).where('revoked_at', 'is', null).executeTakeFirst();
  const revoked = Number(result.numUpdatedRows);
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.idp.scim_token_revoke', target: providerId, outcome: 'ok',
    details: { revoked },
  });
  return revoked;
}

export async function listGroupRules(ctx: ServerContext, providerId: string): Promise<GroupRuleView[]> {
  await loadProviderRow(ctx, providerId);
  const rows = await identityDb(ctx.db).selectFrom('scim_group_rules').selectAll()
    .where('provider_id', '=', providerId).orderBy('priority').orderBy('group_name').execute();
  return rows.map(ruleView);
}

export interface GroupRuleInput {
  groupName: string;
  roleId: string;
  unitId: string;
  priority: number;
  allowAdminRole: boolean;
}

export async function createGroupRule(ctx: ServerContext, providerId: string, input: GroupRuleInput, actor: Actor): Promise<GroupRuleView> {
  await loadProviderRow(ctx, providerId);
  await assertUnitsExist(ctx, [input.unitId], 'unitId');
  const roleRow = await ctx.db.selectFrom('roles').selectAll().where('id', '=', input.roleId).executeTakeFirst();
  if (!roleRow) throw new DomainError('validation_failed', `roleId: unknown role ${input.roleId}`);
  if (isAdministeringRole(rowToRole(roleRow)) && !input.allowAdminRole) {
    await ctx.audit.append({
      actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.idp.group_rule_create', target: providerId, outcome: 'denied',
      details: { groupName: input.groupName, roleId: input.roleId, reason: 'administering_role_not_allowed' },
    });
    throw new DomainError('forbidden',
      `role ${roleRow.name} administers access: a group may map to it only when allowAdminRole is set explicitly`);
  }
  const row = {
    id: `rule-${randomUUID()}`, provider_id: providerId, group_name: input.groupName, role_id: input.roleId,
    unit_id: input.unitId, priority: input.priority, allow_admin_role: input.allowAdminRole ? 1 : 0, created_at: ctx.now(),
  };
  await identityDb(ctx.db).insertInto('scim_group_rules').values(row).execute();
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.idp.group_rule_create', target: row.id, outcome: 'ok',
    details: { providerId, groupName: input.groupName, roleId: input.roleId, unitId: input.unitId, allowAdminRole: input.allowAdminRole },
  });
  return ruleView(row);
}

export async function deleteGroupRule(ctx: ServerContext, providerId: string, ruleId: string, actor: Actor): Promise<void> {
  const result = await identityDb(ctx.db).deleteFrom('scim_group_rules')
    .where('id', '=', ruleId).where('provider_id', '=', providerId).executeTakeFirst();
  if (Number(result.numDeletedRows) !== 1) throw new DomainError('not_found', `no group rule ${ruleId}`);
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.idp.group_rule_delete', target: ruleId, outcome: 'ok',
    details: { providerId },
  });
}
