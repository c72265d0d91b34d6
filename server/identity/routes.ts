// Sign-in: password (step 1) → TOTP (step 2) → enrollment token for the device (step 3 is in
// ../devices/routes.ts). Failed passwords and failed codes share the counters of ./throttle.ts
// (per username and client address, and per username overall); a complete sign-in resets them.
// A failed password step answers exactly the same for an unknown username, a wrong password and
// a locked username (same status, code and body, and the same password-hashing work), so the
// answer never tells which usernames exist or which are locked.

import type { FastifyInstance } from 'fastify';
import type { Selectable } from 'kysely';
import type { ServerContext } from '../context';
import type { UsersTable } from '../db/schema';
import { DomainError } from '../domain-error';
import { route, type RouteOptions } from '../http/route';
import { consumeAuthToken, createAuthToken, peekAuthToken } from './auth-tokens';
import { decoyPasswordHash, verifyPassword } from './password';
import { clearSignInFailures, lockState, recordSignInFailure } from './throttle';
import { passwordSignInRefusal } from '../sso/sign-in';
import { acceptedTotpStep, newTotpSecret, otpauthUri } from './totp';

export { LOCKOUT_MS, MAX_FAILURES_PER_ADDRESS as MAX_FAILED_ATTEMPTS } from './throttle';

/** The one answer to every failed password step. */
const invalidCredentials = () =>
  new DomainError('invalid_credentials', 'wrong username or password, or too many attempts: try again later');

/** The TOTP step: the password was right, so saying "locked" reveals nothing new. */
async function refuseMfaIfLocked(ctx: ServerContext, user: Selectable<UsersTable>, ip: string): Promise<void> {
  const state = await lockState(ctx, user.username, ip);
  if (!state.locked) return;
  await ctx.audit.append({
    actorId: user.id, deviceId: null, action: 'auth.mfa', target: user.username, outcome: 'denied',
    details: { reason: 'account_locked', scope: state.scope, ip },
  });
  // The end of the lock, and the wait as a duration the client shows without trusting its own clock.
  const lockedUntil = state.lockedUntil ?? ctx.now();
  const retryAfterSeconds = Math.max(1, Math.ceil((lockedUntil - ctx.now()) / 1000));
  throw new DomainError('account_locked', `too many failed attempts: sign-in is locked for ${Math.ceil(retryAfterSeconds / 60)} more minutes`, {
    lockedUntil,
    retryAfterSeconds,
  });
}

export function registerIdentityRoutes(app: FastifyInstance, ctx: ServerContext, limits: RouteOptions): void {
  route(app, ctx, 'signIn', async ({ body, request }) => {
    const ip = request.ip;
    const user = await ctx.db.selectFrom('users').selectAll().where('username', '=', body.username).executeTakeFirst();
    const state = await lockState(ctx, body.username, ip);
    // Always one scrypt: against the user's hash, or a decoy for an unknown username.
    const passwordOk = await verifyPassword(body.password, user?.password_hash ?? (await decoyPasswordHash()));
    if (!user || state.locked || !passwordOk) {
      const reason = state.locked ? 'account_locked' : !user ? 'unknown_user' : 'wrong_password';
      await ctx.audit.append({
        actorId: user?.id ?? null, deviceId: null, action: 'auth.sign_in', target: body.username,
        outcome: state.locked ? 'denied' : 'failed', details: { reason, ip, ...(state.locked ? { scope: state.scope } : {}) },
      });
      // A locked username's further failures are not counted: the lock is not extended by them.
      if (!state.locked) await recordSignInFailure(ctx, body.username, ip, user?.id ?? null);
      throw invalidCredentials();
    }
    if (user.status !== 'active') {
      await ctx.audit.append({
        actorId: user.id, deviceId: null, action: 'auth.sign_in', target: user.username, outcome: 'denied',
        details: { reason: 'user_deactivated' },
      });
      throw new DomainError('user_deactivated', 'this account has been deactivated');
    }
    const ssoOnly = await passwordSignInRefusal(ctx, user);
    if (ssoOnly) throw new DomainError('forbidden', `this account signs in with ${ssoOnly}, not with a password`);

    let setupSecret: string | null = null;
    if (user.totp_secret === null) {
      // Keep an already offered secret: the user may have scanned it before an interrupted attempt.
      setupSecret = user.totp_pending_secret ?? newTotpSecret();
      if (setupSecret !== user.totp_pending_secret) {
        await ctx.db.updateTable('users').set({ totp_pending_secret: setupSecret }).where('id', '=', user.id).execute();
      }
    }
    const mfaToken = await createAuthToken(ctx, 'mfa', user.id);
    await ctx.audit.append({
      actorId: user.id, deviceId: null, action: 'auth.sign_in', target: user.username, outcome: 'ok',
      details: { mfaSetupRequired: setupSecret !== null },
    });
    return setupSecret === null
      ? { mfaToken, mfaSetupRequired: false }
      : { mfaToken, mfaSetupRequired: true, otpauthUri: otpauthUri(setupSecret, user.username) };
  }, limits);

  route(app, ctx, 'verifyMfa', async ({ body, request }) => {
    const userId = await peekAuthToken(ctx, 'mfa', body.mfaToken);
    if (!userId) throw new DomainError('token_expired', 'the sign-in step expired or was used: sign in again');
    const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    await refuseMfaIfLocked(ctx, user, request.ip);
    if (user.status !== 'active') throw new DomainError('user_deactivated', 'this account has been deactivated');

    const secret = user.totp_secret ?? user.totp_pending_secret;
    const now = ctx.now();
    const step = secret ? acceptedTotpStep(secret, body.code, now, user.last_totp_step) : null;
    if (step === null) {
      await ctx.audit.append({
        actorId: user.id, deviceId: null, action: 'auth.mfa', target: user.username, outcome: 'failed',
        details: { reason: 'wrong_or_reused_code', ip: request.ip },
      });
      await recordSignInFailure(ctx, user.username, request.ip, user.id);
      throw new DomainError('mfa_invalid', 'wrong or already used code');
    }
    // The conditional update makes a code single-use even when two requests race with it.
    const accepted = await ctx.db
      .updateTable('users')
      .set({
        last_totp_step: step,
        failed_attempts: 0,
        locked_until: null,
        last_sign_in_at: now,
        totp_secret: secret,
        totp_pending_secret: null,
      })
      .where('id', '=', user.id)
      .where((eb) => eb.or([eb('last_totp_step', 'is', null), eb('last_totp_step', '<', step)]))
      .executeTakeFirst();
    if (Number(accepted.numUpdatedRows) !== 1 || !(await consumeAuthToken(ctx, 'mfa', body.mfaToken))) {
      throw new DomainError('mfa_invalid', 'wrong or already used code');
    }
    await clearSignInFailures(ctx, user.username, request.ip);
    const enrollmentToken = await createAuthToken(ctx, 'enroll', user.id);
    await ctx.audit.append({
      actorId: user.id, deviceId: null, action: 'auth.mfa', target: user.username, outcome: 'ok',
      details: { mfaEnrolledNow: user.totp_secret === null },
    });
    return { enrollmentToken };
  }, limits);
}
