import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import type { ServerEvent } from '../../shared/protocol/sync';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { approveWith } from '../test/approvals';
import { startTestServer, type TestServer } from '../test/server';

// Response bodies are checked field by field below; typing each one would only restate the schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(res: Response): Promise<any> {
  return res.json();
}

describe('admin API', () => {
  let s: TestServer;
  let it_: TestDevice; // IT admin
  let it2: TestDevice; // a second IT admin (approves widening changes)
  let auditor: TestDevice;
  let rep: TestDevice;
  let manager: TestDevice;
  const events: Record<string, ServerEvent[]> = {};

  const listen = (device: TestDevice, userId: string) => {
    events[device.deviceId] = [];
    s.ctx.events.subscribe(device.deviceId, userId, (e) => events[device.deviceId]!.push(e));
  };

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    const enroll = (x: typeof u.rep) => enrollTestDevice(s.baseUrl, x.username, x.password, x.totpSecret, { now: s.clock.now });
    it_ = await enroll(u.itAdmin);
    it2 = await enroll(u.itAdmin2);
    auditor = await enroll(u.auditor);
    rep = await enroll(u.rep);
    manager = await enroll(u.manager);
    listen(rep, u.rep.id);
    listen(manager, u.manager.id);
  });
  afterAll(async () => {
    await s.close();
  });

  it('an IT admin and an auditor get no customer scope at all', () => {
    for (const device of [it_, auditor]) {
      const grant = decodeJwt(device.grant);
      expect(grant.dataScope).toBe('none');
      expect(grant.buckets).toEqual([]);
    }
  });

  it('IT admin calls work; the same calls by a rep or an auditor are 403 and audited as denied', async () => {
    expect((await it_.signedFetch('GET', '/v1/admin/users')).status).toBe(200);
    expect((await it_.signedFetch('GET', '/v1/admin/roles')).status).toBe(200);
    expect((await it_.signedFetch('GET', '/v1/admin/units')).status).toBe(200);
    expect((await it_.signedFetch('GET', '/v1/admin/devices')).status).toBe(200);
    expect((await it_.signedFetch('GET', '/v1/admin/classification')).status).toBe(200);
    for (const [device, path] of [
      [rep, '/v1/admin/users'], [rep, '/v1/admin/devices'], [rep, '/v1/admin/roles'], [rep, '/v1/audit'],
      [rep, '/v1/audit/verify'], [auditor, '/v1/admin/users'], [auditor, '/v1/admin/devices'],
    ] as const) {
      const res = await device.signedFetch('GET', path);
      expect(res.status, `${path}`).toBe(403);
      expect((await json(res)).error.code).toBe('forbidden');
    }
    const create = await rep.signedFetch('POST', '/v1/admin/users', {
      username: 'sneaky', displayName: 'x', password: 'password123', unitId: 'unit-team-a', roleId: 'role-it-admin',
    });
    expect(create.status).toBe(403);
    const denied = await s.database.db.selectFrom('audit_log').selectAll().where('outcome', '=', 'denied').execute();
    expect(denied.length).toBeGreaterThanOrEqual(8);
  });

  it('the auditor reads and verifies the audit trail', async () => {
    const list = await auditor.signedFetch('GET', '/v1/audit?limit=5&action=device.enroll');
    expect(list.status).toBe(200);
    const { entries } = await json(list);
    expect(entries.length).toBe(5);
    expect(entries.every((e: { action: string }) => e.action === 'device.enroll')).toBe(true);
    const verify = await json(await auditor.signedFetch('GET', '/v1/audit/verify'));
    expect(verify).toMatchObject({ ok: true, firstBrokenSeq: null });
    expect(verify.checked).toBeGreaterThan(10);
  });

  it('moving a user re-scopes exactly the users whose scope changed', async () => {
    const u = s.fixture.users;
    events[rep.deviceId]!.length = 0;
    events[manager.deviceId]!.length = 0;
    // Team B's unit-wide shares now reach the rep: a widening, applied once a second admin approves.
    await approveWith(it2, await it_.signedFetch('PATCH', `/v1/admin/users/${u.rep.id}`, { unitId: 'unit-team-b' }));
    const moved = await s.database.db.selectFrom('users').select('unit_id').where('id', '=', u.rep.id).executeTakeFirstOrThrow();
    expect(moved.unit_id).toBe('unit-team-b');
    // The rep (new unit) and the team-A manager (loses the rep's records) are told; both with the new version.
    expect(events[rep.deviceId]).toEqual([{ type: 'scope-changed', scopeVersion: expect.any(Number) }]);
    expect(events[manager.deviceId]).toEqual([{ type: 'scope-changed', scopeVersion: expect.any(Number) }]);
    const before = decodeJwt(manager.grant);
    await manager.refresh();
    const after = decodeJwt(manager.grant);
    expect(after.buckets).not.toContain(`o:${u.rep.id}`);
    expect(before.buckets).toContain(`o:${u.rep.id}`);
    expect(after.scopeVersion).toBe((events[manager.deviceId]![0] as { scopeVersion: number }).scopeVersion);

    // A change that shapes nobody's scope (display name) notifies nobody.
    events[manager.deviceId]!.length = 0;
    events[rep.deviceId]!.length = 0;
    expect((await it_.signedFetch('PATCH', `/v1/admin/users/${u.rep.id}`, { displayName: 'Li Lei' })).status).toBe(200);
    expect(events[manager.deviceId]).toEqual([]);
    expect(events[rep.deviceId]).toEqual([]);
  });

  it('editing a role and a field level re-scope the affected users', async () => {
    events[rep.deviceId]!.length = 0;
    events[manager.deviceId]!.length = 0;
    const role = await it_.signedFetch('PATCH', '/v1/admin/roles/role-rep', { readClearance: 'internal' });
    expect(role.status).toBe(200);
    expect((await json(role)).role).toMatchObject({ id: 'role-rep', key: 'rep', readClearance: 'internal' });
    expect(events[rep.deviceId]).toHaveLength(1);
    expect(events[manager.deviceId]).toHaveLength(0);

    const level = await it_.signedFetch('PATCH', '/v1/admin/classification', { entity: 'contact', field: 'phone', level: 'confidential' });
    expect(level.status).toBe(200);
    expect((await json(level)).classification.contact.phone).toBe('confidential');
    expect(events[rep.deviceId]).toHaveLength(2);
    expect(events[manager.deviceId]).toHaveLength(1);
    const unknown = await it_.signedFetch('PATCH', '/v1/admin/classification', { entity: 'contact', field: 'shoeSize', level: 'public' });
    expect(unknown.status).toBe(400);
  });

  it('creates roles, units and users, refusing unknown references and duplicate usernames', async () => {
    const role = await it_.signedFetch('POST', '/v1/admin/roles', {
      name: 'Intern', actions: ['customer.read'], dataScope: 'own', readClearance: 'public', writeClearance: 'public',
      offline: { offlineAllowed: false, leaseHours: 8, wipeAfterHours: 24, exportAllowed: false, maxDevices: 1 },
    });
    expect(role.status).toBe(200);
    const roleId = (await json(role)).role.id;
    const unit = await it_.signedFetch('POST', '/v1/admin/units', { parentId: 'unit-shanghai', name: 'Team C', kind: 'team' });
    expect(unit.status).toBe(200);
    const unitId = (await json(unit)).unit.id;
    const body = { username: 'intern.1', displayName: 'Intern', password: 'password123', unitId, roleId };
    // A new account that can read customers is a widening: it exists once a second admin approves.
    await approveWith(it2, await it_.signedFetch('POST', '/v1/admin/users', body));
    const dup = await it_.signedFetch('POST', '/v1/admin/users', body);
    expect(dup.status).toBe(409);
    const badUnit = await it_.signedFetch('POST', '/v1/admin/users', { ...body, username: 'intern.2', unitId: 'unit-nowhere' });
    expect(badUnit.status).toBe(400);
    expect((await json(badUnit)).error.message).toContain('unitId');
    const badParent = await it_.signedFetch('POST', '/v1/admin/units', { parentId: 'unit-nowhere', name: 'X', kind: 'team' });
    expect(badParent.status).toBe(400);
  });

  it('deactivating a user revokes all their devices and sends each a signed wipe directive', async () => {
    const u = s.fixture.users;
    events[rep.deviceId]!.length = 0;
    const res = await it_.signedFetch('POST', `/v1/admin/users/${u.rep.id}/deactivate`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ user: { status: 'deactivated' }, revokedDevices: 1 });
    const revoked = events[rep.deviceId]!.find((e) => e.type === 'revoked') as { directive: string } | undefined;
    expect(decodeJwt(revoked!.directive)).toMatchObject({ did: rep.deviceId, reason: 'user_deactivated' });
    const after = await rep.refresh();
    expect(after.status).toBe(403);
    expect((await json(after)).wipe).toBeTruthy();
    const devices = await s.database.db.selectFrom('devices').select('status').where('user_id', '=', u.rep.id).execute();
    expect(devices.map((d) => d.status)).toEqual(['revoked']);
    // A deactivated user cannot sign in again either.
    const signIn = await fetch(`${s.baseUrl}/v1/auth/sign-in`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u.rep.username, password: u.rep.password }),
    });
    expect(signIn.status).toBe(403);
    // Nobody changes their own account, not even to lock themselves out.
    const self = await it_.signedFetch('POST', `/v1/admin/users/${u.itAdmin.id}/deactivate`);
    expect(self.status).toBe(403);
    expect((await json(self)).error.code).toBe('self_change');
  });

  it('revoking a device publishes `revoked` to it and lists it as revoked', async () => {
    events[manager.deviceId]!.length = 0;
    const res = await it_.signedFetch('POST', `/v1/admin/devices/${manager.deviceId}/revoke`);
    expect(res.status).toBe(200);
    expect((await json(res)).device.status).toBe('revoked');
    expect(events[manager.deviceId]!.map((e) => e.type)).toEqual(['revoked']);
    const list = await json(await it_.signedFetch('GET', '/v1/admin/devices'));
    const listed = list.devices.find((d: { id: string }) => d.id === manager.deviceId);
    expect(listed).toMatchObject({ status: 'revoked', appVersion: '0.1.0' });
    expect(listed.lastCheckInAt).toEqual(expect.any(Number));
    expect((await it_.signedFetch('POST', '/v1/admin/devices/no-such-device/revoke')).status).toBe(404);
  });
});
