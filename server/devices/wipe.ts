// Signed wipe directives: the server's order to a device to crypto-shred itself. The client
// verifies it with the pinned server key before acting, so nobody else can trigger a wipe.

import { ISSUER, WIPE_TYP, type WipeClaims } from '../../shared/protocol/grant';
import type { ServerContext } from '../context';

export async function issueWipeDirective(
  ctx: ServerContext,
  userId: string,
  deviceId: string,
  reason: WipeClaims['reason'],
): Promise<string> {
  const claims: WipeClaims = { iss: ISSUER, sub: userId, did: deviceId, reason, iat: Math.floor(ctx.now() / 1000) };
  return ctx.keys.sign(claims, WIPE_TYP);
}
