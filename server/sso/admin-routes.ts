// IT's admin API for identity providers, SCIM tokens and group rules. Managing who can sign in
// and how people are provisioned is user administration: every route needs admin.users.

import type { FastifyInstance } from 'fastify';
import { authorize } from '../../shared/permissions/engine';
import type { Actor } from '../admin/service';
import type { Principal, ServerContext } from '../context';
import { DomainError } from '../domain-error';
import { route } from '../http/route';
import { loadOrgTree } from '../org/load';
import { reapplyProviderRules } from '../scim/placement';
import {
  createGroupRule, createProvider, loadProviderRow, deleteGroupRule, listGroupRules, listProviders, revokeScimTokens, rotateScimToken,
  SCIM_BASE_PATH, updateProvider,
} from './providers';

async function requireUserAdmin(ctx: ServerContext, principal: Principal, routeName: string): Promise<Actor> {
  const decision = authorize(principal.subject, 'admin.users', await loadOrgTree(ctx.db));
  if (!decision.allowed) {
    await ctx.audit.append({
      actorId: principal.user.id, deviceId: principal.device.id, action: `admin.${routeName}`, target: null,
      outcome: 'denied', details: { needs: 'admin.users', reason: decision.reason ?? 'no_action' },
    });
    throw new DomainError('forbidden', 'this needs the admin.users permission');
  }
  return { userId: principal.user.id, deviceId: principal.device.id };
}

export function registerIdentityProviderAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, 'listIdentityProviders', async ({ principal }) => {
    await requireUserAdmin(ctx, principal, 'listIdentityProviders');
    return { providers: await listProviders(ctx) };
  });

  route(app, ctx, 'createIdentityProvider', async ({ principal, body }) => {
    const actor = await requireUserAdmin(ctx, principal, 'createIdentityProvider');
    return { provider: await createProvider(ctx, body, actor) };
  });

  route(app, ctx, 'updateIdentityProvider', async ({ principal, body, params }) => {
    const actor = await requireUserAdmin(ctx, principal, 'updateIdentityProvider');
    return { provider: await updateProvider(ctx, params.id!, body, actor) };
  });

  route(app, ctx, 'rotateScimToken', async ({ principal, params }) => {
    const actor = await requireUserAdmin(ctx, principal, 'rotateScimToken');
    const { token, hint } = await rotateScimToken(ctx, params.id!, actor);
    return { token, hint, scimBaseUrlPath: SCIM_BASE_PATH };
  });

  route(app, ctx, 'revokeScimToken', async ({ principal, params }) => {
    const actor = await requireUserAdmin(ctx, principal, 'revokeScimToken');
    return { revoked: await revokeScimTokens(ctx, params.id!, actor) };
  });

  route(app, ctx, 'listGroupRules', async ({ principal, params }) => {
    await requireUserAdmin(ctx, principal, 'listGroupRules');
    return { rules: await listGroupRules(ctx, params.id!) };
  });

  route(app, ctx, 'createGroupRule', async ({ principal, params, body }) => {
    const actor = await requireUserAdmin(ctx, principal, 'createGroupRule');
    const rule = await createGroupRule(ctx, params.id!, body, actor);
    // People already in the group move now, not at the provider's next push.
    await reapplyProviderRules(ctx, await loadProviderRow(ctx, params.id!));
    return { rule };
  });

  route(app, ctx, 'deleteGroupRule', async ({ principal, params }) => {
    const actor = await requireUserAdmin(ctx, principal, 'deleteGroupRule');
    await deleteGroupRule(ctx, params.id!, params.ruleId!, actor);
    await reapplyProviderRules(ctx, await loadProviderRow(ctx, params.id!));
    return { ok: true as const };
  });
}
