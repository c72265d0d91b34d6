import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, decodeJwt, importJWK, jwtVerify, base64url } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { GRANT_TYP, ISSUER, WIPE_TYP, grantClaimsSchema, wipeClaimsSchema } from '../../shared/protocol/grant';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';

const USERS_PATH = '/v1/admin/users';

async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { error: { code: string } };
  return body.error.code;
}

async function publishedKey(s: TestServer) {
  const res = await fetch(`${s.baseUrl}/v1/server-key`);
  const { jwk } = (await res.json()) as { jwk: Record<string, unknown> };
  return importJWK(jwk, 'EdDSA');
}

describe('signed requests and grants', () => {
  let s: TestServer;
  let admin: TestDevice;
  let rep: TestDevice;
  let rep2: TestDevice;

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    admin = await enrollTestDevice(s.baseUrl, u.itAdmin.username, u.itAdmin.password, u.itAdmin.totpSecret, { now: s.clock.now });
    rep = await enrollTestDevice(s.baseUrl, u.rep.username, u.rep.password, u.rep.totpSecret, { now: s.clock.now });
    rep2 = await enrollTestDevice(s.baseUrl, u.rep2.username, u.rep2.password, u.rep2.totpSecret, { now: s.clock.now });
  });
  afterAll(async () => {
    await s.close();
  });

  it('accepts a correctly signed request with its access token', async () => {
    const res = await admin.signedFetch('GET', USERS_PATH);
    expect(res.status).toBe(200);
  });

  it('refuses a replayed request (same nonce) even when re-sent verbatim', async () => {
    const headers = admin.signedHeaders('GET', USERS_PATH);
    expect((await fetch(s.baseUrl + USERS_PATH, { headers })).status).toBe(200);
    const replay = await fetch(s.baseUrl + USERS_PATH, { headers });
    expect(replay.status).toBe(401);
    expect(await errorCode(replay)).toBe('replayed_request');
  });

  it('lets exactly one of several identical requests sent at once through (nonces are batched)', async () => {
    const headers = admin.signedHeaders('GET', USERS_PATH);
    // Plus distinct requests in the same burst, so the duplicates share a batch with others.
    const others = Array.from({ length: 6 }, () => fetch(s.baseUrl + USERS_PATH, { headers: admin.signedHeaders('GET', USERS_PATH) }));
    const copies = Array.from({ length: 5 }, () => fetch(s.baseUrl + USERS_PATH, { headers }));
    const statuses = (await Promise.all(copies)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 401]);
    expect((await Promise.all(others)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it("refuses a request signed by another device's key", async () => {
    const res = await admin.signedFetch('GET', USERS_PATH, undefined, { privateKey: rep.privateKey });
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('signature_invalid');
  });

  it('refuses a signature over a different body than the one sent', async () => {
    const headers = rep.signedHeaders('POST', '/v1/session/refresh', JSON.stringify({ appVersion: '1.0.0' }));
    const res = await fetch(`${s.baseUrl}/v1/session/refresh`, { method: 'POST', headers, body: JSON.stringify({ appVersion: '6.6.6' }) });
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('signature_invalid');
  });

  it('refuses a stale or future timestamp', async () => {
    for (const skew of [-6 * 60_000, 6 * 60_000]) {
      const res = await admin.signedFetch('GET', USERS_PATH, undefined, { timestamp: String(s.clock.now() + skew) });
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe('stale_timestamp');
    }
  });

  it('refuses an unknown device, a missing token and a token of another device', async () => {
    const unknown = await admin.signedFetch('GET', USERS_PATH, undefined, { deviceId: 'no-such-device' });
    expect(unknown.status).toBe(401);
    expect(await errorCode(unknown)).toBe('unknown_device');
    const noToken = await admin.signedFetch('GET', USERS_PATH, undefined, { accessToken: false });
    expect(noToken.status).toBe(401);
    expect(await errorCode(noToken)).toBe('unauthorized');
    const stolen = await admin.signedFetch('GET', USERS_PATH, undefined, { accessToken: rep.accessToken });
    expect(stolen.status).toBe(401);
    expect(await errorCode(stolen)).toBe('unauthorized');
    const unsigned = await fetch(s.baseUrl + USERS_PATH, { headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(unsigned.status).toBe(401);
  });

  it('grants verify with the published key; forged and tampered grants do not', async () => {
    const key = await publishedKey(s);
    const { payload, protectedHeader } = await jwtVerify(rep.grant, key, { typ: GRANT_TYP, issuer: ISSUER });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(grantClaimsSchema.parse(payload).did).toBe(rep.deviceId);

    // Tampered: widen the data scope in the payload, keep the server's signature.
    const [h, , sig] = rep.grant.split('.');
    const widened = { ...decodeJwt(rep.grant), dataScope: 'all' };
    const tampered = `${h}.${base64url.encode(JSON.stringify(widened))}.${sig}`;
    await expect(jwtVerify(tampered, key, { typ: GRANT_TYP })).rejects.toThrow();

    // Forged: a well-formed grant with the server's kid, signed by someone else's Ed25519 key.
    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = await new SignJWT(widened as Record<string, unknown>)
      .setProtectedHeader({ alg: 'EdDSA', typ: GRANT_TYP, kid: s.ctx.keys.kid })
      .sign(privateKey);
    await expect(jwtVerify(forged, key, { typ: GRANT_TYP })).rejects.toThrow();
  });

  it('an expired access token is refused, and a signed refresh renews it and records the check-in', async () => {
    // Used once while valid, so the server has it in its verified-token cache: expiry must still apply.
    expect((await admin.signedFetch('GET', USERS_PATH)).status).toBe(200);
    s.clock.advance(16 * 60_000);
    try {
      // refresh is signed-only: the device key is the credential, an expired token does not matter
      expect((await rep.refresh()).status).toBe(200);
      const adminExpired = await admin.signedFetch('GET', USERS_PATH);
      expect(adminExpired.status).toBe(401);
      expect(await errorCode(adminExpired)).toBe('token_expired');
      const before = s.clock.now();
      const refreshed = await admin.refresh('0.2.0');
      expect(refreshed.status).toBe(200);
      expect((await admin.signedFetch('GET', USERS_PATH)).status).toBe(200);
      const row = await s.database.db.selectFrom('devices').selectAll().where('id', '=', admin.deviceId).executeTakeFirstOrThrow();
      expect(row.app_version).toBe('0.2.0');
      expect(row.last_check_in_at).toBeGreaterThanOrEqual(before);
    } finally {
      s.clock.advance(-16 * 60_000);
    }
  });

  it('a revoked device gets 403 with a wipe directive signed by the published key, and can confirm the wipe', async () => {
    const revoke = await admin.signedFetch('POST', `/v1/admin/devices/${rep2.deviceId}/revoke`);
    expect(revoke.status).toBe(200);
    const res = await rep2.refresh();
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { code: string }; wipe?: string };
    expect(body.error.code).toBe('device_revoked');
    expect(body.wipe).toBeTruthy();
    const { payload, protectedHeader } = await jwtVerify(body.wipe!, await publishedKey(s), { typ: WIPE_TYP, issuer: ISSUER });
    expect(protectedHeader.typ).toBe(WIPE_TYP);
    expect(wipeClaimsSchema.parse(payload)).toMatchObject({ did: rep2.deviceId, sub: s.fixture.users.rep2.id, reason: 'device_revoked' });

    const confirm = await rep2.signedFetch('POST', '/v1/devices/wipe-confirm', { directiveIat: payload.iat });
    expect(confirm.status).toBe(200);
    const row = await s.database.db.selectFrom('devices').selectAll().where('id', '=', rep2.deviceId).executeTakeFirstOrThrow();
    expect(row.status).toBe('revoked');
    expect(row.wipe_confirmed_at).not.toBeNull();
  });

  it('a device of a user deactivated behind its back gets 403 user_deactivated with a wipe directive', async () => {
    const u = s.fixture.users;
    const svc = await enrollTestDevice(s.baseUrl, u.service.username, u.service.password, u.service.totpSecret, { now: s.clock.now });
    // Deactivated directly in storage (e.g. by HR sync), devices still marked active.
    await s.database.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', u.service.id).execute();
    const res = await svc.refresh();
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { code: string }; wipe?: string };
    expect(body.error.code).toBe('user_deactivated');
    const { payload } = await jwtVerify(body.wipe!, await publishedKey(s), { typ: WIPE_TYP, issuer: ISSUER });
    expect(payload).toMatchObject({ did: svc.deviceId, reason: 'user_deactivated' });
  });
});
