// Admin/audit methods of the app service against the REAL server, exports, the dashboard gate,
// and the locale setting (persisted in the vault, or in settings.json when there is none).

import { readFileSync } from 'node:fs';
import { hostname, platform } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTestApp, signInAndSync, stateOf, unwrap, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';

describe('admin, audit and exports through the app service (real server)', () => {
  let server: RealServer;
  let admin: TestApp;
  let manager: TestApp;
  let rep: TestApp;

  beforeAll(async () => {
    server = await startRealServer();
    admin = await newTestApp('admin');
    manager = await newTestApp('admin-mgr');
    rep = await newTestApp('admin-rep');
    await signInAndSync(admin.app, server, server.fixture.users.itAdmin);
    await signInAndSync(manager.app, server, server.fixture.users.manager);
    await signInAndSync(rep.app, server, server.fixture.users.rep);
  });
  afterAll(async () => {
    for (const t of [admin, manager, rep]) await t?.cleanup();
    await server?.cleanup();
  });

  it("an IT admin's vault holds no customers, and admin calls reach the server", async () => {
    expect(await admin.app.searchCustomers({ query: '' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const users = unwrap(await admin.app.adminListUsers());
    expect(users.map((u) => u.username)).toContain('rep.li');
    expect(unwrap(await admin.app.adminListRoles()).map((r) => r.key)).toContain('rep');
    expect(unwrap(await admin.app.adminListUnits()).length).toBe(5);
    const devices = unwrap(await admin.app.adminListDevices());
    const repDevice = devices.find((d) => d.userId === server.fixture.users.rep.id && d.status === 'active');
    expect(repDevice?.appVersion).toBe('test-1.0');
    // Named by host, app, platform and user, so an admin finds the laptop and tells devices on one machine apart.
    expect(repDevice?.name).toBe(`${hostname()} · SalesVault on ${platform()} (rep.li)`);
    expect(repDevice?.hostName).toBe(hostname());
    expect(repDevice?.lifecycle).toBe('active');
    // a bad id never reaches the server
    expect(await admin.app.adminRevokeDevice({ id: '../../etc' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await admin.app.adminRevokeDevice({ id: 'no-such-device' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // help-desk actions: on another user, never on oneself
    const rep = server.fixture.users.rep;
    expect(unwrap(await admin.app.adminUnlockUser({ id: rep.id }))).toMatchObject({ id: rep.id, lockedUntil: null });
    const self = (await stateOf(admin.app)).user!.id;
    expect(await admin.app.adminResetUserMfa({ id: self })).toMatchObject({ ok: false, error: { code: 'self_change' } });
    expect(await admin.app.adminSignOutUserEverywhere({ id: '../x' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('audit list, chain verification and CSV/JSON export', async () => {
    const entries = unwrap(await admin.app.auditList({ limit: 50 }));
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.some((e) => e.action === 'device.enroll')).toBe(true);
    expect(unwrap(await admin.app.auditVerify())).toMatchObject({ ok: true, firstBrokenSeq: null });

    const csv = unwrap(await admin.app.auditExport({ format: 'csv' }));
    expect(csv.mime).toBe('text/csv');
    expect(csv.filename).toMatch(/\.csv$/);
    const lines = csv.content.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('seq,at,actorId,deviceId,action,target,outcome,details,hash,actorName,deviceName,targetName');
    expect(lines.length - 1).toBe(csv.count);
    const json = unwrap(await admin.app.auditExport({ format: 'json', filter: { action: 'device.enroll', limit: 100 } }));
    const rows = JSON.parse(json.content) as { action: string; actorName: string; targetName: string }[];
    expect(rows.length).toBe(json.count);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((r) => r.action === 'device.enroll')).toBe(true);
    // names as the server resolved them: who enrolled, and which device (with its owner)
    expect(rows.every((r) => / \(.+\)$/.test(r.actorName) && r.targetName.length > 0)).toBe(true);
  });

  it('a rep gets forbidden from admin calls (the server decides) and from the dashboard (the engine decides)', async () => {
    expect(await rep.app.adminListUsers()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await rep.app.auditList({})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await rep.app.teamDashboard()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('a manager sees the team dashboard from the local vault and may export customers', async () => {
    const dashboard = unwrap(await manager.app.teamDashboard());
    expect(dashboard.pipelineByStage.find((s) => s.stage === 'proposal')?.count).toBeGreaterThanOrEqual(2);
    const exported = unwrap(await manager.app.exportCustomers({ format: 'csv' }));
    const csv = exported.content.replace(/^\uFEFF/, '');
    expect(csv.split('\n')[0]).toBe('id,name,type,industry,city,owner,tags,updatedAt');
    expect(csv).toContain(server.customers.repOwn.name);
    expect(exported.count).toBe(unwrap(await manager.app.searchCustomers({ query: '' })).total);
    // Recorded for the audit, uploaded at the next sync.
    unwrap(await manager.app.syncNow());
    const uploaded = (await server.auditRows('offline.export')).filter((r) => r.actor_id === server.fixture.users.manager.id);
    expect(uploaded).toHaveLength(1);
  });

  it('persists the locale in the vault, or in settings.json when signed out', async () => {
    expect(unwrap(await rep.app.setLocale({ locale: 'en' })).locale).toBe('en');
    await rep.app.close();
    const reopened = await rep.reopen();
    expect((await stateOf(reopened)).locale).toBe('en');

    const fresh = await newTestApp('locale');
    try {
      unwrap(await fresh.app.setLocale({ locale: 'en' }));
      expect(JSON.parse(readFileSync(join(fresh.dataDir, 'settings.json'), 'utf8')).locale).toBe('en');
      await fresh.app.close();
      expect((await stateOf(await fresh.reopen())).locale).toBe('en');
    } finally {
      await fresh.cleanup();
    }
  });
});
