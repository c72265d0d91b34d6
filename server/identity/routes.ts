// Sign-in: password (step 1) → TOTP (step 2) → enrollment token for the device (step 3 is in
// ../devices/routes.ts). Failed passwords and failed codes share one counter: 5 in a row lock
// the account for 15 minutes; a complete sign-in resets it.

import type { FastifyInstance } from 'fastify';
import type { Selectable } from 'kysely';
import type { ServerContext } from '../context';
import type { UsersTable } from '../db/schema';
import { HttpError } from '../http/errors';
import { route, type RouteOptions } from '../http/route';
import { consumeAuthToken, createAuthToken, peekAuthToken } from './auth-tokens';
import { decoyPasswordHash, verifyPassword } from './password';
import { passwordSignInRefusal } from '../sso/sign-in';
import { acceptedTotpStep, newTotpSecret, otpauthUri } from './totp';

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

async function refuseIfLocked(ctx: ServerContext, user: Selectable<UsersTable>, step: string): Promise<void> {
  if (user.locked_until !== null && user.locked_until > ctx.now()) {
    await ctx.audit.append({
      actorId: user.id, deviceId: null, action: step, target: user.username, outcome: 'denied',
      details: { reason: 'account_locked' },
    });
    throw new HttpError(423, 'account_locked', 'too many failed attempts: the account is locked for 15 minutes', {
      details: { lockedUntil: user.locked_until },
    });
  }
}

/** Counts a failure; the failure that reaches the limit locks the account (and is audited as such). */
async function recordFailure(ctx: ServerContext, user: Selectable<UsersTable>): Promise<void> {
  const now = ctx.now();
  const row = await ctx.db
    .updateTable('users')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', user.id)
    .returning('failed_attempts')
    .executeTakeFirstOrThrow();
  if (row.failed_attempts >= MAX_FAILED_ATTEMPTS) {
    await ctx.db
      .updateTable('users')
      .set({ failed_attempts: 0, locked_until: now + LOCKOUT_MS })
      .where('id', '=', user.id)
      .execute();
    await ctx.audit.append({
      actorId: user.id, deviceId: null, action: 'auth.lockout', target: user.username, outcome: 'ok',
      details: { failedAttempts: row.failed_attempts, lockedUntil: now + LOCKOUT_MS },
    });
  }
}

export function registerIdentityRoutes(app: FastifyInstance, ctx: ServerContext, limits: RouteOptions): void {
  route(app, ctx, 'signIn', async ({ body, request }) => {
    const user = await ctx.db.selectFrom('users').selectAll().where('username', '=', body.username).executeTakeFirst();
    if (!user) {
      await verifyPassword(body.password, await decoyPasswordHash());
      await ctx.audit.append({
        actorId: null, deviceId: null, action: 'auth.sign_in', target: body.username, outcome: 'failed',
        details: { reason: 'unknown_user', ip: request.ip },
      });
      throw new HttpError(401, 'invalid_credentials', 'wrong username or password');
    }
    await refuseIfLocked(ctx, user, 'auth.sign_in');
    if (!(await verifyPassword(body.password, user.password_hash))) {
      await ctx.audit.append({
        actorId: user.id, deviceId: null, action: 'auth.sign_in', target: user.username, outcome: 'failed',
        details: { reason: 'wrong_password', ip: request.ip },
      });
      await recordFailure(ctx, user);
      throw new HttpError(401, 'invalid_credentials', 'wrong username or password');
    }
    if (user.status !== 'active') {
      await ctx.audit.append({
        actorId: user.id, deviceId: null, action: 'auth.sign_in', target: user.username, outcome: 'denied',
        details: { reason: 'user_deactivated' },
      });
      throw new HttpError(403, 'user_deactivated', 'this account has been deactivated');
    }
    const ssoOnly = await passwordSignInRefusal(ctx, user);
    if (ssoOnly) throw new HttpError(403, 'forbidden', `this account signs in with ${ssoOnly}, not with a password`);

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
    if (!userId) throw new HttpError(401, 'token_expired', 'the sign-in step expired or was used: sign in again');
    const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    await refuseIfLocked(ctx, user, 'auth.mfa');
    if (user.status !== 'active') throw new HttpError(403, 'user_deactivated', 'this account has been deactivated');

    const secret = user.totp_secret ?? user.totp_pending_secret;
    const now = ctx.now();
    const step = secret ? acceptedTotpStep(secret, body.code, now, user.last_totp_step) : null;
    if (step === null) {
      await ctx.audit.append({
        actorId: user.id, deviceId: null, action: 'auth.mfa', target: user.username, outcome: 'failed',
        details: { reason: 'wrong_or_reused_code', ip: request.ip },
      });
      await recordFailure(ctx, user);
      throw new HttpError(401, 'mfa_invalid', 'wrong or already used code');
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
      throw new HttpError(401, 'mfa_invalid', 'wrong or already used code');
    }
    const enrollmentToken = await createAuthToken(ctx, 'enroll', user.id);
    await ctx.audit.append({
      actorId: user.id, deviceId: null, action: 'auth.mfa', target: user.username, outcome: 'ok',
      details: { mfaEnrolledNow: user.totp_secret === null },
    });
    return { enrollmentToken };
  }, limits);
}
