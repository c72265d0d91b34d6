// Access reviews: a campaign snapshots every active user's access — role, data
// scope, clearances, devices, last activity — assigns each to a reviewer, and flags what needs a
// look: `stale` (no sign-in or check-in for N days), `moved` / `role_changed` (different unit /
// role than in the previous campaign), `privileged` (admin.* actions). The reviewer certifies or
// revokes; revoke deactivates the user through the admin path (which revokes every device).

import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { AdminAction } from '../../shared/domain/model';
import { authorize, type OrgTree } from '../../shared/permissions/engine';
import {
  reviewSnapshotSchema,
  type ReviewCampaignView,
  type ReviewFlag,
  type ReviewItemView,
  type ReviewSnapshot,
} from '../../shared/protocol/routes';
import { deactivateUser, type Actor } from '../admin/service';
import type { ServerContext } from '../context';
import { rowToRole, rowToUser } from '../db/mappers';
import type { ReviewCampaignsTable, ReviewItemsTable } from '../db/schema';
import { DomainError } from '../domain-error';
import { loadOrgTree, loadSubject } from '../org/load';

const DAY_MS = 24 * 3_600_000;
const PRIVILEGED_ACTIONS: readonly AdminAction[] = ['admin.users', 'admin.devices', 'admin.roles'];

export interface NewCampaign {
  name: string;
  dueAt: number;
  staleDays: number;
  /** what the due date does to undecided items (server/reviews/deadlines.ts); default keep */
  dueAction?: 'keep' | 'revoke';
  /** reminders this many days before the due date; default 3, 0 = none */
  reminderDays?: number;
}

// ---- views

function campaignView(row: Selectable<ReviewCampaignsTable>, counts: { items: number; decided: number }): ReviewCampaignView {
  return {
    id: row.id, name: row.name, createdBy: row.created_by, createdAt: row.created_at, dueAt: row.due_at,
    status: row.status, staleDays: row.stale_days, closedAt: row.closed_at, ...counts,
    dueAction: row.due_action, reminderDays: row.reminder_days, remindedAt: row.reminded_at, closeReason: row.close_reason,
  };
}

function itemView(row: Selectable<ReviewItemsTable>): ReviewItemView {
  return {
    id: row.id, campaignId: row.campaign_id, userId: row.user_id, reviewerId: row.reviewer_id,
    snapshot: reviewSnapshotSchema.parse(JSON.parse(row.snapshot)),
    flags: JSON.parse(row.flags) as ReviewFlag[],
    decision: row.decision, decidedBy: row.decided_by, decidedAt: row.decided_at, note: row.note,
    decisionSource: row.decision_source,
  };
}

async function countsOf(ctx: ServerContext, campaignIds: readonly string[]): Promise<Map<string, { items: number; decided: number }>> {
  const counts = new Map<string, { items: number; decided: number }>();
  if (campaignIds.length === 0) return counts;
  const rows = await ctx.db.selectFrom('review_items')
    .select(['campaign_id', 'decision'])
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('campaign_id', 'in', [...campaignIds])
    .groupBy(['campaign_id', 'decision'])
    .execute();
  for (const row of rows) {
    const c = counts.get(row.campaign_id) ?? { items: 0, decided: 0 };
    c.items += Number(row.n);
    if (row.decision !== null) c.decided += Number(row.n);
    counts.set(row.campaign_id, c);
  }
  return counts;
}

async function loadCampaign(ctx: ServerContext, id: string): Promise<Selectable<ReviewCampaignsTable>> {
  const row = await ctx.db.selectFrom('review_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not_found', `no review campaign ${id}`);
  return row;
}

/**
 * Conducting a review (opening a campaign, deciding an item) needs review.conduct, checked here
 * as well as by the route so that no other caller of this service can skip it. Auditors read
 * and export results; they decide nothing. A null user is the trusted local CLI.
 */
async function assertMayConduct(ctx: ServerContext, actor: Actor): Promise<void> {
  if (actor.userId === null) return;
  const subject = await loadSubject(ctx.db, actor.userId);
  if (!subject || !authorize(subject, 'review.conduct', await loadOrgTree(ctx.db)).allowed) {
    await ctx.audit.append({
      actorId: actor.userId, deviceId: actor.deviceId, action: 'review.conduct', target: null, outcome: 'denied',
      details: { needs: 'review.conduct' },
    });
    throw new DomainError('forbidden', 'conducting an access review needs the review.conduct permission');
  }
}

