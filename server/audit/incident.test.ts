// The incident view over real HTTP (SQLite, and PostgreSQL with SV_TEST_DB=postgres): a user's
// and a device's timeline from the audit trail and the device and alert tables, routine syncs
// folded with their count, and who may read it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentView } from '../../shared/protocol/routes';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';
import { formatIncident } from './incident';

describe('incident view', () => {
  let s: TestServer;
  let admin: TestDevice;
  let auditor: TestDevice;
  let laptop: TestDevice;
  let phone: TestDevice;

  async function incident(device: TestDevice, path: string): Promise<{ status: number; body: IncidentView & { error?: { code: string } } }> {
    const res = await device.signedFetch('GET', path);
    return { status: res.status, body: (await res.json()) as IncidentView & { error?: { code: string } } };
  }

  beforeAll(async () => {
    s = await startTestServer();
    const { rep, itAdmin, auditor: auditorUser } = s.fixture.users;
    await s.database.db.updateTable('users').set({ display_name: '王建国' }).where('id', '=', itAdmin.id).execute();
    const enroll = (u: typeof rep, hostName: string) => {
      s.clock.advance(60_000);
      return enrollTestDevice(s.baseUrl, u.username, u.password, u.totpSecret, { now: s.clock.now, hostName });
    };
    laptop = await enroll(rep, 'LAPTOP-LI');
    phone = await enroll(rep, 'SECOND-LI');
    admin = await enroll(itAdmin, 'IT-DESK');
    auditor = await enroll(auditorUser, 'AUDIT-PC');
    for (let i = 0; i < 4; i++) {
      s.clock.advance(20_000);
      expect((await laptop.refresh()).status).toBe(200);
    }
    // An edit of the rep's account, then the laptop is revoked and confirms its wipe.
    s.clock.advance(60_000);
    // (a rename narrows nothing: applied at once, no approval)
    const renamed = await admin.signedFetch('PATCH', `/v1/admin/users/${rep.id}`, { displayName: '李雷' });
    expect(renamed.status).toBe(200);
    // a change to the role the rep holds (a rename widens nothing either)
    const role = await admin.signedFetch('PATCH', `/v1/admin/roles/${rep.roleId}`, { name: '外勤销售' });
    expect(role.status).toBe(200);
    expect((await admin.signedFetch('POST', `/v1/admin/devices/${laptop.deviceId}/revoke`)).status).toBe(200);
    await s.ctx.audit.append({ actorId: rep.id, deviceId: laptop.deviceId, action: 'device.wipe_confirmed', target: laptop.deviceId, outcome: 'ok', details: {} });
    await s.database.db.insertInto('alerts').values({
      id: 'alert-1', at: s.clock.now(), rule: 'new_device', severity: 'medium', user_id: rep.id, device_id: phone.deviceId,
      details: '{}', status: 'open', dedupe_key: 'k1', acknowledged_by: null, acknowledged_at: null, note: null,
    }).execute();
  });

  afterAll(async () => {
    await s?.close();
  });

  it("tells a user's story newest first: enrolments, sign-ins, folded syncs, scope change, alert, revocation, wipe", async () => {
    const { status, body } = await incident(auditor, `/v1/admin/incidents/users/${s.fixture.users.rep.id}`);
    expect(status).toBe(200);
    expect(body.user).toMatchObject({ id: s.fixture.users.rep.id, username: 'rep.li' });
    expect(body.devices.map((d) => d.id).sort()).toEqual([laptop.deviceId, phone.deviceId].sort());
    const kinds = body.events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['enrolment', 'sign_in', 'sync', 'scope_change', 'alert', 'revocation', 'wipe']));
    expect(body.events.map((e) => e.at)).toEqual([...body.events.map((e) => e.at)].sort((a, b) => b - a));
    // four check-ins of the laptop are one event
    const syncs = body.events.filter((e) => e.kind === 'sync' && e.deviceId === laptop.deviceId);
    expect(syncs).toHaveLength(1);
    expect(syncs[0]!.folded?.count).toBe(4);
    expect(body.events.filter((e) => e.kind === 'scope_change').map((e) => e.action).sort()).toEqual(['admin.role.update', 'admin.user.update']);
    const revocation = body.events.find((e) => e.action === 'admin.device.revoke');
    expect(revocation).toMatchObject({ kind: 'revocation', actorName: '王建国', target: laptop.deviceId, deviceId: admin.deviceId });
    expect(revocation?.deviceName).toContain('IT-DESK');
    expect(body.events.find((e) => e.kind === 'alert')).toMatchObject({ alert: { id: 'alert-1', rule: 'new_device', status: 'open' } });
    expect(body.events.some((e) => e.action === 'alert.raised')).toBe(false);
    expect(body.truncated).toBe(false);
  });

  it("tells a device's story: only what happened from it or to it", async () => {
    const { body } = await incident(admin, `/v1/admin/incidents/devices/${laptop.deviceId}`);
    expect(body.devices).toEqual([expect.objectContaining({ id: laptop.deviceId, status: 'revoked', hostName: 'LAPTOP-LI' })]);
    expect(body.user.username).toBe('rep.li');
    expect(body.events.filter((e) => !e.alert).every((e) => e.deviceId === laptop.deviceId || e.target === laptop.deviceId)).toBe(true);
    expect(body.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['enrolment', 'sync', 'revocation', 'wipe']));
    // its own alert (every enrolment raises new_device), not the other device's
    const alerts = body.events.filter((e) => e.kind === 'alert');
    expect(alerts.map((e) => e.alert?.rule)).toContain('new_device');
    expect(alerts.every((e) => e.deviceId === laptop.deviceId)).toBe(true);
    const text = formatIncident(body).join('\n');
    expect(text).toContain('rep.li');
    expect(text).toContain('admin.device.revoke');
    expect(text).toMatch(/device\.check_in ok ×4 since/);
  });

  it('is for audit readers only, and says when there is nobody', async () => {
    expect((await incident(phone, `/v1/admin/incidents/users/${s.fixture.users.rep.id}`)).status).toBe(403);
    const missing = await incident(auditor, '/v1/admin/incidents/devices/no-such-device');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('not_found');
  });
});
