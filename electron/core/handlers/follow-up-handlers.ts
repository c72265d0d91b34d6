// Follow-ups and the home page (docs/follow-ups.md). A follow-up is an activity with a due
// moment: planning one is an activity create, rescheduling and completing it an activity update,
// each through LocalEdits (local pre-check, optimistic write with its outbox entry, background
// sync); the server re-authorizes every one on push. The home page reads only the vault.

import { randomUUID } from 'node:crypto';
import type { FollowUpItem, HomeOverview } from '../../../shared/api/desktop-api';
import type { Activity } from '../../../shared/domain/model';
import type { GrantClaims } from '../../../shared/protocol/grant';
import { AppError } from '../api-errors';
import type { StoredFollowUp } from '../contracts';
import { authorizeLocalEdit } from '../local-authz';
import type { AppController, Unlocked } from '../session/controller';
import { localDay } from '../vault/follow-ups';
import { LocalEdits, definedOnly } from './local-edits';
import type { HandlerGroup } from './types';

type FollowUpMethod = 'planFollowUp' | 'updateFollowUp' | 'completeFollowUp' | 'listFollowUps' | 'homeOverview' | 'dismissReminder';

const HOME_LIST_LIMIT = 50;
const UPCOMING_DAYS = 7;
const CLOSING_DAYS = 30;
const DAY_MS = 86_400_000;

/** "Today" as the screen sees it (the renderer's local day), else this process's local day. */
function dayOf(given: { start: number; end: number; date: string } | undefined, now: number): { start: number; end: number; iso: string } {
  return given ? { start: given.start, end: given.end, iso: given.date } : localDay(now);
}

/** yyyy-mm-dd plus `days` calendar days (no time zone involved). */
function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** A stored follow-up as the UI gets it; `canEdit` from the role and the server's verdict on its customer. */
export function followUpItem(grant: GrantClaims, stored: StoredFollowUp): FollowUpItem {
  const r = stored.record as Partial<Activity> & { id: string };
  const canEdit = authorizeLocalEdit(grant, 'activity.update', 'activity', { kind: 'existing', customerId: stored.customerId, writable: stored.writable }, []).allowed;
  const item: FollowUpItem = {
    id: r.id,
    customerId: stored.customerId,
    customerName: stored.customerName,
    dueAt: Number(r.dueAt),
    reminderAt: typeof r.reminderAt === 'number' ? r.reminderAt : null,
    doneAt: typeof r.doneAt === 'number' ? r.doneAt : null,
    authorId: String(r.authorId ?? ''),
    authorName: stored.authorName,
    pending: stored.pending,
    canEdit,
  };
  if (typeof r.kind === 'string') item.kind = r.kind;
  if (typeof r.text === 'string') item.text = r.text;
  return item;
}