// ---- create

/** The nearest manager of the user's unit or its ancestors (never the user), else the creator. */
function reviewerFor(
  userId: string,
  unitId: string,
  tree: OrgTree,
  managersByUnit: ReadonlyMap<string, string[]>,
  creatorId: string | null,
): string | null {
  for (const unit of tree.ancestors(unitId)) {
    const manager = managersByUnit.get(unit)?.find((id) => id !== userId);
    if (manager) return manager;
  }
  // Nobody reviews their own access: such an item is left to any other reviewer.
  return creatorId !== null && creatorId !== userId ? creatorId : null;
}

export async function createCampaign(ctx: ServerContext, input: NewCampaign, actor: Actor): Promise<ReviewCampaignView> {
  await assertMayConduct(ctx, actor);
  const now = ctx.now();
  if (input.dueAt <= now) throw new DomainError('validation_failed', 'body.dueAt: must be in the future');
  const [users, roles, units, devices, tree] = await Promise.all([
    ctx.db.selectFrom('users').selectAll().where('status', '=', 'active').orderBy('username').execute(),
    ctx.db.selectFrom('roles').selectAll().execute(),
    ctx.db.selectFrom('org_units').select(['id', 'name']).execute(),
    ctx.db.selectFrom('devices').selectAll().orderBy('enrolled_at').execute(),
    loadOrgTree(ctx.db),
  ]);
  const roleById = new Map(roles.map((r) => [r.id, rowToRole(r)]));
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  const devicesByUser = new Map<string, typeof devices>();
  for (const d of devices) devicesByUser.set(d.user_id, [...(devicesByUser.get(d.user_id) ?? []), d]);
  const managersByUnit = new Map<string, string[]>();
  for (const row of users) {
    for (const unit of rowToUser(row).managedUnitIds) managersByUnit.set(unit, [...(managersByUnit.get(unit) ?? []), row.id]);
  }
  const previous = await previousSnapshots(ctx);

  const campaign: Selectable<ReviewCampaignsTable> = {
    id: `review-${randomUUID()}`, name: input.name, created_by: actor.userId, created_at: now, due_at: input.dueAt,
    status: 'open', stale_days: input.staleDays, closed_at: null,
    due_action: input.dueAction ?? 'keep', reminder_days: input.reminderDays ?? 3, reminded_at: null, close_reason: null,
  };
  const staleBefore = now - input.staleDays * DAY_MS;
  const items: Selectable<ReviewItemsTable>[] = [];
  for (const row of users) {
    const user = rowToUser(row);
    const role = roleById.get(user.roleId);
    if (!role) continue; // a user without a role cannot sign in: nothing to review
    const userDevices = devicesByUser.get(user.id) ?? [];
    const checkIns = userDevices.map((d) => d.last_check_in_at ?? 0);
    const lastActivity = Math.max(row.last_sign_in_at ?? 0, ...checkIns);
    const prev = previous.get(user.id) ?? null;
    const snapshot: ReviewSnapshot = {
      username: user.username, displayName: user.displayName, unitId: user.unitId, unitName: unitName.get(user.unitId) ?? null,
      managedUnitIds: user.managedUnitIds, roleId: role.id, roleName: role.name, actions: role.actions,
      dataScope: role.dataScope, readClearance: role.readClearance, writeClearance: role.writeClearance,
      devices: userDevices.map((d) => ({
        id: d.id, name: d.name, platform: d.platform, status: d.status, enrolledAt: d.enrolled_at, lastCheckInAt: d.last_check_in_at,
      })),
      lastSignInAt: row.last_sign_in_at, lastActivityAt: lastActivity > 0 ? lastActivity : null,
      previous: prev,
    };
    const flags: ReviewFlag[] = [];
    // Never active: stale once the account is older than the stale period.
    if ((lastActivity > 0 ? lastActivity : row.created_at) < staleBefore) flags.push('stale');
    if (prev && prev.unitId !== user.unitId) flags.push('moved');
    if (prev && prev.roleId !== role.id) flags.push('role_changed');
    if (PRIVILEGED_ACTIONS.some((action) => authorize({ user, role }, action, tree).allowed)) flags.push('privileged');
    items.push({
      id: `item-${randomUUID()}`, campaign_id: campaign.id, user_id: user.id,
      reviewer_id: reviewerFor(user.id, user.unitId, tree, managersByUnit, actor.userId),
      snapshot: JSON.stringify(snapshot), flags: JSON.stringify(flags),
      decision: null, decided_by: null, decided_at: null, note: null, decision_source: null,
    });
  }

  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('review_campaigns').values(campaign).execute();
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for (let i = 0; i < items.length; i += 50) await trx.insertInto('review_items').values(items.slice(i, i + 50)).execute();
  });
  const flagged = (flag: ReviewFlag) => items.filter((i) => (JSON.parse(i.flags) as ReviewFlag[]).includes(flag)).length;
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'review.campaign.create', target: campaign.id, outcome: 'ok',
    details: {
      name: campaign.name, dueAt: campaign.due_at, staleDays: campaign.stale_days, items: items.length,
      dueAction: campaign.due_action, reminderDays: campaign.reminder_days,
      stale: flagged('stale'), moved: flagged('moved'), privileged: flagged('privileged'),
    },
  });
  return campaignView(campaign, { items: items.length, decided: 0 });
}

