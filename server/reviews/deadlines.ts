// Access reviews that finish (docs/access-reviews.md). One job, `applyDueCampaigns`, run on a
// timer by every server process (buildServer) and from the CLI (`review-apply-due`):
//
//  - Reminders. An open campaign whose due date is at most `reminder_days` away gets one
//    reminder per reviewer who still has undecided items: an alert `review_due` naming the
//    reviewer, the campaign and the count (IT sees it in the alerts view; the reviewer sees the
//    campaign's due date in the reviews view). Sent once per campaign (`reminded_at`), also when
//    several processes run the job at once. Items nobody is assigned to are the creator's.
//  - The due date. Once a campaign is due, every undecided item follows the campaign's
//    `due_action`, chosen when it was created: 'keep' records the item as certified, 'revoke'
//    deactivates the user (which revokes every device) and records it as revoked. Such a decision
//    has `decision_source = 'due_date'` and no deciding person. One exception: the job never
//    deactivates the last active user holding admin.users (nobody could administer users any
//    more); that item is kept and the outcome says so. The campaign then closes with
//    `close_reason = 'due_date'`, and the outcome (kept, revoked, devices revoked, exceptions)
//    is audited as `review.campaign.close`; the campaign's export carries every item's source.
//
// Every step is idempotent and guarded by its own condition in the UPDATE (an item only while
// undecided, a campaign only while open), so two processes running the job do each thing once.

import { randomUUID } from 'node:crypto';
import type { Role } from '../../shared/domain/model';
import { deactivateUser, type Actor } from '../admin/service';
import type { ServerContext } from '../context';
import { rowToRole } from '../db/mappers';

const DAY_MS = 24 * 3_600_000;
/** The job's identity in the audit trail: the server itself (no person). */
const SYSTEM: Actor = { userId: null, deviceId: null };

export interface DueRunSummary {
  reminders: number;
  closed: { campaignId: string; kept: number; revoked: number; revokedDevices: number; keptLastAdmin: number }[];
}

export async function applyDueCampaigns(ctx: ServerContext): Promise<DueRunSummary> {
  const summary: DueRunSummary = { reminders: 0, closed: [] };
  const now = ctx.now();
  const open = await ctx.db.selectFrom('review_campaigns').selectAll().where('status', '=', 'open').orderBy('due_at').execute();
  for (const campaign of open) {
    if (campaign.due_at <= now) summary.closed.push(await closeAtDueDate(ctx, campaign.id, campaign.due_action, now));
    else if (campaign.reminder_days > 0 && campaign.reminded_at === null && now >= campaign.due_at - campaign.reminder_days * DAY_MS) {
      summary.reminders += await remind(ctx, campaign, now);
    }
  }
  return summary;
}

async function remind(
  ctx: ServerContext,
  campaign: { id: string; name: string; due_at: number; created_by: string | null; reminder_days: number },
  now: number,
): Promise<number> {
  // Claim the campaign's reminder first: only one process sends it.
  const claimed = await ctx.db.updateTable('review_campaigns').set({ reminded_at: now })
    .where('id', '=', campaign.id).where('reminded_at', 'is', null).where('status', '=', 'open').executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return 0;
  const undecided = await ctx.db.selectFrom('review_items').select(['reviewer_id'])
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('campaign_id', '=', campaign.id).where('decision', 'is', null)
    .groupBy('reviewer_id').execute();
  const perReviewer = new Map<string | null, number>();
  for (const row of undecided) {
    const reviewer = row.reviewer_id ?? campaign.created_by;
    perReviewer.set(reviewer, (perReviewer.get(reviewer) ?? 0) + Number(row.n));
  }
  let sent = 0;
  for (const [reviewerId, count] of perReviewer) {
    const details = { campaignId: campaign.id, campaignName: campaign.name, dueAt: campaign.due_at, undecided: count };
    await ctx.db.insertInto('alerts').values({
      id: randomUUID(), at: now, rule: 'review_due', severity: 'medium', user_id: reviewerId, device_id: null,
      details: JSON.stringify(details), status: 'open', dedupe_key: `review_due:${campaign.id}:${reviewerId ?? 'any'}`,
      acknowledged_by: null, acknowledged_at: null, note: null,
    }).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
    await ctx.audit.append({
      actorId: null, deviceId: null, action: 'review.reminder', target: campaign.id, outcome: 'ok',
      details: { reviewerId, ...details, daysBefore: campaign.reminder_days },
    });
    sent++;
  }
  return sent;
}

