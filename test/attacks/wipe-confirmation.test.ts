// Finding 4 — a wipe confirmation could be faked: an active device could POST the confirmation,
// the stored time survived a later revocation, and the devices screen showed "wipe confirmed"
// for a laptop that never wiped. Now only a revoked device may confirm, only for a wipe directive
// issued at or after its revocation (the directive's time is in the signed body), a refused
// confirmation stores nothing, and a stored time from before the revocation is never shown.
// The device side is the real client: its ServerClient signs the confirmation exactly as the app
// does when it wipes (electron/core/session/controller.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretStore } from '../../electron/core/contracts';
import { DeviceKey } from '../../electron/core/device-key';
import { RevokedError, ServerError } from '../../electron/core/sync/errors';
import { ServerClient } from '../../electron/core/sync/server-client';
import { enrollTestDevice, signInWithMfa, type TestDevice } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';

function memorySecrets(): SecretStore {
  const map = new Map<string, string>();
  return {
    get: async (account) => map.get(account) ?? null,
    set: async (account, secret) => void map.set(account, secret),
    delete: async (account) => map.delete(account),
  };
}

interface DeviceView {
  id: string;
  status: string;
  revokedAt: number | null;
  wipeConfirmedAt: number | null;
}

describe('attack: confirm a wipe that never happened (finding 4)', () => {
  let s: TestServer;
  let admin: TestDevice;
  let laptop: { deviceId: string; client: ServerClient };

  /** A rep's device enrolled with the real client's key and ServerClient. */
  async function enrollRealClient(): Promise<{ deviceId: string; client: ServerClient }> {
    const { rep } = s.fixture.users;
    const enrollmentToken = await signInWithMfa(s.baseUrl, rep.username, rep.password, rep.totpSecret, s.clock.now);
    const key = await DeviceKey.create(memorySecrets());
    const res = await fetch(`${s.baseUrl}/v1/devices/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollmentToken, publicKey: key.publicKeyBase64Url(), name: 'laptop', platform: 'linux', appVersion: '0.1.0' }),
    });
    const body = (await res.json()) as { deviceId: string; accessToken: string; accessExpiresAt: number; serverKey: { jwk: Record<string, unknown> } };
    expect(res.status).toBe(200);
    const client = new ServerClient({
      baseUrl: s.baseUrl, appVersion: '0.1.0', identity: { deviceId: body.deviceId, key, pinnedKey: body.serverKey.jwk },
    });
    client.setAccessToken(body.accessToken, body.accessExpiresAt);
    return { deviceId: body.deviceId, client };
  }

  async function deviceView(deviceId: string): Promise<DeviceView> {
    const res = await admin.signedFetch('GET', '/v1/admin/devices');
    expect(res.status).toBe(200);
    const { devices } = (await res.json()) as { devices: DeviceView[] };
    return devices.find((d) => d.id === deviceId)!;
  }

  const storedWipeTime = async (deviceId: string) =>
    (await s.database.db.selectFrom('devices').select('wipe_confirmed_at').where('id', '=', deviceId).executeTakeFirstOrThrow()).wipe_confirmed_at;

  const refusal = async (send: Promise<void>) => {
    const err = await send.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    return { code: (err as ServerError).code, status: (err as ServerError).status, details: (err as ServerError).details };
  };

  beforeAll(async () => {
    s = await startTestServer();
    const { itAdmin } = s.fixture.users;
    admin = await enrollTestDevice(s.baseUrl, itAdmin.username, itAdmin.password, itAdmin.totpSecret, { now: s.clock.now });
    laptop = await enrollRealClient();
  });
  afterAll(async () => {
    await s.close();
  });

  it('an active device cannot confirm a wipe, and nothing is stored', async () => {
    const nowS = Math.floor(s.clock.now() / 1000);
    const r = await refusal(laptop.client.prepareSigned('confirmWipe', { directiveIat: nowS }).send());
    expect(r).toMatchObject({ status: 409, code: 'wipe_not_allowed', details: { reason: 'device_not_revoked' } });
    expect(await storedWipeTime(laptop.deviceId)).toBeNull();
    // The device still works: nothing else happened to it.
    await expect(laptop.client.refresh()).resolves.toBeUndefined();
  });

  it('after the revocation, the screen does not show "wipe confirmed" (not even for a time stored before it)', async () => {
    // What an earlier version would have stored from the active device's confirmation.
    await s.database.db.updateTable('devices').set({ wipe_confirmed_at: s.clock.now() }).where('id', '=', laptop.deviceId).execute();
    s.clock.advance(1_000);
    const revoked = await admin.signedFetch('POST', `/v1/admin/devices/${laptop.deviceId}/revoke`, {});
    expect(revoked.status).toBe(200);
    const view = await deviceView(laptop.deviceId);
    expect(view.status).toBe('revoked');
    expect(view.wipeConfirmedAt).toBeNull();
  });

  it('a revoked device cannot confirm with a directive from before its revocation, or one not issued yet', async () => {
    const { revokedAt } = await deviceView(laptop.deviceId);
    const before = Math.floor(revokedAt! / 1000) - 60;
    expect(await refusal(laptop.client.prepareSigned('confirmWipe', { directiveIat: before }).send())).toMatchObject({
      status: 409, code: 'wipe_not_allowed', details: { reason: 'directive_before_revocation' },
    });
    const future = Math.floor(s.clock.now() / 1000) + 3600;
    expect(await refusal(laptop.client.prepareSigned('confirmWipe', { directiveIat: future }).send())).toMatchObject({
      status: 409, code: 'wipe_not_allowed', details: { reason: 'directive_from_the_future' },
    });
    expect((await deviceView(laptop.deviceId)).wipeConfirmedAt).toBeNull();
  });

  it('the real client, revoked, confirms with the directive it received, and the screen shows it', async () => {
    const err = await laptop.client.refresh().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RevokedError);
    const directive = err as RevokedError;
    await laptop.client.prepareSigned('confirmWipe', { directiveIat: directive.claims.iat }).send();
    const view = await deviceView(laptop.deviceId);
    expect(view.wipeConfirmedAt).not.toBeNull();
    expect(view.wipeConfirmedAt!).toBeGreaterThanOrEqual(view.revokedAt!);
    const outcomes = await s.database.db
      .selectFrom('audit_log').select('outcome').where('action', '=', 'device.wipe_confirmed').orderBy('seq').execute();
    expect(outcomes.map((o) => o.outcome)).toEqual(['denied', 'denied', 'denied', 'ok']);
  });
});