export function followUpHandlers(app: AppController): HandlerGroup<FollowUpMethod> {
  const edits = new LocalEdits(app);

  /** The follow-up as stored now (after an edit: with the edit laid over it). */
  const itemOf = (u: Unlocked, id: string): FollowUpItem => {
    const stored = u.vault.getFollowUp(id);
    if (!stored) throw new AppError('not_found', 'no such follow-up on this device');
    return followUpItem(u.grant, stored);
  };

  const readable = (u: Unlocked) => {
    app.requireAction(u.grant, 'activity.read');
    return u;
  };

  return {
    planFollowUp: async (input) => {
      const u = app.requireUnlocked();
      if (input.reminderAt !== null && input.reminderAt > input.dueAt) {
        throw new AppError('validation_failed', 'the reminder must not be after the due time');
      }
      // An open follow-up's `at` is its due moment; completing it moves `at` to when it was done.
      const fields: Record<string, unknown> = {
        customerId: input.customerId, kind: input.kind, at: input.dueAt, text: input.text,
        dueAt: input.dueAt, doneAt: null, reminderAt: input.reminderAt,
      };
      const target = edits.customerTarget(u, input.customerId);
      edits.check(u, 'activity.create', 'activity', target, fields);
      const id = randomUUID();
      edits.record(u, { entity: 'activity', op: 'create', recordId: id, baseVersion: null, fields, baseValues: {} });
      return { id };
    },

    updateFollowUp: async (input) => {
      const u = app.requireUnlocked();
      const { target, base } = edits.editTarget(u, 'activity', input.id);
      if (typeof base.dueAt !== 'number') throw new AppError('not_found', 'no such follow-up on this device');
      if (typeof base.doneAt === 'number') throw new AppError('validation_failed', 'this follow-up is already done; a done follow-up is a logged activity');
      const fields = definedOnly(input.fields);
      // Rescheduling moves the planned moment (`at`) with it.
      if (typeof fields.dueAt === 'number') fields.at = fields.dueAt;
      const dueAt = typeof fields.dueAt === 'number' ? fields.dueAt : base.dueAt;
      const reminderAt = 'reminderAt' in fields ? fields.reminderAt : base.reminderAt;
      if (typeof reminderAt === 'number' && reminderAt > dueAt) throw new AppError('validation_failed', 'the reminder must not be after the due time');
      edits.check(u, 'activity.update', 'activity', target, fields);
      edits.recordUpdate(u, 'activity', input.id, base, fields);
      return itemOf(u, input.id);
    },

    completeFollowUp: async (input) => {
      const u = app.requireUnlocked();
      const { target, base } = edits.editTarget(u, 'activity', input.id);
      if (typeof base.dueAt !== 'number') throw new AppError('not_found', 'no such follow-up on this device');
      if (typeof base.doneAt === 'number') throw new AppError('validation_failed', 'this follow-up is already done');
      const doneAt = input.doneAt ?? u.now;
      // Done = logged: `at` becomes when it happened, the outcome (if given) its text.
      const fields: Record<string, unknown> = { doneAt, at: doneAt };
      if (input.text !== undefined) fields.text = input.text;
      edits.check(u, 'activity.update', 'activity', target, fields);
      edits.recordUpdate(u, 'activity', input.id, base, fields);
      return itemOf(u, input.id);
    },

    listFollowUps: async (input) => {
      const u = readable(app.requireUnlocked());
      const mine = input.filter !== 'team' ? u.grant.sub : null;
      const before = input.filter === 'overdue' ? dayOf(input.day, u.now).start : undefined;
      return u.vault.listOpenFollowUps({ authorId: mine, before, limit: input.limit }).map((f) => followUpItem(u.grant, f));
    },

    homeOverview: async (input) => {
      const u = app.requireUnlocked();
      app.requireAction(u.grant, 'customer.read');
      // A role that reads customers but not their activities gets the page without follow-ups.
      const activities = u.grant.actions.includes('activity.read');
      // 'team' only for a role with the team dashboard (managers); anyone else sees their own.
      const team = input.scope === 'team' && u.grant.actions.includes('dashboard.team');
      const authorId = team ? null : u.grant.sub;
      const day = dayOf(input.day, u.now);
      const list = (from: number | undefined, before: number, limit = HOME_LIST_LIMIT) =>
        activities ? u.vault.listOpenFollowUps({ authorId, from, before, limit }).map((f) => followUpItem(u.grant, f)) : [];
      const overview: HomeOverview = {
        today: day.iso,
        dueToday: list(day.start, day.end),
        overdue: list(undefined, day.start),
        overdueTotal: activities ? u.vault.countOpenFollowUps({ authorId, before: day.start }) : 0,
        upcoming: list(day.end, day.end + UPCOMING_DAYS * DAY_MS, 20),
        closingSoon: u.grant.actions.includes('opportunity.read') ? u.vault.closingSoon(team ? null : u.grant.sub, day.iso, addDays(day.iso, CLOSING_DAYS), 10) : [],
        recentCustomers: u.vault.recentCustomers(8),
        reminders: activities ? u.vault.dueReminders(u.grant.sub, u.now).map((f) => followUpItem(u.grant, f)) : [],
        computedAt: u.now,
      };
      return overview;
    },

    dismissReminder: async (input) => {
      const u = readable(app.requireUnlocked());
      if (!u.vault.getFollowUp(input.id)) throw new AppError('not_found', 'no such follow-up on this device');
      u.vault.dismissReminder(input.id, u.now);
      app.emit();
      return { ok: true as const };
    },
  };
}
