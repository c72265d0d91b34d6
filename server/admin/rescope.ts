// Admin changes that can shrink or grow someone's scope (moving a user, editing a role, changing
// a field's level) run through here: scope versions of every user with an active device are
// taken before and after, and exactly the users whose version changed are told to pull.

import type { ServerContext } from '../context';
import { rowToRole, rowToUser } from '../db/mappers';
import { computeScope, loadScopeInputs } from '../devices/grant';

async function scopeVersionsOfConnectedUsers(ctx: ServerContext): Promise<Map<string, number>> {
  const userRows = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('id', 'in', ctx.db.selectFrom('devices').select('user_id').where('status', '=', 'active'))
    .execute();
  const versions = new Map<string, number>();
  if (userRows.length === 0) return versions;
  const roles = new Map((await ctx.db.selectFrom('roles').selectAll().execute()).map((r) => [r.id, rowToRole(r)]));
  const inputs = await loadScopeInputs(ctx);
  for (const row of userRows) {
    const role = roles.get(row.role_id);
    if (role) versions.set(row.id, computeScope({ user: rowToUser(row), role }, inputs).scopeVersion);
  }
  return versions;
}

/** Runs `change`, then publishes `scope-changed` to each user whose scope it changed. */
export async function withRescope<T>(ctx: ServerContext, change: () => Promise<T>): Promise<{ result: T; notifiedUsers: string[] }> {
  const before = await scopeVersionsOfConnectedUsers(ctx);
  const result = await change();
  const after = await scopeVersionsOfConnectedUsers(ctx);
  const notifiedUsers: string[] = [];
  for (const [userId, scopeVersion] of after) {
    if (before.get(userId) !== scopeVersion) {
      notifiedUsers.push(userId);
      await ctx.events.publishToUser(userId, { type: 'scope-changed', scopeVersion });
    }
  }
  return { result, notifiedUsers };
}
