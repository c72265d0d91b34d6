// Admin changes that can shrink or grow someone's scope (moving a user, editing a role, changing
// a field's level) run through here: scope versions of every user with an active device are
// taken before and after, and exactly the users whose version changed are told to pull.

import type { ServerContext } from '../context';
import { computeScope } from '../devices/grant';
import { loadScopeData, subjectBucketSet } from '../org/permission-scope';

async function scopeVersionsOfConnectedUsers(ctx: ServerContext): Promise<Map<string, number>> {
  const connected = await ctx.db.selectFrom('devices').select('user_id').distinct().where('status', '=', 'active').execute();
  const versions = new Map<string, number>();
  if (connected.length === 0) return versions;
  const data = await loadScopeData(ctx.db);
  const now = ctx.now();
  for (const { user_id: userId } of connected) {
    const subject = data.subjects.get(userId);
    if (subject) versions.set(userId, computeScope(subject, { data, buckets: subjectBucketSet(subject, data, now) }).scopeVersion);
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
