// Admin changes that can shrink or grow someone's scope (moving a user, editing a role, changing
// a field's level) run through here: scope versions of every user with an active device are
// taken before and after, and exactly the users whose version changed are told to pull — all of
// them in one fan-out (one cross-process message per batch of users, not one per user).
// Each user's scope is computed at most once per permission snapshot (server/org/user-scope.ts):
// the "before" versions are usually already known from the previous change, and the "after"
// ones are what the event streams reuse to rebuild the told users' interest.

import type { ServerContext } from '../context';
import { loadScopeData } from '../org/permission-scope';
import { scopeVersionOfUser } from '../org/user-scope';

async function usersWithActiveDevices(ctx: ServerContext): Promise<string[]> {
  const rows = await ctx.db.selectFrom('devices').select('user_id').distinct().where('status', '=', 'active').execute();
  return rows.map((r) => r.user_id);
}

async function scopeVersionsOf(ctx: ServerContext, userIds: readonly string[]): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  if (userIds.length === 0) return versions;
  const data = await loadScopeData(ctx.db);
  const now = ctx.now();
  for (const userId of userIds) {
    const version = scopeVersionOfUser(data, userId, now);
    if (version !== undefined) versions.set(userId, version);
  }
  return versions;
}

/** Runs `change`, then publishes `scope-changed` to each user whose scope it changed. */
export async function withRescope<T>(ctx: ServerContext, change: () => Promise<T>): Promise<{ result: T; notifiedUsers: string[] }> {
  const before = await scopeVersionsOf(ctx, await usersWithActiveDevices(ctx));
  const result = await change();
  const after = await scopeVersionsOf(ctx, await usersWithActiveDevices(ctx));
  const told: { userId: string; event: { type: 'scope-changed'; scopeVersion: number } }[] = [];
  for (const [userId, scopeVersion] of after) {
    if (before.get(userId) !== scopeVersion) told.push({ userId, event: { type: 'scope-changed', scopeVersion } });
  }
  if (told.length > 0) await ctx.events.publishToUsers(told);
  return { result, notifiedUsers: told.map((t) => t.userId) };
}
