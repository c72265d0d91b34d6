// An enrollment that never finished must not hold a device slot. Two ways out:
//  - the device retires itself: a client killed between "the server registered me" and "my vault
//    and first grant are saved" finds its pending-enrollment record at the next start and sends
//    ROUTES.abandonEnrollment, signed with the device key (so only the key's holder can);
//  - the server retires it: a new device must check in (its first sync starts with one) within
//    the check-in window; one still silent past it is retired at its user's next enrollment.
// Either way the device is marked revoked with reason `enrollment_abandoned` (it stops counting
// toward the role's device limit, and a late request from it is refused like any revoked device).

import { createPublicKey, verify } from 'node:crypto';
import { abandonEnrollmentMessage } from '../../shared/protocol/routes';
import type { ServerContext } from '../context';

export const ENROLLMENT_ABANDONED = 'enrollment_abandoned';

/** How long a new device has to check in (default 30 min; `SV_ENROLLMENT_CHECK_IN_MINUTES`). */
export function enrollmentCheckInWindowMs(): number {
  const minutes = Number(process.env.SV_ENROLLMENT_CHECK_IN_MINUTES);
  return (Number.isFinite(minutes) && minutes > 0 ? minutes : 30) * 60_000;
}

/** Retire this user's devices that never checked in within their window. Returns their ids. */
export async function retireOverdueEnrollments(ctx: ServerContext, userId: string): Promise<string[]> {
  const now = ctx.now();
  const overdue = await ctx.db
    .selectFrom('devices')
    .select('id')
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .where('check_in_due_at', 'is not', null)
    .where('check_in_due_at', '<', now)
    .execute();
  for (const { id } of overdue) await retire(ctx, id, userId, 'check_in_overdue');
  return overdue.map((d) => d.id);
}

/**
 * The device with this public key gives up its unfinished enrollment. The signature must verify
 * with that key; only an active device that never checked in is retired (a finished enrollment
 * is revoked by IT, never by this route). `retired: false` when there was nothing to retire.
 */
export async function abandonEnrollment(ctx: ServerContext, publicKey: string, signature: string): Promise<{ retired: boolean; valid: boolean }> {
  let valid = false;
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    valid = verify(null, Buffer.from(abandonEnrollmentMessage(publicKey)), key, Buffer.from(signature, 'base64url'));
  } catch {
    valid = false;
  }
  if (!valid) return { retired: false, valid };
  const device = await ctx.db
    .selectFrom('devices')
    .select(['id', 'user_id'])
    .where('public_key', '=', publicKey)
    .where('status', '=', 'active')
    .where('check_in_due_at', 'is not', null)
    .executeTakeFirst();
  if (!device) return { retired: false, valid };
  await retire(ctx, device.id, device.user_id, 'abandoned_by_device');
  return { retired: true, valid };
}

async function retire(ctx: ServerContext, deviceId: string, userId: string, how: 'check_in_overdue' | 'abandoned_by_device'): Promise<void> {
  const now = ctx.now();
  const done = await ctx.db
    .updateTable('devices')
    .set({ status: 'revoked', revoked_at: now, revoke_reason: ENROLLMENT_ABANDONED, check_in_due_at: null })
    .where('id', '=', deviceId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) return;
  await ctx.audit.append({
    actorId: how === 'abandoned_by_device' ? userId : null, deviceId, action: 'device.enrollment_abandoned', target: deviceId,
    outcome: 'ok', details: { how },
  });
}