/** Per user, the unit and role in the most recent earlier campaign that reviewed them. */
async function previousSnapshots(ctx: ServerContext): Promise<Map<string, NonNullable<ReviewSnapshot['previous']>>> {
  const rows = await ctx.db.selectFrom('review_items as i')
    .innerJoin('review_campaigns as c', 'c.id', 'i.campaign_id')
    .select(['i.user_id', 'i.snapshot', 'c.id as campaign_id', 'c.created_at'])
    .orderBy('c.created_at', 'desc')
    .execute();
  const latest = new Map<string, NonNullable<ReviewSnapshot['previous']>>();
  for (const row of rows) {
    if (latest.has(row.user_id)) continue;
    const snap = JSON.parse(row.snapshot) as Pick<ReviewSnapshot, 'unitId' | 'roleId'>;
    latest.set(row.user_id, { campaignId: row.campaign_id, unitId: snap.unitId, roleId: snap.roleId });
  }
  return latest;
}

// ---- read

export async function listCampaigns(ctx: ServerContext): Promise<ReviewCampaignView[]> {
  const rows = await ctx.db.selectFrom('review_campaigns').selectAll().orderBy('created_at', 'desc').execute();
  const counts = await countsOf(ctx, rows.map((r) => r.id));
  return rows.map((r) => campaignView(r, counts.get(r.id) ?? { items: 0, decided: 0 }));
}

export async function getCampaign(
  ctx: ServerContext,
  id: string,
  filter: { reviewerId?: string } = {},
): Promise<{ campaign: ReviewCampaignView; items: ReviewItemView[] }> {
  const row = await loadCampaign(ctx, id);
  let q = ctx.db.selectFrom('review_items').selectAll().where('campaign_id', '=', id);
  if (filter.reviewerId) q = q.where('reviewer_id', '=', filter.reviewerId);
  const items = (await q.execute()).map(itemView).sort((a, b) => a.snapshot.username.localeCompare(b.snapshot.username));
  const counts = await countsOf(ctx, [id]);
  return { campaign: campaignView(row, counts.get(id) ?? { items: 0, decided: 0 }), items };
}

// ---- decide

