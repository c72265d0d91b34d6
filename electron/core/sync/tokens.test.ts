// Grants and wipe directives are trusted only under the PINNED server key, with the right typ,
// for this device.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFICATION, DEFAULT_OFFLINE_POLICY } from '../../../shared/domain/model';
import { GRANT_TYP, ISSUER, WIPE_TYP } from '../../../shared/protocol/grant';
import { UntrustedTokenError } from './errors';
import { sameServerKey, verifyGrant, verifyWipeDirective } from './tokens';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) as Record<string, unknown> };
}

function sign(claims: object, typ: string, key: KeyObject): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'EdDSA', typ }).sign(key);
}

const now = Date.now();
const grantClaims = {
  iss: ISSUER, sub: 'user-1', did: 'device-1', username: 'rep.li', displayName: 'Li', unitId: 'unit-a',
  role: { id: 'role-rep', key: 'rep', name: 'Sales rep' }, actions: ['customer.read'], dataScope: 'own',
  readClearance: 'sensitive', writeClearance: 'sensitive', offline: DEFAULT_OFFLINE_POLICY, buckets: ['o:user-1'],
  scopeVersion: 1, classification: DEFAULT_CLASSIFICATION, iat: Math.floor(now / 1000), leaseUntil: now + 3600_000, wipeAfter: now + 7200_000,
};

describe('token verification with the pinned server key', () => {
  const server = keyPair();
  const attacker = keyPair();

  it('accepts a grant signed by the pinned key for this device', async () => {
    const claims = await verifyGrant(await sign(grantClaims, GRANT_TYP, server.privateKey), server.jwk, 'device-1');
    expect(claims.username).toBe('rep.li');
  });

  it('refuses a grant signed by another key, for another device, of another typ, or malformed', async () => {
    await expect(verifyGrant(await sign(grantClaims, GRANT_TYP, attacker.privateKey), server.jwk, 'device-1')).rejects.toBeInstanceOf(UntrustedTokenError);
    await expect(verifyGrant(await sign(grantClaims, GRANT_TYP, server.privateKey), server.jwk, 'device-2')).rejects.toBeInstanceOf(UntrustedTokenError);
    await expect(verifyGrant(await sign(grantClaims, WIPE_TYP, server.privateKey), server.jwk, 'device-1')).rejects.toBeInstanceOf(UntrustedTokenError);
    await expect(verifyGrant(await sign({ ...grantClaims, readClearance: 'top-secret' }, GRANT_TYP, server.privateKey), server.jwk, 'device-1')).rejects.toBeInstanceOf(UntrustedTokenError);
    await expect(verifyGrant('not.a.jws', server.jwk, 'device-1')).rejects.toBeInstanceOf(UntrustedTokenError);
    // A tampered payload (signature no longer matches).
    const [h, , s] = (await sign(grantClaims, GRANT_TYP, server.privateKey)).split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...grantClaims, dataScope: 'all' })).toString('base64url');
    await expect(verifyGrant(`${h}.${forgedPayload}.${s}`, server.jwk, 'device-1')).rejects.toBeInstanceOf(UntrustedTokenError);
  });

  it('verifies wipe directives the same way', async () => {
    const wipe = { iss: ISSUER, sub: 'user-1', did: 'device-1', reason: 'device_revoked', iat: Math.floor(now / 1000) };
    expect((await verifyWipeDirective(await sign(wipe, WIPE_TYP, server.privateKey), server.jwk, 'device-1')).reason).toBe('device_revoked');
    await expect(verifyWipeDirective(await sign(wipe, WIPE_TYP, attacker.privateKey), server.jwk, 'device-1')).rejects.toBeInstanceOf(UntrustedTokenError);
    await expect(verifyWipeDirective(await sign(wipe, GRANT_TYP, server.privateKey), server.jwk, 'device-1')).rejects.toBeInstanceOf(UntrustedTokenError);
    await expect(verifyWipeDirective(await sign(wipe, WIPE_TYP, server.privateKey), server.jwk, 'device-9')).rejects.toBeInstanceOf(UntrustedTokenError);
  });

  it('compares pinned keys by key material', () => {
    expect(sameServerKey(server.jwk, { ...server.jwk, kid: 'whatever' })).toBe(true);
    expect(sameServerKey(server.jwk, attacker.jwk)).toBe(false);
  });
});
