import { afterEach, describe, expect, it } from 'vitest';
import type { AlertView, ReviewCampaignView, ReviewItemView } from '../../shared/protocol/routes';
import { callJson } from '../../test/support/server/alert-kit';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { cliOn } from '../test/cli';
import type { FixtureUserKey } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';
import { applyDueCampaigns } from './deadlines';
import { createCampaign, exportCampaign, getCampaign } from './service';

const DAY = 24 * 3_600_000;
const CLI = { userId: null, deviceId: null };

describe('access reviews finish at their due date (injected clock)', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  function enroll(server: TestServer, key: FixtureUserKey): Promise<TestDevice> {
    const u = server.fixture.users[key];
    server.clock.advance(60_000); // a fresh TOTP step per sign-in
    return enrollTestDevice(server.baseUrl, u.username, u.password, u.totpSecret, { now: server.clock.now });
  }

  async function decide(device: TestDevice, campaignId: string, item: ReviewItemView, decision: 'certify' | 'revoke'): Promise<number> {
    return (await callJson(device, 'POST', `/v1/reviews/${campaignId}/items/${item.id}/decision`, { decision })).status;
  }

  async function userStatus(server: TestServer, key: FixtureUserKey): Promise<string> {
    return (await server.ctx.db.selectFrom('users').select('status').where('id', '=', server.fixture.users[key].id).executeTakeFirstOrThrow()).status;
  }

  async function audit(server: TestServer, action: string) {
    const rows = await server.ctx.db.selectFrom('audit_log').select(['actor_id', 'target', 'details']).where('action', '=', action).orderBy('seq').execute();
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  }

  it('"revoke": reminders N days before, decisions refused after the due date, undecided users deactivated and their devices revoked', async () => {
    const server = (s = await startTestServer());
    const u = server.fixture.users;
    const admin = await enroll(server, 'itAdmin');
    const admin2 = await enroll(server, 'itAdmin2');
    const rep = await enroll(server, 'rep');
    const created = await callJson(admin, 'POST', '/v1/reviews', { name: 'Q1 review', dueAt: server.clock.now() + 10 * DAY, dueAction: 'revoke', reminderDays: 3 });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    const campaign = created.json.campaign as ReviewCampaignView;
    expect(campaign).toMatchObject({ dueAction: 'revoke', reminderDays: 3, remindedAt: null, closeReason: null });

    // Everyone is certified except rep.li (reviewer: mgr.zhang) and rep.wang (reviewer: the creator).
    const items = (await getCampaign(server.ctx, campaign.id)).items;
    for (const item of items) {
      if (['rep.li', 'rep.wang'].includes(item.snapshot.username)) continue;
      expect(await decide(item.userId === u.itAdmin.id ? admin2 : admin, campaign.id, item, 'certify')).toBe(200);
    }

    // Day 0: nothing to do. Day 7.5 (within 3 days of the due date): one reminder per reviewer, once.
    expect(await applyDueCampaigns(server.ctx)).toEqual({ reminders: 0, closed: [] });
    server.clock.advance(7.5 * DAY);
    expect((await applyDueCampaigns(server.ctx)).reminders).toBe(2);
    expect((await applyDueCampaigns(server.ctx)).reminders).toBe(0);
    expect((await admin.refresh()).status).toBe(200); // days later: a fresh access token
    const alerts = (await callJson(admin, 'GET', '/v1/alerts?rule=review_due')).json.alerts as AlertView[];
    expect(alerts.map((a) => [a.userId, a.details.undecided]).sort()).toEqual([[u.itAdmin.id, 1], [u.manager.id, 1]].sort());
    expect((await audit(server, 'review.reminder')).map((r) => r.details.reviewerId).sort()).toEqual([u.itAdmin.id, u.manager.id].sort());

    // Past the due date: a reviewer can no longer decide; the job applies the campaign's setting.
    server.clock.advance(3 * DAY);
    expect((await admin.refresh()).status).toBe(200);
    const repItem = items.find((i) => i.snapshot.username === 'rep.li')!;
    expect(await decide(admin, campaign.id, repItem, 'certify')).toBe(409);
    const result = await applyDueCampaigns(server.ctx);
    expect(result.closed).toEqual([{ campaignId: campaign.id, kept: 0, revoked: 2, revokedDevices: 1, keptLastAdmin: 0 }]);
    expect(await userStatus(server, 'rep')).toBe('deactivated');
    expect(await userStatus(server, 'rep2')).toBe('deactivated');
    expect(await userStatus(server, 'manager')).toBe('active');
    expect((await rep.refresh()).status).toBe(403); // its device is revoked: it wipes at next contact

    const after = await getCampaign(server.ctx, campaign.id);
    expect(after.campaign).toMatchObject({ status: 'closed', closeReason: 'due_date', decided: after.campaign.items });
    expect(after.items.find((i) => i.snapshot.username === 'rep.li')).toMatchObject({ decision: 'revoked', decisionSource: 'due_date', decidedBy: null });
    expect(after.items.find((i) => i.snapshot.username === 'dir.chen')).toMatchObject({ decision: 'certified', decisionSource: 'reviewer', decidedBy: u.itAdmin.id });
    const close = await audit(server, 'review.campaign.close');
    expect(close.at(-1)).toMatchObject({ actor_id: null, target: campaign.id, details: { reason: 'due_date', dueAction: 'revoke', revoked: 2, kept: 0 } });
    // A second run changes nothing.
    expect(await applyDueCampaigns(server.ctx)).toEqual({ reminders: 0, closed: [] });
  });

  it('"keep" (the default): undecided items are certified by the due date, nobody loses access, the outcome is exported', async () => {
    const server = (s = await startTestServer());
    const campaign = await createCampaign(server.ctx, { name: 'keep review', dueAt: server.clock.now() + 2 * DAY, staleDays: 30 }, CLI);
    expect(campaign).toMatchObject({ dueAction: 'keep', reminderDays: 3 });
    // Due within the reminder window from the start: the reminder goes at the first run.
    expect((await applyDueCampaigns(server.ctx)).reminders).toBeGreaterThan(0);
    server.clock.advance(2 * DAY);
    const result = await applyDueCampaigns(server.ctx);
    expect(result.closed).toEqual([{ campaignId: campaign.id, kept: campaign.items, revoked: 0, revokedDevices: 0, keptLastAdmin: 0 }]);
    const active = await server.ctx.db.selectFrom('users').select('id').where('status', '=', 'active').execute();
    expect(active).toHaveLength(campaign.items);

    const csv = await exportCampaign(server.ctx, campaign.id, 'csv');
    const lines = csv.content.trim().split('\n');
    expect(lines[0]).toContain('decided_how,due_action,campaign_closed');
    expect(lines.slice(1).every((l) => l.includes(',certified,') && l.endsWith(',due_date,keep,due_date'))).toBe(true);
    const json = JSON.parse((await exportCampaign(server.ctx, campaign.id, 'json')).content) as { campaign: ReviewCampaignView; items: ReviewItemView[] };
    expect(json.campaign).toMatchObject({ status: 'closed', closeReason: 'due_date', dueAction: 'keep' });
    expect(json.items.every((i) => i.decisionSource === 'due_date' && i.decidedBy === null)).toBe(true);
  });

  it('"revoke" never deactivates the last active user administrator', async () => {
    const server = (s = await startTestServer());
    const u = server.fixture.users;
    await server.ctx.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', u.itAdmin2.id).execute();
    const campaign = await createCampaign(server.ctx, { name: 'revoke all', dueAt: server.clock.now() + DAY, staleDays: 30, dueAction: 'revoke', reminderDays: 0 }, CLI);
    server.clock.advance(DAY);
    const result = await applyDueCampaigns(server.ctx);
    expect(result.reminders).toBe(0);
    expect(result.closed[0]).toMatchObject({ kept: 1, keptLastAdmin: 1, revoked: campaign.items - 1 });
    expect(await userStatus(server, 'itAdmin')).toBe('active');
    expect(await userStatus(server, 'auditor')).toBe('deactivated');
    const item = (await getCampaign(server.ctx, campaign.id)).items.find((i) => i.userId === u.itAdmin.id);
    expect(item).toMatchObject({ decision: 'certified', decisionSource: 'due_date' });
    expect(item!.note).toContain('last active user administrator');
  });

  it('the server runs the job on its timer', async () => {
    const server = (s = await startTestServer({ reviewJobIntervalMs: 100 }));
    const byTimer = await createCampaign(server.ctx, { name: 'timer', dueAt: server.clock.now() + DAY, staleDays: 30 }, CLI);
    server.clock.advance(DAY + 1);
    await expect.poll(async () => (await getCampaign(server.ctx, byTimer.id)).campaign.closeReason, { timeout: 10_000 }).toBe('due_date');
  });

  it('the CLI runs the job on demand (review-apply-due)', async () => {
    const server = (s = await startTestServer());
    const byCli = await createCampaign(server.ctx, { name: 'cli', dueAt: server.clock.now() + DAY, staleDays: 30 }, CLI);
    // The CLI runs on the real clock: the campaign was due a second ago.
    await server.ctx.db.updateTable('review_campaigns').set({ due_at: Date.now() - 1000 }).where('id', '=', byCli.id).execute();
    const out = await cliOn(server.database, ['review-apply-due']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`campaign ${byCli.id} closed at its due date: ${byCli.items} kept, 0 revoked`);
    const row = await server.ctx.db.selectFrom('review_campaigns').select(['status', 'close_reason']).where('id', '=', byCli.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'closed', close_reason: 'due_date' });
  });
});
