// Follow-ups in a real SQLCipher vault (docs/follow-ups.md): planned offline through the outbox,
// listed by due moment (today / overdue / mine / everyone's), an open plan does not count as a
// contact, completing one does; reminders (due, dismissed, notified, moved); recently viewed
// customers leave with their customer.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault'

import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mutation } from '../../../shared/protocol/sync';
import { Vault } from '.';
import { grantFor, page, tempDir, testKeychain, upsert } from '../../../test/support/vault';
import { localDay } from './follow-ups';

let dir: string;
let path: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

const HOUR = 3_600_000;
const NOW = new Date(2026, 10, 29, 10, 0).getTime(); // 10:00 local time
const day = localDay(NOW);
const grant = grantFor({ actions: [...grantFor().actions, 'activity.update'] });

beforeEach(async () => {
  dir = tempDir('follow-ups');
  path = join(dir, 'vault.db');
  keychain = testKeychain('follow-ups');
  vault = await Vault.create(path, keychain.secrets);
  vault.applyPullPage(
    page({
      upserts: [
        upsert('customer', { id: 'c1', name: '上海东方明珠', ownerId: 'u-rep', city: '上海' }, ['o:u-rep']),
        upsert('customer', { id: 'c2', name: 'Northwind Traders', ownerId: 'u-rep', city: '杭州' }, ['o:u-rep']),
        // another author's follow-up on the same customer (a manager's vault holds the team's)
        upsert('activity', { id: 'a-other', customerId: 'c2', kind: 'call', at: NOW + HOUR, authorId: 'u-other', text: '同事的电话', dueAt: NOW + HOUR, doneAt: null, reminderAt: null }, []),
        upsert('opportunity', { id: 'o1', customerId: 'c1', title: '年度框架协议', stage: 'proposal', amount: 100_000, ownerId: 'u-rep', expectedCloseDate: localDay(NOW + 10 * 24 * HOUR).iso, probability: 50 }, []),
        upsert('opportunity', { id: 'o2', customerId: 'c1', title: '已赢单', stage: 'won', amount: 1, ownerId: 'u-rep', expectedCloseDate: day.iso, probability: 100 }, []),
      ],
    }),
    grant,
  );
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function plan(id: string, customerId: string, dueAt: number, extra: Record<string, unknown> = {}): Mutation {
  return {
    mutationId: randomUUID(), entity: 'activity', op: 'create', recordId: id, baseVersion: null, createdAt: NOW, baseValues: {},
    fields: { customerId, kind: 'visit', at: dueAt, text: `计划 ${id}`, dueAt, doneAt: null, reminderAt: null, ...extra },
  };
}

function lastActivityAt(customerId: string): number | null {
  const v = vault as unknown as { db: { stmt(sql: string): { get(...a: unknown[]): unknown } } };
  return (v.db.stmt('SELECT last_activity_at AS t FROM customers WHERE id = ?').get(customerId) as { t: number | null }).t;
}

describe('follow-ups in the vault', () => {
  it('lists open follow-ups by due moment: today, overdue, mine and everyone\'s, each waiting in the outbox', () => {
    const v = vault!;
    v.applyLocalMutation(plan('f-today', 'c1', day.start + 15 * HOUR), grant);
    v.applyLocalMutation(plan('f-overdue', 'c1', day.start - 30 * HOUR), grant);
    v.applyLocalMutation(plan('f-next-week', 'c2', day.end + 3 * 24 * HOUR), grant);
    expect(v.outboxCount()).toBe(3);
    expect(v.listOutbox().map((o) => [o.entity, o.op])).toEqual([['activity', 'create'], ['activity', 'create'], ['activity', 'create']]);

    const mine = (from?: number, before?: number) => v.listOpenFollowUps({ authorId: 'u-rep', from, before, limit: 50 }).map((f) => f.record.id);
    expect(mine(day.start, day.end)).toEqual(['f-today']);
    expect(mine(undefined, day.start)).toEqual(['f-overdue']);
    expect(v.countOpenFollowUps({ authorId: 'u-rep', before: day.start })).toBe(1);
    expect(mine()).toEqual(['f-overdue', 'f-today', 'f-next-week']);
    // everyone's (a manager's "team"): the other author's too, in due order
    expect(v.listOpenFollowUps({ authorId: null, from: day.start, before: day.end, limit: 50 }).map((f) => f.record.id)).toEqual(['a-other', 'f-today']);

    const today = v.getFollowUp('f-today');
    expect(today).toMatchObject({ customerId: 'c1', customerName: '上海东方明珠', writable: true, pending: true });
    expect(today?.record).toMatchObject({ authorId: 'u-rep', dueAt: day.start + 15 * HOUR, doneAt: null, kind: 'visit' });
    // a logged activity is not a follow-up
    v.applyLocalMutation({ ...plan('logged', 'c1', NOW), fields: { customerId: 'c1', kind: 'call', at: NOW - HOUR, text: '已打电话' } }, grant);
    expect(v.getFollowUp('logged')).toBeNull();
  });

  it('an open follow-up is not a contact; completing it logs it (last activity, dashboard week count)', () => {
    const v = vault!;
    expect(lastActivityAt('c1')).toBeNull();
    v.applyLocalMutation(plan('f1', 'c1', NOW + 2 * HOUR), grant);
    expect(lastActivityAt('c1')).toBeNull();
    const perWeek = () => v.teamDashboard(NOW).activitiesPerWeek.reduce((n, w) => n + w.count, 0);
    expect(perWeek()).toBe(0);

    const doneAt = NOW + 3 * HOUR;
    v.applyLocalMutation({
      mutationId: randomUUID(), entity: 'activity', op: 'update', recordId: 'f1', baseVersion: 0, createdAt: NOW,
      fields: { doneAt, at: doneAt }, baseValues: { doneAt: null, at: NOW + 2 * HOUR },
    }, grant);
    expect(lastActivityAt('c1')).toBe(doneAt);
    expect(perWeek()).toBe(1);
    expect(v.listOpenFollowUps({ authorId: 'u-rep', limit: 50 })).toEqual([]);
    expect(v.getFollowUp('f1')?.record).toMatchObject({ doneAt, at: doneAt });
  });

  it('reminders: due ones until dismissed; a moved reminder is a new one; notified once', () => {
    const v = vault!;
    v.applyLocalMutation(plan('f-rem', 'c1', NOW + 2 * HOUR, { reminderAt: NOW + HOUR }), grant);
    v.applyLocalMutation(plan('f-later', 'c2', NOW + 5 * HOUR, { reminderAt: NOW + 4 * HOUR }), grant);
    expect(v.dueReminders('u-rep', NOW)).toEqual([]);
    expect(v.dueReminders('u-rep', NOW + HOUR).map((f) => f.record.id)).toEqual(['f-rem']);
    expect(v.dueReminders('u-other', NOW + HOUR)).toEqual([]); // reminders are their author's

    expect(v.unnotifiedReminders('u-rep', NOW + HOUR).map((f) => f.record.id)).toEqual(['f-rem']);
    v.markReminderNotified('f-rem', NOW + HOUR);
    expect(v.unnotifiedReminders('u-rep', NOW + HOUR)).toEqual([]);
    expect(v.dueReminders('u-rep', NOW + HOUR).map((f) => f.record.id)).toEqual(['f-rem']); // still in the banner

    v.dismissReminder('f-rem', NOW + HOUR);
    expect(v.dueReminders('u-rep', NOW + 4 * HOUR).map((f) => f.record.id)).toEqual(['f-later']);

    // moving the reminder makes it due (and unnotified) again
    v.applyLocalMutation({
      mutationId: randomUUID(), entity: 'activity', op: 'update', recordId: 'f-rem', baseVersion: 0, createdAt: NOW,
      fields: { reminderAt: NOW + 90 * 60_000 }, baseValues: { reminderAt: NOW + HOUR },
    }, grant);
    expect(v.dueReminders('u-rep', NOW + 2 * HOUR).map((f) => f.record.id)).toEqual(['f-rem']);
    expect(v.unnotifiedReminders('u-rep', NOW + 2 * HOUR).map((f) => f.record.id)).toEqual(['f-rem']);
  });

  it('recently viewed customers, newest first, and opportunities closing soon; both leave with their customer', () => {
    const v = vault!;
    v.recordView('c1', NOW - HOUR);
    v.recordView('c2', NOW);
    v.recordView('c1', NOW + HOUR);
    expect(v.recentCustomers(8).map((c) => [c.id, c.name, c.city])).toEqual([['c1', '上海东方明珠', '上海'], ['c2', 'Northwind Traders', '杭州']]);
    expect(v.closingSoon('u-rep', day.iso, localDay(NOW + 30 * 24 * HOUR).iso, 10).map((o) => [o.id, o.title, o.customerName, o.stage])).toEqual([['o1', '年度框架协议', '上海东方明珠', 'proposal']]);
    expect(v.closingSoon('u-someone-else', day.iso, localDay(NOW + 30 * 24 * HOUR).iso, 10)).toEqual([]);

    // c1 leaves the user's scope: its bucket is dropped and it is purged
    v.applyPullPage(page({ droppedBuckets: ['o:u-rep'], upserts: [upsert('customer', { id: 'c2', name: 'Northwind Traders', ownerId: 'u-rep', city: '杭州' }, ['s:share-1'])] }), grant);
    expect(v.getCustomer('c1')).toBeNull();
    expect(v.recentCustomers(8).map((c) => c.id)).toEqual(['c2']);
    expect(v.closingSoon(null, day.iso, localDay(NOW + 30 * 24 * HOUR).iso, 10)).toEqual([]);
  });
});
