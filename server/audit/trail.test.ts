// The readable audit trail over real HTTP (SQLite, and PostgreSQL with SV_TEST_DB=postgres):
// names resolved on the server, action groups, the person filter, record and device filters,
// routine sync entries folded away with paging still right, and the chain untouched.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditGroupOf } from '../../shared/audit/actions';
import type { AuditEntryView } from '../../shared/protocol/routes';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';
import { verifyChain } from './chain';

describe('readable audit trail', () => {
  let s: TestServer;
  let auditor: TestDevice;
  let admin: TestDevice;
  let repDevice: TestDevice;

  async function list(query: Record<string, string | number> = {}): Promise<AuditEntryView[]> {
    const params = new URLSearchParams(Object.entries({ limit: 1000, ...query }).map(([k, v]) => [k, String(v)]));
    const res = await auditor.signedFetch('GET', `/v1/audit?${params}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { entries: AuditEntryView[] }).entries;
  }

  beforeAll(async () => {
    s = await startTestServer();
    const { rep, itAdmin, auditor: auditorUser } = s.fixture.users;
    await s.database.db.updateTable('users').set({ display_name: '王建国' }).where('id', '=', itAdmin.id).execute();
    await s.database.db.updateTable('users').set({ display_name: '李雷' }).where('id', '=', rep.id).execute();
    const enroll = (u: typeof rep, hostName: string, name: string) => {
      s.clock.advance(60_000);
      return enrollTestDevice(s.baseUrl, u.username, u.password, u.totpSecret, { now: s.clock.now, hostName, name });
    };
    repDevice = await enroll(rep, 'LAPTOP-LILEI', 'Li Lei ThinkPad');
    admin = await enroll(itAdmin, 'IT-DESK-01', 'IT desk');
    auditor = await enroll(auditorUser, 'AUDIT-PC', 'Audit PC');

    // Routine traffic: check-ins and pulls that carry nothing.
    for (let i = 0; i < 3; i++) expect((await repDevice.refresh()).status).toBe(200);
    const first = await repDevice.signedFetch('POST', '/v1/sync/pull', { cursor: null });
    const { cursor } = (await first.json()) as { cursor: string };
    for (let i = 0; i < 2; i++) expect((await repDevice.signedFetch('POST', '/v1/sync/pull', { cursor })).status).toBe(200);
    // A pushed edit and its replay (the replay changed nothing), written as push writes them.
    const edit = { actorId: rep.id, deviceId: repDevice.deviceId, action: 'record.update', target: 'customer:cust-42', outcome: 'ok' as const };
    await s.ctx.audit.append({ ...edit, details: { mutationId: 'm1', status: 'applied', fields: ['name'] } });
    await s.ctx.audit.append({ ...edit, details: { mutationId: 'm1', status: 'duplicate', fields: ['name'] } });
    // A refused admin request (the auditor may not list users) and the revocation of the rep's laptop.
    expect((await auditor.signedFetch('GET', '/v1/admin/users')).status).toBe(403);
    expect((await admin.signedFetch('POST', `/v1/admin/devices/${repDevice.deviceId}/revoke`)).status).toBe(200);
  });

  afterAll(async () => {
    await s?.close();
  });

  it('names the actor, the device it acted from and the target, as people read them', async () => {
    const [revoke] = await list({ action: 'admin.device.revoke' });
    expect(revoke?.names).toEqual({
      actor: { kind: 'user', id: s.fixture.users.itAdmin.id, username: 'it.admin', displayName: '王建国' },
      device: expect.objectContaining({ kind: 'device', id: admin.deviceId, hostName: 'IT-DESK-01', name: 'IT desk', ownerName: '王建国' }),
      target: expect.objectContaining({ kind: 'device', id: repDevice.deviceId, hostName: 'LAPTOP-LILEI', name: 'Li Lei ThinkPad', userId: s.fixture.users.rep.id, ownerName: '李雷' }),
    });
    // Sign-in entries name the username typed: resolved to the person too.
    const signIn = (await list({ action: 'auth.sign_in' })).find((e) => e.target === 'rep.li');
    expect(signIn?.names?.target).toMatchObject({ kind: 'user', displayName: '李雷' });
    // Customer records stay ids: the auditor holds no customer data.
    const edit = (await list({ recordId: 'cust-42' }))[0];
    expect(edit?.target).toBe('customer:cust-42');
    expect(edit?.names?.target).toBeUndefined();
  });

  it('filters by action group, refusals included', async () => {
    const devices = await list({ group: 'devices' });
    expect(devices.map((e) => e.action)).toEqual(expect.arrayContaining(['admin.device.revoke', 'device.enroll']));
    expect(devices.every((e) => auditGroupOf(e.action) === 'devices')).toBe(true);
    const admin = await list({ group: 'admin' });
    expect(admin.find((e) => e.action === 'admin.listUsers')).toMatchObject({ outcome: 'denied', actorId: s.fixture.users.auditor.id });
    expect(admin.some((e) => e.action === 'admin.device.revoke')).toBe(false);
    const signIn = await list({ group: 'signin' });
    expect(signIn.length).toBeGreaterThanOrEqual(6);
    expect(signIn.every((e) => e.action.startsWith('auth.'))).toBe(true);
    expect(await list({ group: 'reviews' })).toEqual([]);
  });

  it('finds a person by display name or username, as actor or as target (their account or device)', async () => {
    const byName = await list({ person: '王建' });
    expect(byName.some((e) => e.action === 'admin.device.revoke')).toBe(true);
    expect(byName.every((e) => e.actorId === s.fixture.users.itAdmin.id || e.target === 'it.admin' || e.target === admin.deviceId)).toBe(true);
    const byUsername = await list({ person: 'REP.LI' });
    const actions = byUsername.map((e) => e.action);
    // the rep's own sign-in and enrolment, and the revocation of the rep's laptop by IT
    expect(actions).toEqual(expect.arrayContaining(['auth.sign_in', 'device.enroll', 'admin.device.revoke']));
    expect(byUsername.find((e) => e.action === 'admin.device.revoke')?.actorId).toBe(s.fixture.users.itAdmin.id);
    // a whole username is that person only, not every username containing it
    const lin = await s.database.db.selectFrom('users').selectAll().where('id', '=', s.fixture.users.rep.id).executeTakeFirstOrThrow();
    await s.database.db.insertInto('users').values({ ...lin, id: 'user-rep-lin', username: 'rep.lin', display_name: '林' }).execute();
    await s.ctx.audit.append({ actorId: 'user-rep-lin', deviceId: null, action: 'auth.sign_in', target: 'rep.lin', outcome: 'ok' });
    expect((await list({ person: 'rep.li' })).some((e) => e.actorId === 'user-rep-lin')).toBe(false);
    expect((await list({ person: 'rep.l' })).some((e) => e.actorId === 'user-rep-lin')).toBe(true);
    expect(await list({ person: 'nobody-at-all' })).toEqual([]);
    // LIKE characters are text, not wildcards
    expect(await list({ person: '%' })).toEqual([]);
    expect(await list({ person: '_' })).toEqual([]);
  });

  it('folds routine sync entries away on the server, and pages through the rest without gaps', async () => {
    const folded = await list();
    expect(folded.some((e) => e.action === 'device.check_in')).toBe(false);
    expect(folded.some((e) => e.action === 'sync.pull')).toBe(false);
    expect(folded.filter((e) => e.action === 'record.update').map((e) => e.details.status)).toEqual(['applied']);
    expect(folded.some((e) => e.routine)).toBe(false);

    const shown = await list({ routine: 'show' });
    expect(shown.filter((e) => e.action === 'device.check_in')).toHaveLength(3);
    expect(shown.filter((e) => e.action === 'sync.pull')).toHaveLength(3);
    expect(shown.filter((e) => e.routine).map((e) => e.action).sort()).toEqual([
      'device.check_in', 'device.check_in', 'device.check_in', 'record.update', 'sync.pull', 'sync.pull', 'sync.pull',
    ]);
    expect(shown.length).toBe(folded.length + 7);
    // Asking for a routine action by its code shows it.
    expect(await list({ action: 'device.check_in' })).toHaveLength(3);

    // Pages of 3 under the fold are exactly the folded list.
    const paged: AuditEntryView[] = [];
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await list({ limit: 3, ...(beforeSeq ? { beforeSeq } : {}) });
      paged.push(...page);
      if (page.length < 3) break;
      beforeSeq = page[page.length - 1]!.seq;
    }
    expect(paged.map((e) => e.seq)).toEqual(folded.map((e) => e.seq));
  });

  it('filters by device (from it or about it) and by record', async () => {
    const device = await list({ deviceId: repDevice.deviceId, routine: 'show' });
    expect(device.every((e) => e.deviceId === repDevice.deviceId || e.target === repDevice.deviceId)).toBe(true);
    expect(device.map((e) => e.action)).toEqual(expect.arrayContaining(['device.enroll', 'device.check_in', 'sync.pull', 'admin.device.revoke']));
    const record = await list({ recordId: 'customer:cust-42', routine: 'show' });
    expect(record.map((e) => e.details.status)).toEqual(['duplicate', 'applied']);
    expect(await list({ recordId: 'cust-4' })).toEqual([]);
  });

  it('only reads: the chain still verifies, and a bad filter is a 400', async () => {
    expect(await verifyChain(s.database.db)).toMatchObject({ ok: true, firstBrokenSeq: null });
    const res = await auditor.signedFetch('GET', '/v1/audit?group=everything');
    expect(res.status).toBe(400);
    const rep = await repDeviceForbidden();
    expect(rep).toBe(true);
  });

  async function repDeviceForbidden(): Promise<boolean> {
    // the revoked laptop is refused before anything else; a fresh device of the rep is forbidden
    const { rep2 } = s.fixture.users;
    s.clock.advance(60_000);
    const other = await enrollTestDevice(s.baseUrl, rep2.username, rep2.password, rep2.totpSecret, { now: s.clock.now });
    return (await other.signedFetch('GET', '/v1/audit?person=rep')).status === 403;
  }
});