async function closeAtDueDate(ctx: ServerContext, campaignId: string, dueAction: 'keep' | 'revoke', now: number) {
  const items = await ctx.db.selectFrom('review_items').select(['id', 'user_id'])
    .where('campaign_id', '=', campaignId).where('decision', 'is', null).orderBy('id').execute();
  const outcome = { campaignId, kept: 0, revoked: 0, revokedDevices: 0, keptLastAdmin: 0 };
  for (const item of items) {
    let decision: 'certified' | 'revoked' = 'certified';
    let note = 'kept at the due date (campaign setting: keep)';
    if (dueAction === 'revoke') {
      if (await isLastUserAdministrator(ctx, item.user_id)) {
        note = 'kept at the due date: the last active user administrator is never deactivated automatically';
        outcome.keptLastAdmin++;
      } else {
        const user = await ctx.db.selectFrom('users').select('status').where('id', '=', item.user_id).executeTakeFirst();
        // Revoke first (idempotent): the decision is recorded only once the access is gone.
        if (user?.status === 'active') outcome.revokedDevices += (await deactivateUser(ctx, item.user_id, SYSTEM)).revokedDevices;
        decision = 'revoked';
        note = 'revoked at the due date (campaign setting: revoke)';
      }
    }
    const updated = await ctx.db.updateTable('review_items')
      .set({ decision, decided_by: null, decided_at: now, note, decision_source: 'due_date' })
      .where('id', '=', item.id).where('decision', 'is', null).executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) continue; // decided meanwhile (a reviewer or another process)
    if (decision === 'revoked') outcome.revoked++;
    else outcome.kept++;
    await ctx.audit.append({
      actorId: null, deviceId: null, action: 'review.item.decide', target: item.id, outcome: 'ok',
      details: { campaignId, userId: item.user_id, decision, source: 'due_date', note },
    });
  }
  const closed = await ctx.db.updateTable('review_campaigns').set({ status: 'closed', closed_at: now, close_reason: 'due_date' })
    .where('id', '=', campaignId).where('status', '=', 'open').executeTakeFirst();
  if (Number(closed.numUpdatedRows) === 1) {
    await ctx.audit.append({
      actorId: null, deviceId: null, action: 'review.campaign.close', target: campaignId, outcome: 'ok',
      details: { reason: 'due_date', dueAction, ...outcome },
    });
  }
  return outcome;
}

/** Would deactivating this user leave no active user whose role holds admin.users? */
async function isLastUserAdministrator(ctx: ServerContext, userId: string): Promise<boolean> {
  const roles = await ctx.db.selectFrom('roles').selectAll().execute();
  const adminRoles = roles.map(rowToRole).filter((r: Role) => r.actions.includes('admin.users')).map((r) => r.id);
  if (adminRoles.length === 0) return false;
  const admins = await ctx.db.selectFrom('users').select('id').where('status', '=', 'active').where('role_id', 'in', adminRoles).execute();
  return admins.length === 1 && admins[0]!.id === userId;
}

/**
 * Runs the job every `intervalMs` (the first run a few seconds after start); a failure is logged
 * and the next tick tries again. `stop()` ends the timer and waits for a run in progress.
 */
export function startReviewDeadlineTimer(ctx: ServerContext, intervalMs: number, log: (err: unknown) => void): { stop(): Promise<void> } {
  let current: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (current || stopped) return;
    current = applyDueCampaigns(ctx).then(() => undefined, log).finally(() => {
      current = null;
    });
  };
  const first = setTimeout(tick, Math.min(intervalMs, 5_000));
  const timer = setInterval(tick, intervalMs);
  first.unref?.();
  timer.unref?.();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await current;
    },
  };
}
