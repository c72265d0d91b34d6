// Device enrollment (step 3 of sign-in), check-in (refresh) and wipe confirmation.

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { DomainError } from '../domain-error';
import { route, type RouteOptions } from '../http/route';
import { consumeAuthToken, peekAuthToken } from '../identity/auth-tokens';
import { loadSubject } from '../org/load';
import { abandonEnrollment, enrollmentCheckInWindowMs, retireOverdueEnrollments } from './enrollment-lifecycle';
import { issueAccessToken, issueGrant } from './grant';
import { sameMachineAs, signOutDevice } from './lifecycle';
import { updateRequiredError, updateRequiredFor } from './min-version';
import { DEVICE_KEY_PROBLEM_TEXT, deviceKeyProblem } from './public-key';
import { wipeConfirmationRefusal, type WipeConfirmationRefusal } from './revocation';


export function registerDeviceRoutes(app: FastifyInstance, ctx: ServerContext, limits: RouteOptions): void {
  route(app, ctx, 'serverKey', async () => ({ jwk: ctx.keys.publicJwk, kid: ctx.keys.kid }));

  route(app, ctx, 'enrollDevice', async ({ body, request }) => {
    const userId = await peekAuthToken(ctx, 'enroll', body.enrollmentToken);
    if (!userId) throw new DomainError('token_expired', 'the enrollment step expired or was used: sign in again');
    // Checked before anything is stored or the token used: a weak key is never registered.
    const keyProblem = deviceKeyProblem(body.publicKey);
    if (keyProblem) {
      await ctx.audit.append({
        actorId: userId, deviceId: null, action: 'device.enroll', target: null, outcome: 'denied',
        details: { reason: 'device_key_invalid', problem: keyProblem, ip: request.ip },
      });
      throw new DomainError('device_key_invalid', `body.publicKey: ${DEVICE_KEY_PROBLEM_TEXT[keyProblem]}`, { problem: keyProblem });
    }
    const subject = await loadSubject(ctx.db, userId);
    if (!subject) throw new DomainError('token_expired', 'sign in again');
    if (subject.user.status !== 'active') throw new DomainError('user_deactivated', 'this account has been deactivated');

    // A device that never finished enrolling (never checked in within its window) frees its slot.
    await retireOverdueEnrollments(ctx, userId);
    const active = await ctx.db
      .selectFrom('devices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    const maxDevices = subject.role.offline.maxDevices;
    if (Number(active.n) >= maxDevices) {
      await ctx.audit.append({
        actorId: userId, deviceId: null, action: 'device.enroll', target: null, outcome: 'denied',
        details: { reason: 'device_limit', maxDevices },
      });
      throw new DomainError(
        'device_limit',
        `this role allows at most ${maxDevices} signed-in devices and all are in use: sign out on one of them, or ask IT to revoke one you no longer have`,
        { maxDevices },
      );
    }
    if (!(await consumeAuthToken(ctx, 'enroll', body.enrollmentToken))) {
      throw new DomainError('token_expired', 'the enrollment step expired or was used: sign in again');
    }

    const deviceId = randomUUID();
    const now = ctx.now();
    const previousDeviceId = await sameMachineAs(ctx, userId, body.installId);
    await ctx.db
      .insertInto('devices')
      .values({
        id: deviceId, user_id: userId, public_key: body.publicKey, name: body.name, platform: body.platform,
        app_version: body.appVersion, status: 'active', enrolled_at: now, last_check_in_at: now, revoked_at: null,
        revoke_reason: null, wipe_confirmed_at: null, synced_buckets: '[]', synced_read_clearance: null,
        synced_classification: null, install_id: body.installId ?? null, host_name: body.hostName || null,
        os_version: body.osVersion || null, last_ip: request.ip, check_in_due_at: now + enrollmentCheckInWindowMs(),
      })
      .execute();
    const { grant, claims } = await issueGrant(ctx, subject, deviceId);
    const access = await issueAccessToken(ctx, userId, deviceId);
    await ctx.audit.append({
      actorId: userId, deviceId, action: 'device.enroll', target: deviceId, outcome: 'ok',
      details: {
        name: body.name, platform: body.platform, appVersion: body.appVersion, hostName: body.hostName ?? null,
        osVersion: body.osVersion ?? null, scopeVersion: claims.scopeVersion, ip: request.ip,
        // the same installation signed in again after a sign-out: not a new machine
        ...(previousDeviceId ? { sameMachineAs: previousDeviceId } : {}),
      },
    });
    return { deviceId, grant, ...access, serverKey: { jwk: ctx.keys.publicJwk, kid: ctx.keys.kid } };
  }, limits);

  route(app, ctx, 'abandonEnrollment', async ({ body }) => {
    const { retired, valid } = await abandonEnrollment(ctx, body.publicKey, body.signature);
    if (!valid) throw new DomainError('validation_failed', 'body.signature: does not match this device key');
    return { retired };
  }, limits);

  route(app, ctx, 'refresh', async ({ body, principal, request }) => {
    const now = ctx.now();
    await ctx.db
      .updateTable('devices')
      .set({
        // The first check-in completes the enrollment: nothing is due any more.
        last_check_in_at: now, app_version: body.appVersion, last_ip: request.ip, check_in_due_at: null,
        // an older app sends no host facts: what it sent at enrolment stays
        ...(body.hostName ? { host_name: body.hostName } : {}),
        ...(body.osVersion ? { os_version: body.osVersion } : {}),
      })
      .where('id', '=', principal.device.id)
      .execute();
    // Below the platform's minimum: the version is recorded (IT sees it) but nothing is issued.
    const refused = await updateRequiredFor(ctx, principal.device.platform, body.appVersion);
    if (refused) {
      await ctx.audit.append({
        actorId: principal.user.id, deviceId: principal.device.id, action: 'device.check_in', target: principal.device.id,
        outcome: 'denied', details: { reason: 'app_update_required', ...refused },
      });
      throw updateRequiredError(refused);
    }
    const { grant, claims } = await issueGrant(ctx, principal.subject, principal.device.id);
    const access = await issueAccessToken(ctx, principal.user.id, principal.device.id);
    await ctx.audit.append({
      actorId: principal.user.id, deviceId: principal.device.id, action: 'device.check_in', target: principal.device.id,
      outcome: 'ok', details: { appVersion: body.appVersion, scopeVersion: claims.scopeVersion },
    });
    return { ...access, grant };
  });

  // Sent by the device when its user signs out, just before it wipes its vault.
  route(app, ctx, 'signOutDevice', async ({ principal, request }) => {
    await signOutDevice(ctx, principal.device, request.ip);
    return { ok: true as const };
  });

  // Sent by a revoked device after it crypto-shredded itself (signed before the shred). Only a
  // revoked device may confirm, and only for a directive issued after its revocation; a refused
  // confirmation stores nothing. The first accepted confirmation is kept (the client may retry).
  route(app, ctx, 'confirmWipe', async ({ body, principal, request }) => {
    const now = ctx.now();
    const { device } = principal;
    const refusal = wipeConfirmationRefusal(device, body.directiveIat, now);
    if (refusal) {
      await ctx.audit.append({
        actorId: principal.user.id, deviceId: device.id, action: 'device.wipe_confirmed', target: device.id, outcome: 'denied',
        details: { reason: refusal, directiveIat: body.directiveIat, deviceStatus: device.status, ip: request.ip },
      });
      throw new DomainError('wipe_not_allowed', WIPE_REFUSAL_TEXT[refusal], { reason: refusal });
    }
    await ctx.db
      .updateTable('devices')
      .set({ wipe_confirmed_at: now })
      .where('id', '=', device.id)
      .where('status', '=', 'revoked')
      // A time stored before the revocation (by an earlier version) is replaced, never kept.
      .where((eb) => eb.or([eb('wipe_confirmed_at', 'is', null), eb('wipe_confirmed_at', '<', device.revoked_at!)]))
      .execute();
    await ctx.audit.append({
      actorId: principal.user.id, deviceId: device.id, action: 'device.wipe_confirmed', target: device.id,
      outcome: 'ok', details: { directiveIat: body.directiveIat, revokedAt: device.revoked_at },
    });
    return { ok: true as const };
  }, { allowRevoked: true });
}

const WIPE_REFUSAL_TEXT: Record<WipeConfirmationRefusal, string> = {
  device_not_revoked: 'only a revoked device can confirm its wipe',
  directive_before_revocation: 'this wipe directive predates the revocation of this device',
  directive_from_the_future: 'this wipe directive was not issued by the server yet',
};
