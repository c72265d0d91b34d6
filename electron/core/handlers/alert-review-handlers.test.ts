// Anomaly alerts and access reviews through the app service against the REAL server (real
// vault files, real keychain, HTTP on 127.0.0.1): the IT admin acknowledges an alert raised by
// failed sign-ins and revokes a user through a campaign; the auditor reads and exports but
// may not decide an item assigned to someone else; a rep is refused; offline is reported.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPendingApproval } from '../../../shared/api/desktop-api';
import { csvRecordCount } from './exports';
import { newTestApp, signInAndSync, unwrap, waitFor, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';

const DAY = 86_400_000;

describe('alerts and access reviews through the app service (real server)', () => {
  let server: RealServer;
  let admin: TestApp;
  let auditor: TestApp;
  let rep: TestApp;
  let campaignId = '';

  beforeAll(async () => {
    server = await startRealServer();
    admin = await newTestApp('alerts-admin');
    auditor = await newTestApp('alerts-auditor');
    rep = await newTestApp('alerts-rep');
    await signInAndSync(admin.app, server, server.fixture.users.itAdmin);
    await signInAndSync(auditor.app, server, server.fixture.users.auditor);
    await signInAndSync(rep.app, server, server.fixture.users.rep);
  });
  afterAll(async () => {
    for (const t of [admin, auditor, rep]) await t?.cleanup();
    await server?.cleanup();
  });

  it('an IT admin sees the alert raised by three failed sign-ins and acknowledges it', async () => {
    const target = server.fixture.users.director;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/v1/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: target.username, password: 'definitely-wrong' }),
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    const alert = await waitFor(async () => {
      const open = unwrap(await admin.app.alertsList({ status: 'open' }));
      return open.find((a) => a.rule === 'failed_sign_in_user' && a.userId === target.id);
    }, 'the failed sign-in alert');
    expect(alert.status).toBe('open');
    expect(alert.details.failures).toBe(3);

    // The auditor reads alerts but may not acknowledge them; a rep may not even read them.
    expect(unwrap(await auditor.app.alertsList({})).some((a) => a.id === alert.id)).toBe(true);
    expect(await auditor.app.alertAcknowledge({ id: alert.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await rep.app.alertsList({})).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const acked = unwrap(await admin.app.alertAcknowledge({ id: alert.id, note: 'user forgot the password' }));
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: server.fixture.users.itAdmin.id, note: 'user forgot the password' });
    const stillOpen = unwrap(await admin.app.alertsList({ status: 'open' }));
    expect(stillOpen.some((a) => a.id === alert.id)).toBe(false);
    expect((await server.auditRows('alert.acknowledge')).map((r) => r.target)).toContain(alert.id);

    expect(await admin.app.alertAcknowledge({ id: 'no-such-alert' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await admin.app.alertAcknowledge({ id: '../x' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await admin.app.alertsList({ status: 'closed' as never })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('an IT admin creates a campaign and revokes a user through it', async () => {
    expect(await admin.app.reviewCreate({ name: 'past', dueAt: Date.now() - DAY })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await admin.app.reviewCreate({ name: '', dueAt: Date.now() + DAY })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });

    const campaign = unwrap(await admin.app.reviewCreate({ name: '2026 Q4 复核', dueAt: Date.now() + 14 * DAY, staleDays: 30 }));
    campaignId = campaign.id;
    expect(campaign).toMatchObject({ status: 'open', staleDays: 30, decided: 0 });
    expect(unwrap(await admin.app.reviewsList()).map((c) => c.id)).toContain(campaign.id);

    const { items } = unwrap(await admin.app.reviewGet({ id: campaign.id }));
    expect(items.length).toBe(campaign.items);
    const adminItem = items.find((i) => i.userId === server.fixture.users.itAdmin.id);
    expect(adminItem?.flags).toContain('privileged');
    // rep.li's team has a manager: that item is the manager's, not "mine" for the admin.
    const repItem = items.find((i) => i.userId === server.fixture.users.rep.id)!;
    expect(repItem.reviewerId).toBe(server.fixture.users.manager.id);
    const mine = unwrap(await admin.app.reviewGet({ id: campaign.id, mine: true })).items;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(items.length);
    expect(mine.every((i) => i.reviewerId === server.fixture.users.itAdmin.id)).toBe(true);

    // Nobody decides on their own access.
    expect(await admin.app.reviewDecide({ campaignId, itemId: adminItem!.id, decision: 'certify' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const rep2 = server.fixture.users.rep2;
    const rep2Item = items.find((i) => i.userId === rep2.id)!;
    const decided = unwrap(await admin.app.reviewDecide({ campaignId, itemId: rep2Item.id, decision: 'revoke', note: 'left the company' }));
    expect(decided.item).toMatchObject({ decision: 'revoked', decidedBy: server.fixture.users.itAdmin.id, note: 'left the company' });
    expect(decided.campaign.decided).toBe(1);
    const users = unwrap(await admin.app.adminListUsers());
    expect(users.find((u) => u.id === rep2.id)?.status).toBe('deactivated');
    // A second decision on the same item is refused by the server.
    expect(await admin.app.reviewDecide({ campaignId, itemId: rep2Item.id, decision: 'certify' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('an auditor reads and exports the results but may not decide', async () => {
    expect(campaignId).not.toBe('');
    expect(unwrap(await auditor.app.reviewsList()).map((c) => c.id)).toContain(campaignId);
    const { campaign, items } = unwrap(await auditor.app.reviewGet({ id: campaignId }));
    const repItem = items.find((i) => i.userId === server.fixture.users.rep.id)!;
    expect(await auditor.app.reviewDecide({ campaignId, itemId: repItem.id, decision: 'certify' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(unwrap(await auditor.app.reviewGet({ id: campaignId })).items.find((i) => i.id === repItem.id)?.decision).toBeNull();

    const csv = unwrap(await auditor.app.reviewExport({ id: campaignId, format: 'csv' }));
    expect(csv.mime).toBe('text/csv');
    expect(csv.filename).toMatch(/\.csv$/);
    expect(csv.content.startsWith('\uFEFF')).toBe(true);
    expect(csv.count).toBe(campaign.items);
    expect(csv.content).toMatch(/^\uFEFFcampaign,username,/);
    expect(csv.content).toContain('left the company');
    const json = unwrap(await auditor.app.reviewExport({ id: campaignId, format: 'json' }));
    const parsed = JSON.parse(json.content) as { campaign: { id: string }; items: { decision: string | null }[] };
    expect(parsed.campaign.id).toBe(campaignId);
    expect(json.count).toBe(parsed.items.length);
    expect(parsed.items.filter((i) => i.decision === 'revoked')).toHaveLength(1);
    expect((await server.auditRows('review.export')).filter((r) => r.actor_id === server.fixture.users.auditor.id)).toHaveLength(2);

    expect(await rep.app.reviewsList()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await auditor.app.reviewGet({ id: 'review-missing' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('a widening role change is sent for approval; the requester may not decide it, a second admin approves it', async () => {
    const sent = unwrap(await admin.app.adminUpdateRole({ id: 'role-rep', patch: { offline: { offlineAllowed: true, leaseHours: 96, wipeAfterHours: 336, exportAllowed: false, maxDevices: 2 } } }));
    expect(isPendingApproval(sent)).toBe(true);
    const id = isPendingApproval(sent) ? sent.pendingApproval.id : '';
    expect(unwrap(await admin.app.adminListApprovals({ status: 'pending' })).map((a) => a.id)).toEqual([id]);
    expect(await admin.app.adminApproveRequest({ id })).toMatchObject({ ok: false, error: { code: 'own_request' } });
    expect(await auditor.app.adminListApprovals({})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Nobody changes the role they hold, and a role never mixes duties: both have their own codes.
    expect(await admin.app.adminUpdateRole({ id: 'role-it-admin', patch: { actions: ['admin.users'] } })).toMatchObject({ ok: false, error: { code: 'self_change' } });
    expect(await admin.app.adminUpdateRole({ id: 'role-auditor', patch: { actions: ['audit.read', 'customer.read'] } })).toMatchObject({ ok: false, error: { code: 'separation_of_duties' } });

    const second = await newTestApp('alerts-admin2');
    try {
      await signInAndSync(second.app, server, server.fixture.users.itAdmin2);
      expect(unwrap(await second.app.adminApproveRequest({ id }))).toMatchObject({ id, status: 'approved', decidedBy: server.fixture.users.itAdmin2.id });
    } finally {
      await second.cleanup();
    }
    expect(unwrap(await admin.app.adminListRoles()).find((r) => r.id === 'role-rep')?.offline.leaseHours).toBe(96);
    // Narrowing it back applies at once.
    const narrowed = unwrap(await admin.app.adminUpdateRole({ id: 'role-rep', patch: { offline: { offlineAllowed: true, leaseHours: 72, wipeAfterHours: 336, exportAllowed: false, maxDevices: 2 } } }));
    expect(isPendingApproval(narrowed) ? null : narrowed.offline.leaseHours).toBe(72);
  });

  it('reports server_unreachable while the server is down', async () => {
    await server.stop();
    try {
      expect(await admin.app.alertsList({})).toMatchObject({ ok: false, error: { code: 'server_unreachable' } });
      expect(await admin.app.reviewsList()).toMatchObject({ ok: false, error: { code: 'server_unreachable' } });
    } finally {
      await server.restart();
    }
    expect(unwrap(await admin.app.reviewsList()).length).toBeGreaterThan(0);
  });
});

describe('csvRecordCount', () => {
  it('counts records, not lines: quoted line breaks stay inside their field', () => {
    expect(csvRecordCount('a,b\n1,2\n3,4\n')).toBe(2);
    expect(csvRecordCount('\uFEFFa,b\r\n1,"two\nlines"\r\n3,4')).toBe(2);
    expect(csvRecordCount('a,b\n')).toBe(0);
    expect(csvRecordCount('')).toBe(0);
  });
});
