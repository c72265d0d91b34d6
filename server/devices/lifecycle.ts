// The device lifecycle as people see it, and the device's own sign-out.
//
// A device is in one of four states:
//   active          enrolled and not revoked (it may be stale: see last_check_in_at)
//   signed_out      its user signed out on it; the app wiped its vault right after telling us.
//                   Or IT signed the user out everywhere (revoke_reason 'signed_out_by_it'):
//                   the device was told to wipe, as at a revocation.
//                   Stored as status 'revoked' with revoke_reason 'signed_out', so everything
//                   that refuses a revoked device refuses it too and it no longer counts toward
//                   the role's device limit.
//   revoked         revoked by IT (or by deactivating its user); the wipe is not confirmed yet
//   wipe_confirmed  revoked, and the device confirmed its crypto-shred after the revocation
//
// The same installation signing in again (same install id, same user, after a sign-out) is the
// same machine: its enrolment is not reported as a new device. The install id is not a secret
// and proves nothing — it only decides whether a "new device" alert is raised — so it is matched
// only against this user's own signed-out devices, never against an active or revoked one.

import type { DeviceView } from '../../shared/protocol/routes';
import type { ServerContext } from '../context';
import type { DevicesTable } from '../db/schema';
import { validWipeConfirmation } from './revocation';

export const SIGNED_OUT_REASON = 'signed_out';
/** IT signed the user out everywhere (server/admin/account-actions.ts): also shown as signed out. */
const SIGNED_OUT_REASONS: ReadonlySet<string | null> = new Set([SIGNED_OUT_REASON, 'signed_out_by_it']);

export function deviceLifecycle(
  device: Pick<DevicesTable, 'status' | 'revoke_reason' | 'revoked_at' | 'wipe_confirmed_at'>,
): DeviceView['lifecycle'] {
  if (device.status === 'active') return 'active';
  if (SIGNED_OUT_REASONS.has(device.revoke_reason)) return 'signed_out';
  return validWipeConfirmation(device) === null ? 'revoked' : 'wipe_confirmed';
}

/** The earlier device of the same installation and user that signed out, if any. */
export async function sameMachineAs(ctx: ServerContext, userId: string, installId: string | undefined): Promise<string | null> {
  if (!installId) return null;
  const previous = await ctx.db
    .selectFrom('devices')
    .select('id')
    .where('user_id', '=', userId)
    .where('install_id', '=', installId)
    .where('status', '=', 'revoked')
    .where('revoke_reason', '=', SIGNED_OUT_REASON)
    .orderBy('enrolled_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return previous?.id ?? null;
}

/**
 * Retires a device at its own request (sign-out). Idempotent: a device signed out already, or
 * revoked by IT meanwhile, is left as it is (a revocation is never turned into a sign-out).
 */
export async function signOutDevice(ctx: ServerContext, device: Pick<DevicesTable, 'id' | 'user_id'>, ip: string): Promise<void> {
  const now = ctx.now();
  const changed = await ctx.db
    .updateTable('devices')
    .set({ status: 'revoked', revoked_at: now, revoke_reason: SIGNED_OUT_REASON, signed_out_at: now, last_ip: ip })
    .where('id', '=', device.id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (Number(changed.numUpdatedRows) === 0) return;
  await ctx.audit.append({
    actorId: device.user_id, deviceId: device.id, action: 'device.sign_out', target: device.id, outcome: 'ok',
    details: { ip },
  });
}
