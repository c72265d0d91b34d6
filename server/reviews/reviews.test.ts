import { afterEach, describe, expect, it } from 'vitest';
import type { ReviewCampaignView, ReviewItemView } from '../../shared/protocol/routes';
import { callJson, moveClockToShanghaiHour } from '../../test/support/server/alert-kit';
import { approveWith } from '../test/approvals';
import { enrollTestDevice, type TestDevice } from '../test/client';
import type { FixtureUserKey } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';

const DAY = 24 * 3_600_000;

describe('access reviews over HTTP', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  function enroll(server: TestServer, key: FixtureUserKey): Promise<TestDevice> {
    const u = server.fixture.users[key];
    return enrollTestDevice(server.baseUrl, u.username, u.password, u.totpSecret, { now: server.clock.now });
  }

  async function createCampaign(admin: TestDevice, server: TestServer, name: string): Promise<ReviewCampaignView> {
    const res = await callJson(admin, 'POST', '/v1/reviews', { name, dueAt: server.clock.now() + 14 * DAY });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return res.json.campaign as ReviewCampaignView;
  }

  async function itemsOf(device: TestDevice, campaignId: string): Promise<Map<string, ReviewItemView>> {
    const res = await callJson(device, 'GET', `/v1/reviews/${campaignId}`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return new Map((res.json.items as ReviewItemView[]).map((i) => [i.snapshot.username, i]));
  }

  it('flags stale, moved and privileged users; certifies and revokes; auditors read, reps are refused', async () => {
    const server = (s = await startTestServer());
    moveClockToShanghaiHour(server.clock, 10);
    const u = server.fixture.users;
    const admin = await enroll(server, 'itAdmin');
    const auditor = await enroll(server, 'auditor');
    const admin2 = await enroll(server, 'itAdmin2');
    const rep = await enroll(server, 'rep');
    const staleRep = await enroll(server, 'rep2');
    // rep.wang's account is old and was last used 40 days ago (sign-in and device check-in).
    const longAgo = server.clock.now() - 40 * DAY;
    await server.ctx.db.updateTable('users').set({ created_at: longAgo - 100 * DAY, last_sign_in_at: longAgo }).where('id', '=', u.rep2.id).execute();
    await server.ctx.db.updateTable('devices').set({ last_check_in_at: longAgo }).where('user_id', '=', u.rep2.id).execute();

    // ---- campaign 1
    const first = await createCampaign(admin, server, 'Q4 review');
    expect(first).toMatchObject({ status: 'open', staleDays: 30, items: 8, decided: 0, createdBy: u.itAdmin.id });
    const items1 = await itemsOf(admin, first.id);
    expect(items1.get('rep.wang')!.flags).toEqual(['stale']);
    expect(items1.get('rep.li')!.flags).toEqual([]);
    expect(items1.get('it.admin')!.flags).toEqual(['privileged']);
    expect(items1.get('audit.sun')!.flags).toEqual([]);
    // Never signed in, but the account is new: not stale yet.
    expect(items1.get('dir.chen')!.flags).toEqual([]);
    // Reviewer: the manager of the user's team, else the campaign's creator; never oneself.
    expect(items1.get('rep.li')!.reviewerId).toBe(u.manager.id);
    expect(items1.get('rep.wang')!.reviewerId).toBe(u.itAdmin.id);
    expect(items1.get('mgr.zhang')!.reviewerId).toBe(u.itAdmin.id);
    expect(items1.get('it.admin')!.reviewerId).toBeNull();
    const repSnapshot = items1.get('rep.li')!.snapshot;
    expect(repSnapshot).toMatchObject({ unitId: u.rep.unitId, roleId: u.rep.roleId, dataScope: 'own', readClearance: 'sensitive', previous: null });
    expect(repSnapshot.devices).toEqual([expect.objectContaining({ id: rep.deviceId, status: 'active' })]);
    expect(repSnapshot.lastSignInAt).not.toBeNull();

    // ---- rep.li moves to team B; campaign 2 flags it against campaign 1's snapshot
    // (a widening move: team B's unit shares now reach the rep, so a second admin approves it)
    await approveWith(admin2, await admin.signedFetch('PATCH', `/v1/admin/users/${u.rep.id}`, { unitId: server.fixture.units.teamB.id }));
    const second = await createCampaign(admin, server, 'Q1 review');
    const items2 = await itemsOf(admin, second.id);
    expect(items2.get('rep.li')!.flags).toEqual(['moved']);
    expect(items2.get('rep.li')!.snapshot.previous).toEqual({ campaignId: first.id, unitId: server.fixture.units.teamA.id, roleId: u.rep.roleId });
    expect(items2.get('rep.wang')!.flags).toEqual(['stale']);

    // ---- auditors read and export, but do not decide; reps get nothing
    const staleItem = items2.get('rep.wang')!;
    expect((await callJson(auditor, 'GET', '/v1/reviews')).status).toBe(200);
    expect((await itemsOf(auditor, second.id)).size).toBe(8);
    expect((await callJson(auditor, 'POST', `/v1/reviews/${second.id}/items/${staleItem.id}/decision`, { decision: 'certify' })).status).toBe(403);
    expect((await callJson(auditor, 'POST', '/v1/reviews', { name: 'auditor review', dueAt: server.clock.now() + DAY })).status).toBe(403);
    for (const [method, path] of [['GET', '/v1/reviews'], ['GET', `/v1/reviews/${second.id}`], ['GET', `/v1/reviews/${second.id}/export`]] as const) {
      expect((await callJson(rep, method, path)).status).toBe(403);
    }
    expect((await callJson(rep, 'POST', '/v1/reviews', { name: 'mine', dueAt: server.clock.now() + DAY })).status).toBe(403);

    // ---- certify rep.li, revoke rep.wang
    const certify = await callJson(admin, 'POST', `/v1/reviews/${second.id}/items/${items2.get('rep.li')!.id}/decision`, { decision: 'certify', note: 'moved on purpose' });
    expect(certify.status, JSON.stringify(certify.json)).toBe(200);
    expect(certify.json.item).toMatchObject({ decision: 'certified', decidedBy: u.itAdmin.id, note: 'moved on purpose' });
    const again = await callJson(admin, 'POST', `/v1/reviews/${second.id}/items/${items2.get('rep.li')!.id}/decision`, { decision: 'revoke' });
    expect(again.status).toBe(409);
    expect((await rep.refresh()).status).toBe(200); // certified access keeps working

    const revoke = await callJson(admin, 'POST', `/v1/reviews/${second.id}/items/${staleItem.id}/decision`, { decision: 'revoke' });
    expect(revoke.status, JSON.stringify(revoke.json)).toBe(200);
    expect(revoke.json.campaign).toMatchObject({ decided: 2, status: 'open' });
    const refused = await staleRep.signedFetch('POST', '/v1/sync/pull', { cursor: null });
    expect(refused.status).toBe(403);
    const refusedBody = (await refused.json()) as { error: { code: string }; wipe?: string };
    expect(['device_revoked', 'user_deactivated']).toContain(refusedBody.error.code);
    expect(typeof refusedBody.wipe).toBe('string');
    const user = await server.ctx.db.selectFrom('users').select('status').where('id', '=', u.rep2.id).executeTakeFirstOrThrow();
    expect(user.status).toBe('deactivated');

    // Nobody decides their own item.
    const own = await callJson(admin, 'POST', `/v1/reviews/${second.id}/items/${items2.get('it.admin')!.id}/decision`, { decision: 'certify' });
    expect(own.status).toBe(403);

    // ---- the decisions are audited and exported
    const audit = await callJson(auditor, 'GET', '/v1/audit?action=review.item.decide');
    const decided = (audit.json.entries as { details: { userId: string; decision: string } }[]).map((e) => `${e.details.userId}:${e.details.decision}`);
    expect(decided.sort()).toEqual([`${u.rep.id}:certified`, `${u.rep2.id}:revoked`].sort());

    const csv = await callJson(auditor, 'GET', `/v1/reviews/${second.id}/export?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.json.contentType).toContain('text/csv');
    const lines = String(csv.json.content).trim().split('\n');
    expect(lines[0]).toContain('username');
    expect(lines).toHaveLength(9);
    const wangLine = lines.find((l) => l.includes('rep.wang'))!;
    expect(wangLine).toContain(',stale,');
    expect(wangLine).toContain(',revoked,it.admin,');
    expect(lines.find((l) => l.includes('dir.chen'))).toContain(',pending,');

    const json = await callJson(admin, 'GET', `/v1/reviews/${second.id}/export`);
    const exported = JSON.parse(String(json.json.content)) as { campaign: ReviewCampaignView; items: ReviewItemView[] };
    expect(exported.campaign.id).toBe(second.id);
    expect(exported.items.find((i) => i.snapshot.username === 'rep.li')?.decision).toBe('certified');
  });

  it('only the assigned reviewer or the campaign creator decides; the last decision closes the campaign', async () => {
    const server = (s = await startTestServer());
    const u = server.fixture.users;
    const admin = await enroll(server, 'itAdmin');
    const otherAdmin = await enroll(server, 'itAdmin2');
    const campaign = await createCampaign(admin, server, 'small review');
    const items = await itemsOf(admin, campaign.id);

    // rep.wang's item is assigned to the creator (no manager): another reviewer may not decide it.
    const wang = items.get('rep.wang')!;
    expect((await callJson(otherAdmin, 'POST', `/v1/reviews/${campaign.id}/items/${wang.id}/decision`, { decision: 'certify' })).status).toBe(403);
    // The creator's own item is open to any other reviewer.
    const own = items.get('it.admin')!;
    expect((await callJson(otherAdmin, 'POST', `/v1/reviews/${campaign.id}/items/${own.id}/decision`, { decision: 'certify' })).status).toBe(200);
    // The creator decides everything else (in the managers' place too).
    for (const item of items.values()) {
      if (item.id === own.id || item.userId === u.itAdmin2.id) continue;
      const res = await callJson(admin, 'POST', `/v1/reviews/${campaign.id}/items/${item.id}/decision`, { decision: 'certify' });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
    }
    const last = await callJson(admin, 'POST', `/v1/reviews/${campaign.id}/items/${items.get('it.admin2')!.id}/decision`, { decision: 'certify' });
    expect(last.json.campaign).toMatchObject({ status: 'closed', decided: 8, items: 8 });
    expect((await callJson(admin, 'GET', '/v1/reviews')).json.campaigns).toEqual([expect.objectContaining({ id: campaign.id, status: 'closed' })]);

    // Bad input: unknown campaign / item, a due date in the past, a bad decision.
    expect((await callJson(admin, 'GET', '/v1/reviews/nope')).status).toBe(404);
    expect((await callJson(admin, 'POST', `/v1/reviews/${campaign.id}/items/nope/decision`, { decision: 'certify' })).status).toBe(404);
    expect((await callJson(admin, 'POST', '/v1/reviews', { name: 'late', dueAt: server.clock.now() - 1 })).status).toBe(400);
    const bad = await callJson(admin, 'POST', `/v1/reviews/${campaign.id}/items/${wang.id}/decision`, { decision: 'maybe' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('body.decision');
  });
});