export async function decideItem(
  ctx: ServerContext,
  campaignId: string,
  itemId: string,
  decision: 'certify' | 'revoke',
  note: string | undefined,
  actor: Actor & { userId: string },
): Promise<{ item: ReviewItemView; campaign: ReviewCampaignView }> {
  await assertMayConduct(ctx, actor);
  const campaign = await loadCampaign(ctx, campaignId);
  const item = await ctx.db.selectFrom('review_items').selectAll()
    .where('id', '=', itemId).where('campaign_id', '=', campaignId).executeTakeFirst();
  if (!item) throw new DomainError('not_found', `no item ${itemId} in campaign ${campaignId}`);
  if (campaign.status === 'closed') throw new DomainError('conflict', 'this campaign is closed');
  // From the due date on, undecided items follow the campaign's setting (reviews/deadlines.ts).
  if (ctx.now() >= campaign.due_at) {
    throw new DomainError('conflict', `this campaign is past its due date: undecided items are ${campaign.due_action === 'revoke' ? 'revoked' : 'kept'} automatically`);
  }
  if (item.decision !== null) throw new DomainError('conflict', `this item was already decided (${item.decision})`);
  if (item.user_id === actor.userId) throw new DomainError('forbidden', 'nobody reviews their own access');
  // The assigned reviewer decides; the campaign's creator may decide in their place.
  if (item.reviewer_id !== null && item.reviewer_id !== actor.userId && campaign.created_by !== actor.userId) {
    throw new DomainError('forbidden', 'this item is assigned to another reviewer');
  }

  // Revoke first (idempotent): the decision is recorded only once the access is really gone.
  const revokedDevices = decision === 'revoke' ? (await deactivateUser(ctx, item.user_id, actor)).revokedDevices : 0;
  const now = ctx.now();
  const recorded = decision === 'revoke' ? 'revoked' : 'certified';
  const updated = await ctx.db.updateTable('review_items')
    .set({ decision: recorded, decided_by: actor.userId, decided_at: now, note: note ?? null, decision_source: 'reviewer' })
    .where('id', '=', itemId).where('decision', 'is', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new DomainError('conflict', 'this item was decided meanwhile');
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'review.item.decide', target: itemId, outcome: 'ok',
    details: { campaignId, userId: item.user_id, decision: recorded, note: note ?? null, revokedDevices },
  });

  // The last decision closes the campaign.
  const { open } = await ctx.db.selectFrom('review_items').select((eb) => eb.fn.countAll<number | string>().as('open'))
    .where('campaign_id', '=', campaignId).where('decision', 'is', null).executeTakeFirstOrThrow();
  if (Number(open) === 0) {
    const closed = await ctx.db.updateTable('review_campaigns').set({ status: 'closed', closed_at: now, close_reason: 'all_items_decided' })
      .where('id', '=', campaignId).where('status', '=', 'open').executeTakeFirst();
    if (Number(closed.numUpdatedRows) === 1) {
      await ctx.audit.append({
        actorId: actor.userId, deviceId: actor.deviceId, action: 'review.campaign.close', target: campaignId, outcome: 'ok',
        details: { reason: 'all_items_decided' },
      });
    }
  }
  const result = await getCampaign(ctx, campaignId);
  const view = result.items.find((i) => i.id === itemId);
  if (!view) throw new DomainError('not_found', `no item ${itemId}`);
  return { item: view, campaign: result.campaign };
}

// ---- export

// A cell starting with one of these is a formula to a spreadsheet: display names are user input.
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

export async function exportCampaign(
  ctx: ServerContext,
  id: string,
  format: 'json' | 'csv',
): Promise<{ filename: string; contentType: string; content: string }> {
  const { campaign, items } = await getCampaign(ctx, id);
  const usernames = new Map(
    (await ctx.db.selectFrom('users').select(['id', 'username']).execute()).map((u) => [u.id, u.username]),
  );
  const base = `access-review-${campaign.id}`;
  if (format === 'json') {
    return { filename: `${base}.json`, contentType: 'application/json', content: JSON.stringify({ campaign, items }, null, 2) };
  }
  const header = [
    'campaign', 'username', 'display_name', 'unit', 'role', 'data_scope', 'read_clearance', 'write_clearance',
    'active_devices', 'devices', 'last_sign_in', 'last_activity', 'flags', 'reviewer', 'decision', 'decided_by', 'decided_at', 'note',
    'decided_how', 'due_action', 'campaign_closed',
  ];
  const rows = items.map((i) => [
    campaign.name, i.snapshot.username, i.snapshot.displayName, i.snapshot.unitName ?? i.snapshot.unitId, i.snapshot.roleName,
    i.snapshot.dataScope, i.snapshot.readClearance, i.snapshot.writeClearance,
    i.snapshot.devices.filter((d) => d.status === 'active').length, i.snapshot.devices.length,
    iso(i.snapshot.lastSignInAt), iso(i.snapshot.lastActivityAt), i.flags.join(';'),
    i.reviewerId ? (usernames.get(i.reviewerId) ?? i.reviewerId) : '', i.decision ?? 'pending',
    i.decidedBy ? (usernames.get(i.decidedBy) ?? i.decidedBy) : '', iso(i.decidedAt), i.note,
    i.decisionSource ?? '', campaign.dueAction, campaign.closeReason ?? '',
  ].map(cell));
  return { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', content: stringify([header, ...rows]) };
}
