// Revocation: the one place that decides whether a device may still act for its user, and that
// issues the signed wipe directive when it may not. A device is refused when it was revoked
// (by IT, or because its user was deactivated) or when its user is no longer active; either way
// the answer carries a directive signed with the server key. The client verifies the directive
// with the server key it pinned at enrollment before crypto-shredding its vault, so nobody but
// this server can trigger a wipe.
//
// Callers: request authentication (server/http/auth.ts) refuses with 403 + directive, the event
// stream (server/events/stream.ts) re-checks each ping's streams in one batch and sends `revoked`, and the admin
// service (server/admin/service.ts) announces a fresh revocation to connected devices.
// The device's answer, the wipe confirmation, is bound to the revocation here too: it counts only
// from a revoked device, for a directive issued at or after the revocation.

import { ISSUER, WIPE_TYP, type WipeClaims } from '../../shared/protocol/grant';
import type { ServerContext } from '../context';
import type { DevicesTable } from '../db/schema';

/** Why the server revokes a device's access ('wipe_after_expired' is the client's own decision). */
export type RevocationReason = Extract<WipeClaims['reason'], 'device_revoked' | 'user_deactivated'>;

export interface Revocation {
  reason: RevocationReason;
  message: string;
  /** compact JWS (typ WIPE_TYP) ordering this device to crypto-shred itself */
  directive: string;
}

const MESSAGES: Record<RevocationReason, string> = {
  device_revoked: 'this device has been revoked',
  user_deactivated: 'this user has been deactivated',
};

/**
 * The revocation decision: a missing or revoked device, then a missing or inactive user.
 * Returns null when the device may act.
 */
export function revocationReason(
  device: { status: string } | undefined,
  user: { status: string } | undefined,
): RevocationReason | null {
  if (!device || device.status === 'revoked') return 'device_revoked';
  if (!user || user.status !== 'active') return 'user_deactivated';
  return null;
}

/** The signed order for `deviceId` (of `userId`) to wipe itself. */
async function issueWipeDirective(
  ctx: ServerContext,
  userId: string,
  deviceId: string,
  reason: WipeClaims['reason'],
): Promise<string> {
  const claims: WipeClaims = { iss: ISSUER, sub: userId, did: deviceId, reason, iat: Math.floor(ctx.now() / 1000) };
  return ctx.keys.sign(claims, WIPE_TYP);
}

/** The revocation (with its directive) for a device and user already in hand, or null. */
export async function revocationOf(
  ctx: ServerContext,
  device: { id: string; user_id: string; status: string },
  user: { status: string } | undefined,
): Promise<Revocation | null> {
  const reason = revocationReason(device, user);
  if (!reason) return null;
  return { reason, message: MESSAGES[reason], directive: await issueWipeDirective(ctx, device.user_id, device.id, reason) };
}

/** Device ids per statement of the batched check (well under either database's parameter limit). */
const REVOCATION_BATCH = 500;

/**
 * The same decision read fresh from storage (device and user status are never cached) for many
 * connected devices at once: one statement per 500 devices. Returns only the devices that may no
 * longer act, with their directives.
 */
export async function currentRevocations(
  ctx: ServerContext,
  devices: readonly { deviceId: string; userId: string }[],
): Promise<Map<string, Revocation>> {
  const found = new Map<string, { status: string; userStatus: string | null }>();
  for (let i = 0; i < devices.length; i += REVOCATION_BATCH) {
    const ids = devices.slice(i, i + REVOCATION_BATCH).map((d) => d.deviceId);
    const rows = await ctx.db
      .selectFrom('devices')
      .leftJoin('users', 'users.id', 'devices.user_id')
      .select(['devices.id as id', 'devices.status as status', 'users.status as user_status'])
      .where('devices.id', 'in', ids)
      .execute();
    for (const r of rows) found.set(r.id, { status: r.status, userStatus: r.user_status });
  }
  const revocations = new Map<string, Revocation>();
  for (const { deviceId, userId } of devices) {
    const row = found.get(deviceId);
    const reason = revocationReason(row, row?.userStatus ? { status: row.userStatus } : undefined);
    if (reason) {
      revocations.set(deviceId, { reason, message: MESSAGES[reason], directive: await issueWipeDirective(ctx, userId, deviceId, reason) });
    }
  }
  return revocations;
}

/** Tells a just-revoked device, if it is connected, to wipe itself now. */
export async function announceRevocation(ctx: ServerContext, userId: string, deviceId: string, reason: RevocationReason): Promise<void> {
  const directive = await issueWipeDirective(ctx, userId, deviceId, reason);
  await ctx.events.publishToDevice(deviceId, { type: 'revoked', directive });
}

// ---- wipe confirmation

/**
 * The wipe confirmation time to show, or null. A confirmation counts only from a revoked device
 * and only when it came after the revocation; anything else stored (by an earlier version, or by
 * hand) is ignored rather than shown as "wipe confirmed".
 */
export function validWipeConfirmation(device: Pick<DevicesTable, 'status' | 'revoked_at' | 'wipe_confirmed_at'>): number | null {
  const { status, revoked_at: revokedAt, wipe_confirmed_at: confirmedAt } = device;
  if (status !== 'revoked' || revokedAt === null || confirmedAt === null || confirmedAt < revokedAt) return null;
  return confirmedAt;
}

export type WipeConfirmationRefusal = 'device_not_revoked' | 'directive_before_revocation' | 'directive_from_the_future';

/**
 * Whether a device may confirm its wipe now. The confirmation names the wipe directive it obeys
 * (its `iat`, whole seconds, covered by the device's request signature): that directive must have
 * been issued by this server at or after the revocation, and not later than now.
 */
export function wipeConfirmationRefusal(
  device: Pick<DevicesTable, 'status' | 'revoked_at'>,
  directiveIat: number,
  nowMs: number,
): WipeConfirmationRefusal | null {
  if (device.status !== 'revoked' || device.revoked_at === null) return 'device_not_revoked';
  if (directiveIat < Math.floor(device.revoked_at / 1000)) return 'directive_before_revocation';
  if (directiveIat > Math.floor(nowMs / 1000)) return 'directive_from_the_future';
  return null;
}
