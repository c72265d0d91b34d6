// Route authorization for alerts and reviews: the permission engine decides each action; a route
// that accepts any of several actions (e.g. audit.read OR review.conduct) asks it for each.
// Refusals are audited like the admin API's.

import type { AdminAction } from '../../shared/domain/model';
import { authorize } from '../../shared/permissions/engine';
import type { Actor } from '../admin/service';
import type { Principal, ServerContext } from '../context';
import { DomainError } from '../domain-error';
import { loadOrgTree } from '../org/load';

export async function requireAnyAction(
  ctx: ServerContext,
  principal: Principal,
  actions: readonly AdminAction[],
  routeName: string,
): Promise<Actor> {
  const tree = await loadOrgTree(ctx.db);
  const decisions = actions.map((action) => authorize(principal.subject, action, tree));
  if (!decisions.some((d) => d.allowed)) {
    await ctx.audit.append({
      actorId: principal.user.id, deviceId: principal.device.id, action: `access.${routeName}`, target: null,
      outcome: 'denied', details: { needsAnyOf: actions, reason: decisions[0]?.reason ?? 'no_action' },
    });
    throw new DomainError('forbidden', `this needs the ${actions.join(' or ')} permission`);
  }
  return { userId: principal.user.id, deviceId: principal.device.id };
}
