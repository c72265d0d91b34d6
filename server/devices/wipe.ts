// Signed wipe directives: the server's order to a device to crypto-shred itself. The client
// verifies it with the pinned server key before acting, so nobody else can trigger a wipe.
// And the rules for the device's answer, the wipe confirmation.

import { ISSUER, WIPE_TYP, type WipeClaims } from '../../shared/protocol/grant';
import type { ServerContext } from '../context';
import type { DevicesTable } from '../db/schema';

export async function issueWipeDirective(
  ctx: ServerContext,
  userId: string,
  deviceId: string,
  reason: WipeClaims['reason'],
): Promise<string> {
  const claims: WipeClaims = { iss: ISSUER, sub: userId, did: deviceId, reason, iat: Math.floor(ctx.now() / 1000) };
  return ctx.keys.sign(claims, WIPE_TYP);
}

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
