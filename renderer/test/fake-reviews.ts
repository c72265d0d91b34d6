// The fake DesktopApi's anomaly alerts and access reviews (renderer tests and screenshots only).
// Same rules as the server: read with admin.devices/audit.read (alerts) or audit.read/
// review.conduct (reviews); acknowledge with admin.devices; decide with review.conduct, only
// the assigned reviewer or the campaign's creator, never one's own item.

import type { ApiErrorCode, DesktopInput, DesktopOutputs, Result } from '../../shared/api/desktop-api';
import type { Role, User } from '../../shared/domain/model';
import type { AlertView, ReviewCampaignView, ReviewItemView } from '../../shared/protocol/routes';

type Method = 'alertsList' | 'alertAcknowledge' | 'reviewsList' | 'reviewCreate' | 'reviewGet' | 'reviewDecide' | 'reviewExport';
type Handlers = { [M in Method]: (input: DesktopInput<M>) => Result<DesktopOutputs[M]> };

export interface FakeReviewsContext {
  now(): number;
  users: (User & { lastSignInAt: number | null })[];
  roles: Role[];
  currentUserId(): string | null;
  /** null when allowed, else the refusal (not signed in / forbidden) */
  needAnyAction(actions: string[]): Result<never> | null;
}

const DAY = 86_400_000;
const ok = <T,>(value: T): Result<T> => ({ ok: true, value });
const fail = (code: ApiErrorCode, message: string): Result<never> => ({ ok: false, error: { code, message } });

