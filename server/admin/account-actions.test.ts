import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceView, UserView } from '../../shared/protocol/routes';
import { enrollTestDevice, signInWithMfa, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';

describe('IT actions on a user: unlock, reset MFA, sign out everywhere, revoke all devices', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer();
  });
  afterEach(async () => {
    await s.close();
  });

  async function enroll(key: 'rep' | 'itAdmin', name?: string): Promise<TestDevice> {
    const u = s.fixture.users[key];
    s.clock.advance(60_000);
    return enrollTestDevice(s.baseUrl, u.username, u.password, u.totpSecret, { now: s.clock.now, ...(name ? { name } : {}) });
  }
  async function call(device: TestDevice, path: string) {
    const res = await device.signedFetch('POST', path);
    return { status: res.status, json: (await res.json()) as { user?: UserView; devices?: DeviceView[]; signedOutDevices?: number; error?: { code: string } } };
  }
  async function signIn(username: string, password: string) {
    const res = await fetch(`${s.baseUrl}/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return { status: res.status, json: (await res.json()) as { mfaSetupRequired?: boolean; error?: { code: string } } };
  }

  it('a locked rep shows as locked, is unlocked by IT and signs in; nobody unlocks themselves', async () => {
    const { rep, itAdmin } = s.fixture.users;
    const admin = await enroll('itAdmin');
    for (let i = 0; i < 5; i++) await signIn(rep.username, 'wrong password!');
    expect((await signIn(rep.username, rep.password)).status).toBe(401);
    const listed = await admin.signedFetch('GET', '/v1/admin/users');
    const users = ((await listed.json()) as { users: UserView[] }).users;
    expect(users.find((u) => u.id === rep.id)!.lockedUntil).toBeGreaterThan(s.clock.now());

    expect((await call(admin, `/v1/admin/users/${itAdmin.id}/unlock`)).json.error?.code).toBe('self_change');
    const done = await call(admin, `/v1/admin/users/${rep.id}/unlock`);
    expect(done.status).toBe(200);
    expect(done.json.user).toMatchObject({ id: rep.id, lockedUntil: null });
    expect((await signIn(rep.username, rep.password)).status).toBe(200);
    await signInWithMfa(s.baseUrl, rep.username, rep.password, rep.totpSecret, s.clock.now);

    const audit = await s.database.db.selectFrom('audit_log').select(['actor_id', 'target']).where('action', '=', 'admin.user.unlock').execute();
    expect(audit).toEqual([{ actor_id: itAdmin.id, target: rep.id }]);
  });

  it('a rep holds no admin permission: every action is refused', async () => {
    const { rep2 } = s.fixture.users;
    const repDevice = await enroll('rep');
    for (const action of ['unlock', 'reset-mfa', 'sign-out-everywhere', 'revoke-devices']) {
      const res = await call(repDevice, `/v1/admin/users/${rep2.id}/${action}`);
      expect(res.status).toBe(403);
      expect(res.json.error?.code).toBe('forbidden');
    }
    const other = await call(repDevice, '/v1/admin/users/no-such-user/unlock');
    expect(other.status).toBe(403);
  });

  it('reset MFA: the user sets up an authenticator at the next sign-in; not on oneself; unknown user 404', async () => {
    const { rep, itAdmin } = s.fixture.users;
    const admin = await enroll('itAdmin');
    expect((await call(admin, `/v1/admin/users/${itAdmin.id}/reset-mfa`)).json.error?.code).toBe('self_change');
    expect((await call(admin, '/v1/admin/users/no-such-user/reset-mfa')).status).toBe(404);
    const done = await call(admin, `/v1/admin/users/${rep.id}/reset-mfa`);
    expect(done.json.user).toMatchObject({ id: rep.id, mfaEnrolled: false });
    const next = await signIn(rep.username, rep.password);
    expect(next.json.mfaSetupRequired).toBe(true);
  });

  it('sign out everywhere retires every device (told to wipe); revoke all devices revokes them', async () => {
    const { rep, itAdmin } = s.fixture.users;
    const office = await enroll('rep', 'office');
    const home = await enroll('rep', 'home');
    const admin = await enroll('itAdmin');
    const out = await call(admin, `/v1/admin/users/${rep.id}/sign-out-everywhere`);
    expect(out.json.signedOutDevices).toBe(2);
    for (const d of [office, home]) {
      const res = await d.refresh();
      expect(res.status).toBe(403);
      expect(((await res.json()) as { wipe: string }).wipe).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    }
    const list = ((await (await admin.signedFetch('GET', '/v1/admin/devices')).json()) as { devices: DeviceView[] }).devices;
    expect(list.filter((d) => d.userId === rep.id).map((d) => d.lifecycle)).toEqual(['signed_out', 'signed_out']);

    // both devices are free again: the rep signs in twice more, then IT revokes them all
    const again = [await enroll('rep'), await enroll('rep')];
    expect((await call(admin, `/v1/admin/users/${itAdmin.id}/revoke-devices`)).json.error?.code).toBe('self_change');
    const revoked = await call(admin, `/v1/admin/users/${rep.id}/revoke-devices`);
    expect(revoked.json.devices!.map((d) => d.id).sort()).toEqual(again.map((d) => d.deviceId).sort());
    expect(revoked.json.devices!.every((d) => d.lifecycle === 'revoked')).toBe(true);
    const actions = await s.database.db.selectFrom('audit_log').select('action').where('target', '=', rep.id).where('action', 'like', 'admin.user.%').execute();
    expect(actions.map((a) => a.action)).toEqual(['admin.user.sign_out_everywhere', 'admin.user.revoke_all_devices']);
  });
});
