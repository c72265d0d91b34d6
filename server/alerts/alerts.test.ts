import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/protocol/routes';
import { addCustomer, ModelVault, pullPage, syncToEnd } from '../../test/support/server/sync-kit';
import { enrollTestDevice, type TestDevice } from '../test/client';
import type { FixtureUserKey } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';
import { callJson, moveClockToShanghaiHour } from '../../test/support/server/alert-kit';
import { setAlertConfig } from './monitor';

const HOUR = 3_600_000;

describe('anomaly alerts over HTTP', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  async function start(): Promise<TestServer> {
    s = await startTestServer();
    // Tests run at any time of day: place the server clock at 10:05 Shanghai time.
    moveClockToShanghaiHour(s.clock, 10);
    return s;
  }

  function enroll(server: TestServer, key: FixtureUserKey, name?: string): Promise<TestDevice> {
    const u = server.fixture.users[key];
    return enrollTestDevice(server.baseUrl, u.username, u.password, u.totpSecret, { now: server.clock.now, ...(name ? { name } : {}) });
  }

  async function alerts(admin: TestDevice, query = ''): Promise<AlertView[]> {
    const res = await callJson(admin, 'GET', `/v1/alerts${query}`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return res.json.alerts as AlertView[];
  }

  async function failSignIn(server: TestServer, username: string): Promise<void> {
    const res = await fetch(`${server.baseUrl}/v1/auth/sign-in`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'wrong password!' }),
    });
    expect(res.status).toBe(401);
  }

  it('raises one alert at the third failed sign-in of a user, audited; readable by auditors, acknowledged by IT', async () => {
    const server = await start();
    const admin = await enroll(server, 'itAdmin');
    const rep = server.fixture.users.rep;

    await failSignIn(server, rep.username);
    await failSignIn(server, rep.username);
    expect(await alerts(admin, '?rule=failed_sign_in_user')).toEqual([]);
    await failSignIn(server, rep.username);
    await failSignIn(server, rep.username); // same window: still one alert

    const raised = await alerts(admin, '?rule=failed_sign_in_user');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ userId: rep.id, status: 'open', severity: 'medium', details: { threshold: 3, ip: '127.0.0.1' } });
    expect(raised[0]!.details.failures).toBe(3);

    const audit = await callJson(admin, 'GET', '/v1/audit?action=alert.raised');
    const entries = audit.json.entries as { target: string; details: { rule: string } }[];
    expect(entries.some((e) => e.target === raised[0]!.id && e.details.rule === 'failed_sign_in_user')).toBe(true);

    // Auditors read alerts; only admin.devices acknowledges; a rep sees nothing.
    const auditor = await enroll(server, 'auditor');
    expect((await alerts(auditor, '?rule=failed_sign_in_user')).map((a) => a.id)).toEqual([raised[0]!.id]);
    expect((await callJson(auditor, 'POST', `/v1/alerts/${raised[0]!.id}/acknowledge`, {})).status).toBe(403);
    const repDevice = await enroll(server, 'rep2');
    expect((await callJson(repDevice, 'GET', '/v1/alerts')).status).toBe(403);

    const ack = await callJson(admin, 'POST', `/v1/alerts/${raised[0]!.id}/acknowledge`, { note: 'user forgot the password' });
    expect(ack.status).toBe(200);
    expect(ack.json.alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: server.fixture.users.itAdmin.id, note: 'user forgot the password' });
    expect((await alerts(admin, '?status=open&rule=failed_sign_in_user'))).toEqual([]);
    expect((await callJson(admin, 'POST', '/v1/alerts/no-such-alert/acknowledge')).status).toBe(404);
  });

  it('counts failures per IP across usernames (threshold lowered)', async () => {
    const server = await start();
    await setAlertConfig(server.ctx, { failedSignIn: { perIp: 4 } });
    for (const name of ['ghost.a', 'ghost.b', 'ghost.c']) await failSignIn(server, name);
    const admin = await enroll(server, 'itAdmin');
    expect(await alerts(admin, '?rule=failed_sign_in_ip')).toEqual([]);
    await failSignIn(server, 'ghost.d');
    const byIp = await alerts(admin, '?rule=failed_sign_in_ip');
    expect(byIp).toHaveLength(1);
    expect(byIp[0]).toMatchObject({ userId: null, severity: 'high', details: { ip: '127.0.0.1', failures: 4, threshold: 4 } });
  });

  it('raises a new-device alert at every enrollment, more severe while another device is active', async () => {
    const server = await start();
    const admin = await enroll(server, 'itAdmin');
    const first = await enroll(server, 'rep', 'office laptop');
    const second = await enroll(server, 'rep', 'home laptop');
    const rep = server.fixture.users.rep;
    const raised = (await alerts(admin, `?rule=new_device&userId=${rep.id}`)).sort((a, b) => a.at - b.at);
    expect(raised.map((a) => a.deviceId)).toEqual([first.deviceId, second.deviceId]);
    expect(raised.map((a) => a.severity)).toEqual(['low', 'medium']);
    expect(raised[1]!.details).toMatchObject({ otherActiveDevices: 1, ip: '127.0.0.1' });
  });

  it('exempts the first sync, then alerts on a large pull; the device keeps working without autoSuspend', async () => {
    const server = await start();
    await setAlertConfig(server.ctx, { volume: { pullRecords: 10 } });
    const rep = server.fixture.users.rep;
    for (const id of ['c1', 'c2', 'c3']) await addCustomer(server, rep.id, id); // 4 records each
    const admin = await enroll(server, 'itAdmin');
    const device = await enroll(server, 'rep');
    const vault = new ModelVault();
    await syncToEnd(device, vault);
    expect(vault.records.size).toBe(12);
    expect(await alerts(admin, '?rule=pull_volume')).toEqual([]); // first sync: 12 > 10 but exempt

    server.clock.advance(2 * HOUR);
    expect((await device.refresh()).status).toBe(200);
    expect((await admin.refresh()).status).toBe(200);
    for (const id of ['c4', 'c5']) await addCustomer(server, rep.id, id);
    await syncToEnd(device, vault);
    expect(await alerts(admin, '?rule=pull_volume')).toEqual([]); // 8 ≤ 10
    await addCustomer(server, rep.id, 'c6');
    await syncToEnd(device, vault); // 12 in the window

    const raised = await alerts(admin, '?rule=pull_volume');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ deviceId: device.deviceId, userId: rep.id, severity: 'high', details: { amount: 12, threshold: 10, autoSuspended: false } });
    expect((await pullPage(device, vault.cursor)).status).toBe(200);
  });

  it('with autoSuspend, a large pull revokes the device: the next request is 403 with a wipe directive', async () => {
    const server = await start();
    await setAlertConfig(server.ctx, { volume: { pullRecords: 5, firstSyncGraceMs: 0, autoSuspend: true } });
    const rep = server.fixture.users.rep;
    for (const id of ['c1', 'c2']) await addCustomer(server, rep.id, id);
    const admin = await enroll(server, 'itAdmin');
    const device = await enroll(server, 'rep');

    const first = await pullPage(device, null);
    expect(first.status).toBe(200); // the pull that tripped the rule was already answered
    const next = await pullPage(device, first.page!.cursor);
    expect(next.status).toBe(403);
    const body = next.body as { error: { code: string }; wipe?: string };
    expect(body.error.code).toBe('device_revoked');
    expect(typeof body.wipe).toBe('string');

    const raised = await alerts(admin, '?rule=pull_volume');
    expect(raised[0]).toMatchObject({ deviceId: device.deviceId, details: { autoSuspended: true } });
    const devices = await callJson(admin, 'GET', '/v1/admin/devices');
    const row = (devices.json.devices as { id: string; status: string }[]).find((d) => d.id === device.deviceId);
    expect(row?.status).toBe('revoked');
    // The revoke went through the admin path: audited as a revocation by the system (no actor).
    const audit = await callJson(admin, 'GET', '/v1/audit?action=admin.device.revoke');
    expect((audit.json.entries as { target: string; actorId: string | null }[]).find((e) => e.target === device.deviceId)?.actorId).toBeNull();
  });

  it('alerts on offline views uploaded from the vault beyond the threshold', async () => {
    const server = await start();
    await setAlertConfig(server.ctx, { volume: { offlineViews: 3 } });
    const admin = await enroll(server, 'itAdmin');
    const device = await enroll(server, 'rep');
    const view = () => ({ id: randomUUID(), at: server.clock.now(), action: 'view', entity: 'customer', recordId: 'c1' });
    expect((await callJson(device, 'POST', '/v1/audit/offline', { entries: [view(), view(), view()] })).status).toBe(200);
    expect(await alerts(admin, '?rule=offline_view_volume')).toEqual([]);
    expect((await callJson(device, 'POST', '/v1/audit/offline', { entries: [view()] })).status).toBe(200);
    const raised = await alerts(admin, '?rule=offline_view_volume');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ deviceId: device.deviceId, details: { amount: 4, threshold: 3 } });
  });

  it('alerts once per user and night on activity outside working hours, not on background sync', async () => {
    const server = await start(); // 10:05 Shanghai
    const admin = await enroll(server, 'itAdmin');
    const rep = await enroll(server, 'rep');
    const manager = await enroll(server, 'manager');
    expect(await alerts(admin, '?rule=off_hours')).toEqual([]);

    moveClockToShanghaiHour(server.clock, 3); // 03:05 the next night
    for (const d of [admin, rep, manager]) expect((await d.refresh()).status).toBe(200);
    expect((await pullPage(manager, null)).status).toBe(200); // automatic: no alert
    const entry = () => ({ id: randomUUID(), at: server.clock.now(), action: 'export', entity: 'customer', count: 2 });
    expect((await callJson(rep, 'POST', '/v1/audit/offline', { entries: [entry()] })).status).toBe(200);
    expect((await callJson(rep, 'POST', '/v1/audit/offline', { entries: [entry()] })).status).toBe(200);

    const raised = await alerts(admin, '?rule=off_hours');
    // The IT admin's own alert listing at 03:05 is activity too; the rep's uploads raise one.
    const repAlerts = raised.filter((a) => a.userId === server.fixture.users.rep.id);
    expect(repAlerts).toHaveLength(1);
    expect(repAlerts[0]!.details).toMatchObject({ action: 'offline.export', localTime: '03:05', workingHours: '07:00-22:00', timeZone: 'Asia/Shanghai' });
    expect(raised.some((a) => a.userId === server.fixture.users.manager.id)).toBe(false);

    // Configured hours that include the night: no new alert for another user.
    await setAlertConfig(server.ctx, { workingHours: { start: '00:00', end: '23:59' } });
    const director = await enroll(server, 'director');
    expect((await callJson(director, 'POST', '/v1/audit/offline', { entries: [entry()] })).status).toBe(200);
    expect((await alerts(admin, '?rule=off_hours')).some((a) => a.userId === server.fixture.users.director.id)).toBe(false);
  });

  it('rejects a bad alert id or query with a clear 400', async () => {
    const server = await start();
    const admin = await enroll(server, 'itAdmin');
    const badRule = await callJson(admin, 'GET', '/v1/alerts?rule=nonsense');
    expect(badRule.status).toBe(400);
    expect(JSON.stringify(badRule.json)).toContain('query.rule');
    expect((await callJson(admin, 'POST', '/v1/alerts/bad%20id/acknowledge', {})).status).toBe(400);
  });
});
