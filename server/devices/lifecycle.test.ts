import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceView } from '../../shared/protocol/routes';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';

describe('device lifecycle: sign-out retires the device', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer();
  });
  afterEach(async () => {
    await s.close();
  });

  async function allowOneDevice(roleId: string): Promise<void> {
    const role = await s.database.db.selectFrom('roles').select('offline').where('id', '=', roleId).executeTakeFirstOrThrow();
    const offline = { ...(JSON.parse(role.offline) as Record<string, unknown>), maxDevices: 1 };
    await s.database.db.updateTable('roles').set({ offline: JSON.stringify(offline) }).where('id', '=', roleId).execute();
  }

  async function enrollRep(installId: string, hostName = 'LAPTOP-ZHANG01'): Promise<TestDevice> {
    const { rep } = s.fixture.users;
    // each sign-in needs a fresh TOTP time step: move the server clock instead of waiting
    s.clock.advance(60_000);
    return enrollTestDevice(s.baseUrl, rep.username, rep.password, rep.totpSecret, {
      now: s.clock.now, installId, hostName, osVersion: 'Windows 11 (10.0.22631)', appVersion: '1.4.0',
    });
  }

  async function listDevices(admin: TestDevice): Promise<DeviceView[]> {
    const res = await admin.signedFetch('GET', '/v1/admin/devices');
    expect(res.status).toBe(200);
    return ((await res.json()) as { devices: DeviceView[] }).devices;
  }

  it('sign out → sign in four times in a row on a role allowed one device, with one new-device alert only', async () => {
    const { rep, itAdmin } = s.fixture.users;
    await allowOneDevice(rep.roleId);
    const installId = randomUUID();
    const devices: TestDevice[] = [];
    for (let i = 0; i < 4; i++) {
      const device = await enrollRep(installId);
      devices.push(device);
      expect((await device.refresh('1.4.0')).status).toBe(200);
      const out = await device.signedFetch('POST', '/v1/devices/sign-out', undefined, { accessToken: false });
      expect(out.status).toBe(200);
      // retired: every later request from it is refused
      expect((await device.refresh('1.4.0')).status).toBe(403);
    }
    const alerts = await s.database.db.selectFrom('alerts').select(['rule', 'device_id']).where('user_id', '=', rep.id).execute();
    expect(alerts.filter((a) => a.rule === 'new_device').map((a) => a.device_id)).toEqual([devices[0]!.deviceId]);

    s.clock.advance(60_000);
    const admin = await enrollTestDevice(s.baseUrl, itAdmin.username, itAdmin.password, itAdmin.totpSecret, { now: s.clock.now });
    const views = (await listDevices(admin)).filter((d) => d.userId === rep.id);
    expect(views).toHaveLength(4);
    for (const view of views) {
      expect(view).toMatchObject({ lifecycle: 'signed_out', status: 'revoked', hostName: 'LAPTOP-ZHANG01', osVersion: 'Windows 11 (10.0.22631)', lastIp: '127.0.0.1' });
      expect(view.signedOutAt).not.toBeNull();
      expect(view.wipeConfirmedAt).toBeNull();
    }
    const audit = await s.database.db.selectFrom('audit_log').select('details').where('action', '=', 'device.enroll').where('actor_id', '=', rep.id).orderBy('seq').execute();
    expect(audit.map((a) => (JSON.parse(a.details) as { sameMachineAs?: string }).sameMachineAs ?? null))
      .toEqual([null, devices[0]!.deviceId, devices[1]!.deviceId, devices[2]!.deviceId]);
  });

  it('another installation is a new device, and the limit refusal says what to do', async () => {
    const { rep } = s.fixture.users;
    await allowOneDevice(rep.roleId);
    const first = await enrollRep(randomUUID());
    await expect(enrollRep(randomUUID(), 'LAPTOP-OTHER')).rejects.toThrow(/device_limit.*sign out on one of them, or ask IT to revoke/);
    expect((await first.signedFetch('POST', '/v1/devices/sign-out', undefined, { accessToken: false })).status).toBe(200);
    const second = await enrollRep(randomUUID(), 'LAPTOP-OTHER');
    const alerts = await s.database.db.selectFrom('alerts').select('device_id').where('rule', '=', 'new_device').where('user_id', '=', rep.id).execute();
    expect(alerts.map((a) => a.device_id).sort()).toEqual([first.deviceId, second.deviceId].sort());
  });

  it('a sign-out never undoes a revocation, and a revoked install id does not count as the same machine', async () => {
    const { rep, itAdmin } = s.fixture.users;
    const installId = randomUUID();
    const device = await enrollRep(installId);
    s.clock.advance(60_000);
    const admin = await enrollTestDevice(s.baseUrl, itAdmin.username, itAdmin.password, itAdmin.totpSecret, { now: s.clock.now });
    expect((await admin.signedFetch('POST', `/v1/admin/devices/${device.deviceId}/revoke`)).status).toBe(200);
    const out = await device.signedFetch('POST', '/v1/devices/sign-out', undefined, { accessToken: false });
    expect(out.status).toBe(403);
    const view = (await listDevices(admin)).find((d) => d.id === device.deviceId)!;
    expect(view).toMatchObject({ lifecycle: 'revoked', signedOutAt: null });
    const again = await enrollRep(installId);
    const alerts = await s.database.db.selectFrom('alerts').select('device_id').where('rule', '=', 'new_device').where('user_id', '=', rep.id).execute();
    expect(alerts.map((a) => a.device_id)).toContain(again.deviceId);
  });

  it('check-in records host facts and the address; an older app sending none keeps them', async () => {
    const { itAdmin } = s.fixture.users;
    const device = await enrollRep(randomUUID());
    expect((await device.signedFetch('POST', '/v1/session/refresh', { appVersion: '1.5.0', hostName: 'LAPTOP-RENAMED', osVersion: 'Windows 11 (10.0.26100)' })).status).toBe(200);
    expect((await device.signedFetch('POST', '/v1/session/refresh', { appVersion: '1.5.1' })).status).toBe(200);
    const bad = await device.signedFetch('POST', '/v1/session/refresh', { appVersion: '1.5.1', hostName: 'x'.repeat(101) });
    expect(bad.status).toBe(400);
    s.clock.advance(60_000);
    const admin = await enrollTestDevice(s.baseUrl, itAdmin.username, itAdmin.password, itAdmin.totpSecret, { now: s.clock.now });
    const view = (await listDevices(admin)).find((d) => d.id === device.deviceId)!;
    expect(view).toMatchObject({ appVersion: '1.5.1', hostName: 'LAPTOP-RENAMED', osVersion: 'Windows 11 (10.0.26100)', lastIp: '127.0.0.1', lifecycle: 'active' });
  });
});
