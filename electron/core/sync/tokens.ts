// Verification of server-signed tokens with the PINNED server key. A grant or a wipe directive
// is trusted only when it verifies with the key pinned at first enrollment, carries the right
// `typ`, and names this device.

import { compactVerify, importJWK, type JWK } from 'jose';
import {
  GRANT_TYP,
  WIPE_TYP,
  grantClaimsSchema,
  wipeClaimsSchema,
  type GrantClaims,
  type WipeClaims,
} from '../../../shared/protocol/grant';
import { UntrustedTokenError } from './errors';

export type PinnedKey = Record<string, unknown>;

async function verifyTyped(jws: string, pinned: PinnedKey, typ: string): Promise<unknown> {
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    key = await importJWK({ ...(pinned as JWK), alg: undefined } as JWK, 'EdDSA');
  } catch {
    throw new UntrustedTokenError('the pinned server key is not a usable Ed25519 JWK');
  }
  let result: Awaited<ReturnType<typeof compactVerify>>;
  try {
    result = await compactVerify(jws, key, { algorithms: ['EdDSA', 'Ed25519'] });
  } catch {
    throw new UntrustedTokenError(`a ${typ} token did not verify with the pinned server key`);
  }
  if (result.protectedHeader.typ !== typ) {
    throw new UntrustedTokenError(`expected a ${typ} token, got ${String(result.protectedHeader.typ)}`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(result.payload)) as unknown;
  } catch {
    throw new UntrustedTokenError(`a ${typ} token has a payload that is not JSON`);
  }
}

/** Verify a scope grant for `deviceId`. Throws UntrustedTokenError otherwise. */
export async function verifyGrant(jws: string, pinned: PinnedKey, deviceId: string): Promise<GrantClaims> {
  const payload = await verifyTyped(jws, pinned, GRANT_TYP);
  const parsed = grantClaimsSchema.safeParse(payload);
  if (!parsed.success) throw new UntrustedTokenError('grant claims do not match the grant schema');
  if (parsed.data.did !== deviceId) throw new UntrustedTokenError('grant was issued for another device');
  return parsed.data;
}

/** Verify a wipe directive for `deviceId`. Throws UntrustedTokenError otherwise. */
export async function verifyWipeDirective(jws: string, pinned: PinnedKey, deviceId: string): Promise<WipeClaims> {
  const payload = await verifyTyped(jws, pinned, WIPE_TYP);
  const parsed = wipeClaimsSchema.safeParse(payload);
  if (!parsed.success) throw new UntrustedTokenError('wipe directive claims do not match the schema');
  if (parsed.data.did !== deviceId) throw new UntrustedTokenError('wipe directive names another device');
  return parsed.data;
}

/** Two JWKs denote the same Ed25519 key (pin check). */
export function sameServerKey(a: PinnedKey, b: PinnedKey): boolean {
  return a.kty === b.kty && a.crv === b.crv && typeof a.x === 'string' && a.x === b.x;
}