export function fakeAlertAndReviewHandlers(ctx: FakeReviewsContext): Handlers {
  const t0 = ctx.now();
  const user = (username: string) => ctx.users.find((u) => u.username === username)?.id ?? null;
  const seeded: Omit<AlertView, 'id' | 'status' | 'acknowledgedBy' | 'acknowledgedAt' | 'note'>[] = [
    { rule: 'failed_sign_in_user', severity: 'high', userId: user('li.na'), deviceId: null, details: { failures: 4, windowMinutes: 10 }, at: t0 - 20 * 60_000 },
    { rule: 'pull_volume', severity: 'high', userId: user('wang.wei'), deviceId: 'dev-usr-wang', details: { records: 5400, threshold: 5000 }, at: t0 - 2 * 3600_000 },
    { rule: 'new_device', severity: 'medium', userId: user('zhang.qiang'), deviceId: 'dev-usr-zhang', details: { name: '张强的笔记本' }, at: t0 - 5 * 3600_000 },
    { rule: 'off_hours', severity: 'low', userId: user('huang.lei'), deviceId: 'dev-usr-huang', details: { hour: 2 }, at: t0 - 26 * 3600_000 },
  ];
  const alerts: AlertView[] = seeded.map((a, i) => ({ ...a, id: `alert-${i + 1}`, status: 'open' as const, acknowledgedBy: null, acknowledgedAt: null, note: null }));
  alerts.push({
    id: 'alert-0', rule: 'failed_sign_in_ip', severity: 'medium', userId: null, deviceId: null, details: { ip: '10.0.0.7', failures: 12 },
    at: t0 - 3 * DAY, status: 'acknowledged', acknowledgedBy: user('sun.lei'), acknowledgedAt: t0 - 2 * DAY, note: '渗透测试',
  });

  const campaigns: ReviewCampaignView[] = [];
  const items: ReviewItemView[] = [];
  let seq = 0;

  function counts(c: ReviewCampaignView): ReviewCampaignView {
    const mine = items.filter((i) => i.campaignId === c.id);
    return { ...c, items: mine.length, decided: mine.filter((i) => i.decision !== null).length };
  }

  function createCampaign(name: string, dueAt: number, staleDays: number, createdBy: string | null): ReviewCampaignView {
    const campaign: ReviewCampaignView = {
      id: `review-${++seq}`, name, createdBy, createdAt: ctx.now(), dueAt, status: 'open', staleDays, closedAt: null, items: 0, decided: 0,
    };
    campaigns.unshift(campaign);
    for (const u of ctx.users.filter((x) => x.status === 'active')) {
      const role = ctx.roles.find((r) => r.id === u.roleId)!;
      const manager = ctx.users.find((m) => m.id !== u.id && m.managedUnitIds.includes(u.unitId));
      const lastActivityAt = u.lastSignInAt;
      const flags: ReviewItemView['flags'] = [];
      if ((lastActivityAt ?? 0) < ctx.now() - staleDays * DAY) flags.push('stale');
      if (role.actions.some((a) => a.startsWith('admin.'))) flags.push('privileged');
      items.push({
        id: `item-${++seq}`, campaignId: campaign.id, userId: u.id,
        reviewerId: manager?.id ?? (createdBy !== u.id ? createdBy : null),
        snapshot: {
          username: u.username, displayName: u.displayName, unitId: u.unitId, unitName: null, managedUnitIds: u.managedUnitIds,
          roleId: role.id, roleName: role.name, actions: role.actions, dataScope: role.dataScope,
          readClearance: role.readClearance, writeClearance: role.writeClearance,
          devices: lastActivityAt === null ? [] : [{ id: `dev-${u.id}`, name: `${u.displayName}的笔记本`, platform: 'win32', status: 'active', enrolledAt: t0 - 30 * DAY, lastCheckInAt: lastActivityAt }],
          lastSignInAt: u.lastSignInAt, lastActivityAt, previous: null,
        },
        flags, decision: null, decidedBy: null, decidedAt: null, note: null,
      });
    }
    return counts(campaign);
  }
  createCampaign('2026 Q4 访问复核', t0 + 10 * DAY, 30, user('sun.lei'));

  const READ_ALERTS = ['admin.devices', 'audit.read'];
  const READ_REVIEWS = ['audit.read', 'review.conduct'];

  return {
    alertsList: (q) =>
      ctx.needAnyAction(READ_ALERTS) ??
      ok(alerts.filter((a) => (!q.status || a.status === q.status) && (!q.rule || a.rule === q.rule)).sort((a, b) => b.at - a.at).map((a) => ({ ...a }))),
    alertAcknowledge: (input) => {
      const denied = ctx.needAnyAction(['admin.devices']);
      if (denied) return denied;
      const alert = alerts.find((a) => a.id === input.id);
      if (!alert) return fail('not_found', 'no such alert');
      if (alert.status === 'open') Object.assign(alert, { status: 'acknowledged', acknowledgedBy: ctx.currentUserId(), acknowledgedAt: ctx.now(), note: input.note ?? null });
      return ok({ ...alert });
    },
    reviewsList: () => ctx.needAnyAction(READ_REVIEWS) ?? ok(campaigns.map(counts)),
    reviewCreate: (input) => {
      const denied = ctx.needAnyAction(['review.conduct']);
      if (denied) return denied;
      if (input.dueAt <= ctx.now()) return fail('validation_failed', 'dueAt: must be in the future');
      return ok(createCampaign(input.name, input.dueAt, input.staleDays ?? 30, ctx.currentUserId()));
    },
    reviewGet: (input) => {
      const denied = ctx.needAnyAction(READ_REVIEWS);
      if (denied) return denied;
      const campaign = campaigns.find((c) => c.id === input.id);
      if (!campaign) return fail('not_found', 'no such campaign');
      const me = ctx.currentUserId();
      const list = items.filter((i) => i.campaignId === campaign.id && (!input.mine || i.reviewerId === me));
      return ok({ campaign: counts(campaign), items: list.map((i) => structuredClone(i)) });
    },
    reviewDecide: (input) => {
      const denied = ctx.needAnyAction(['review.conduct']);
      if (denied) return denied;
      const campaign = campaigns.find((c) => c.id === input.campaignId);
      const item = items.find((i) => i.id === input.itemId && i.campaignId === input.campaignId);
      if (!campaign || !item) return fail('not_found', 'no such item');
      const me = ctx.currentUserId();
      if (item.decision !== null || campaign.status === 'closed') return fail('validation_failed', 'already decided');
      if (item.userId === me) return fail('forbidden', 'nobody reviews their own access');
      if (item.reviewerId !== null && item.reviewerId !== me && campaign.createdBy !== me) return fail('forbidden', 'assigned to another reviewer');
      Object.assign(item, { decision: input.decision === 'revoke' ? 'revoked' : 'certified', decidedBy: me, decidedAt: ctx.now(), note: input.note ?? null });
      const now = counts(campaign);
      if (now.decided === now.items) Object.assign(campaign, { status: 'closed', closedAt: ctx.now() });
      return ok({ item: structuredClone(item), campaign: counts(campaign) });
    },
    reviewExport: (input) => {
      const denied = ctx.needAnyAction(READ_REVIEWS);
      if (denied) return denied;
      const campaign = campaigns.find((c) => c.id === input.id);
      if (!campaign) return fail('not_found', 'no such campaign');
      const list = items.filter((i) => i.campaignId === campaign.id);
      const content =
        input.format === 'json'
          ? JSON.stringify({ campaign: counts(campaign), items: list })
          : ['username,role,decision', ...list.map((i) => `${i.snapshot.username},${i.snapshot.roleName},${i.decision ?? 'pending'}`)].join('\n');
      return ok({ filename: `access-review-${campaign.id}.${input.format}`, mime: input.format === 'json' ? 'application/json' : 'text/csv', content, count: list.length });
    },
  };
}
