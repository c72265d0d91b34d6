// Sign-in throttling. Failed steps (wrong password, wrong TOTP code) are counted per
// (username as typed, client address) and per username across all addresses:
//   - 5 failures from one address lock that username FOR THAT ADDRESS for 15 minutes, so a
//     stranger guessing from one machine cannot lock the real user out of their own;
//   - 100 failures from all addresses together, each within 15 minutes of the previous one, lock
//     the username everywhere for 15 minutes. This cap stops distributed guessing (with TOTP as
//     the second factor a password alone is not enough anyway); the price is that an attacker
//     with 20+ addresses can still lock an account for 15 minutes at a time.
// The per-address request limit on the sign-in routes (@fastify/rate-limit) stays on top.
// Unknown usernames are counted exactly like real ones, so the answers (and the work done for
// them) do not tell which usernames exist. A complete sign-in clears the user's counters.

import type { ServerContext } from '../context';

export const MAX_FAILURES_PER_ADDRESS = 5;
export const MAX_FAILURES_ALL_ADDRESSES = 100;
export const LOCKOUT_MS = 15 * 60 * 1000;
/** A failure older than this no longer counts towards the next lock. */
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
/** The `ip` of the row counting every address together. */
export const ALL_ADDRESSES = '*';

export interface LockState {
  locked: boolean;
  /** which limit holds it: one address, or all addresses */
  scope: 'address' | 'all' | null;
  lockedUntil: number | null;
}

export async function lockState(ctx: ServerContext, username: string, ip: string): Promise<LockState> {
  const now = ctx.now();
  const rows = await ctx.db
    .selectFrom('sign_in_throttle')
    .select(['ip', 'locked_until'])
    .where('username', '=', username)
    .where('ip', 'in', [ip, ALL_ADDRESSES])
    .where('locked_until', '>', now)
    .execute();
  if (rows.length === 0) return { locked: false, scope: null, lockedUntil: null };
  const all = rows.find((r) => r.ip === ALL_ADDRESSES);
  const row = all ?? rows[0]!;
  return { locked: true, scope: all ? 'all' : 'address', lockedUntil: row.locked_until };
}

/** One more failure in the row (username, ip); returns the count after it (window applied). */
async function countFailure(ctx: ServerContext, username: string, ip: string, now: number): Promise<number> {
  const row = await ctx.db
    .insertInto('sign_in_throttle')
    .values({ username, ip, failures: 1, last_failure_at: now, locked_until: null })
    .onConflict((oc) =>
      oc.columns(['username', 'ip']).doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('sign_in_throttle.last_failure_at', '<', now - FAILURE_WINDOW_MS)
          .then(1)
          .else(eb('sign_in_throttle.failures', '+', 1))
          .end(),
        last_failure_at: now,
      })),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(row.failures);
}

async function lock(ctx: ServerContext, username: string, ip: string, until: number): Promise<void> {
  await ctx.db
    .updateTable('sign_in_throttle')
    .set({ failures: 0, locked_until: until })
    .where('username', '=', username)
    .where('ip', '=', ip)
    .execute();
}

/**
 * Counts a failed step for `username` from `ip` and locks when a limit is reached. `userId` is
 * the account's id when the username exists (the global lock is then also shown to IT as the
 * user's lockedUntil); the counting itself does not depend on it.
 */
export async function recordSignInFailure(ctx: ServerContext, username: string, ip: string, userId: string | null): Promise<void> {
  const now = ctx.now();
  // Old rows are useless; deleting them keeps the table as small as the recent failures.
  await ctx.db
    .deleteFrom('sign_in_throttle')
    .where('last_failure_at', '<', now - FAILURE_WINDOW_MS - LOCKOUT_MS)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .execute();
  const fromAddress = await countFailure(ctx, username, ip, now);
  const everywhere = await countFailure(ctx, username, ALL_ADDRESSES, now);
  const until = now + LOCKOUT_MS;
  if (fromAddress >= MAX_FAILURES_PER_ADDRESS) {
    await lock(ctx, username, ip, until);
    await ctx.audit.append({
      actorId: userId, deviceId: null, action: 'auth.lockout', target: username, outcome: 'ok',
      details: { scope: 'address', ip, failedAttempts: fromAddress, lockedUntil: until },
    });
  }
  if (everywhere >= MAX_FAILURES_ALL_ADDRESSES) {
    await lock(ctx, username, ALL_ADDRESSES, until);
    if (userId) await ctx.db.updateTable('users').set({ locked_until: until }).where('id', '=', userId).execute();
    await ctx.audit.append({
      actorId: userId, deviceId: null, action: 'auth.lockout', target: username, outcome: 'ok',
      details: { scope: 'all', failedAttempts: everywhere, lockedUntil: until },
    });
  }
}

/** A complete sign-in (password and TOTP) from `ip`: that address's count and the global count restart. */
export async function clearSignInFailures(ctx: ServerContext, username: string, ip: string): Promise<void> {
  await ctx.db.deleteFrom('sign_in_throttle').where('username', '=', username).where('ip', 'in', [ip, ALL_ADDRESSES]).execute();
}
