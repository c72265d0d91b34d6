// Where a provisioned user sits: the group → role + unit rules IT defined for the provider,
// applied to the groups the provider says the user is in. Lowest priority number wins; a user in
// no mapped group holds the no-access role in the provider's default unit. A rule whose role
// administers access (admin.*, audit.read, review.conduct) applies only when IT allowed it on
// that rule — also if the role was edited into an administering one after the rule was made.
// Changes run through the admin re-scope path, so affected devices are told to pull like after
// an admin's edit.

import type { Selectable } from 'kysely';
import { withRescope } from '../admin/rescope';
import type { ServerContext } from '../context';
import { rowToRole } from '../db/mappers';
import { SSO_PENDING_ROLE_ID } from '../db/migrations/0008_identity_providers';
import { isAdministeringRole } from '../sso/providers';
import { identityDb, type IdentityProvidersTable } from '../sso/tables';

export interface Placement {
  roleId: string;
  unitId: string;
  ruleId: string | null;
}

async function placementsFor(
  ctx: ServerContext,
  provider: Selectable<IdentityProvidersTable>,
  userIds: readonly string[],
): Promise<{ placements: Map<string, Placement>; refused: { userId: string; ruleId: string; roleId: string }[] }> {
  const db = identityDb(ctx.db);
  const rules = await db.selectFrom('scim_group_rules').selectAll().where('provider_id', '=', provider.id)
    .orderBy('priority').orderBy('id').execute();
  const roles = new Map((await ctx.db.selectFrom('roles').selectAll().execute()).map((r) => [r.id, rowToRole(r)]));
  const memberships = userIds.length === 0 ? [] : await db.selectFrom('scim_group_members')
    .innerJoin('scim_groups', 'scim_groups.id', 'scim_group_members.group_id')
    .select(['scim_group_members.user_id', 'scim_groups.display_name'])
    .where('scim_groups.provider_id', '=', provider.id)
    .where('scim_group_members.user_id', 'in', [...userIds])
    .execute();
  const placements = new Map<string, Placement>();
  const refused: { userId: string; ruleId: string; roleId: string }[] = [];
  for (const userId of userIds) {
    const groups = new Set(memberships.filter((m) => m.user_id === userId).map((m) => m.display_name.toLowerCase()));
    let placement: Placement = { roleId: SSO_PENDING_ROLE_ID, unitId: provider.default_unit_id, ruleId: null };
    for (const rule of rules) {
      if (!groups.has(rule.group_name.toLowerCase())) continue;
      const role = roles.get(rule.role_id);
      if (!role) continue;
      if (isAdministeringRole(role) && rule.allow_admin_role !== 1) {
        refused.push({ userId, ruleId: rule.id, roleId: rule.role_id });
        continue;
      }
      placement = { roleId: rule.role_id, unitId: rule.unit_id, ruleId: rule.id };
      break;
    }
    placements.set(userId, placement);
  }
  return { placements, refused };
}

/** Re-applies the rules to these users; returns the users whose role or unit changed. */
export async function applyPlacement(
  ctx: ServerContext,
  provider: Selectable<IdentityProvidersTable>,
  userIds: readonly string[],
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const { placements, refused } = await placementsFor(ctx, provider, userIds);
  for (const r of refused) {
    await ctx.audit.append({
      actorId: null, deviceId: null, action: 'scim.user.place', target: r.userId, outcome: 'denied',
      details: { provider: provider.name, providerId: provider.id, ruleId: r.ruleId, roleId: r.roleId, reason: 'administering_role_not_allowed' },
    });
  }
  const current = await ctx.db.selectFrom('users').select(['id', 'role_id', 'unit_id']).where('id', 'in', [...userIds]).execute();
  const changes = current
    .map((u) => ({ user: u, to: placements.get(u.id)! }))
    .filter(({ user, to }) => user.role_id !== to.roleId || user.unit_id !== to.unitId);
  if (changes.length === 0) return [];
  const { notifiedUsers } = await withRescope(ctx, async () => {
    for (const { user, to } of changes) {
      await ctx.db.updateTable('users').set({ role_id: to.roleId, unit_id: to.unitId }).where('id', '=', user.id).execute();
    }
  });
  for (const { user, to } of changes) {
    await ctx.audit.append({
      actorId: null, deviceId: null, action: 'scim.user.place', target: user.id, outcome: 'ok',
      details: {
        provider: provider.name, providerId: provider.id, ruleId: to.ruleId,
        from: { roleId: user.role_id, unitId: user.unit_id }, to: { roleId: to.roleId, unitId: to.unitId },
        rescoped: notifiedUsers.includes(user.id),
      },
    });
  }
  return changes.map((c) => c.user.id);
}

/** After IT adds or removes a rule: re-place everyone this provider provisioned. */
export async function reapplyProviderRules(ctx: ServerContext, provider: Selectable<IdentityProvidersTable>): Promise<string[]> {
  const users = await identityDb(ctx.db).selectFrom('scim_users').innerJoin('users', 'users.id', 'scim_users.user_id')
    .select('users.id').where('scim_users.provider_id', '=', provider.id).where('users.status', '=', 'active').execute();
  return applyPlacement(ctx, provider, users.map((u) => u.id));
}
