// Follow-ups against the REAL server (docs/follow-ups.md): planned while the server is down, shown
// on the home page as overdue / due today from the vault, pushed exactly once when it returns,
// completed (a logged activity on the server); a plan for a customer the rep may no longer write
// is refused on push, held on the server and shown to the rep as an issue.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReminderNotice } from '../reminders';
import { localDay } from '../vault/follow-ups';
import { newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';

const HOUR = 3_600_000;

describe('follow-ups offline, through the outbox, re-authorized on push (real server)', () => {
  let server: RealServer;
  let t: TestApp;
  // The desktop notifications the app would show (a fake notifier in place of Electron's).
  const notices: ReminderNotice[] = [];

  beforeAll(async () => {
    server = await startRealServer();
    t = await newTestApp('follow-ups', { notifier: { show: (n) => notices.push(n) }, reminderIntervalMs: 100 });
    await signInAndSync(t.app, server, server.fixture.users.rep);
    await waitFor(async () => (await stateOf(t.app)).online, 'online');
  });
  afterAll(async () => {
    await t?.cleanup();
    await server?.cleanup();
  });

  const activityRow = (id: string) => server.db.selectFrom('activities').selectAll().where('id', '=', id).execute();

  it('a follow-up planned offline is on the home page, reaches the server once, and completing it logs it', async () => {
    const { repOwn } = server.customers;
    const rep = server.fixture.users.rep;
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');

    const today = localDay(Date.now());
    const overdueAt = today.start - 20 * HOUR;
    const overdue = unwrap(await t.app.planFollowUp({ customerId: repOwn.id, kind: 'visit', dueAt: overdueAt, reminderAt: overdueAt - HOUR, text: '回访：确认报价 follow up on the quote' }));
    const dueToday = unwrap(await t.app.planFollowUp({ customerId: repOwn.id, kind: 'call', dueAt: today.end - 1, text: '电话确认交期' }));
    expect((await stateOf(t.app)).outboxCount).toBe(2);

    const home = unwrap(await t.app.homeOverview({ scope: 'mine' }));
    expect(home.overdue.map((f) => f.id)).toEqual([overdue.id]);
    expect(home.overdueTotal).toBe(1);
    expect(home.dueToday.map((f) => f.id)).toEqual([dueToday.id]);
    expect(home.overdue[0]).toMatchObject({ customerId: repOwn.id, kind: 'visit', pending: true, canEdit: true, authorId: rep.id });
    expect(home.reminders.map((f) => f.id)).toEqual([overdue.id]);
    // One desktop notification for the due reminder, once, without customer data in it.
    await waitFor(() => notices.length > 0, 'reminder notified');
    await new Promise((r) => setTimeout(r, 400));
    expect(notices).toEqual([expect.objectContaining({ count: 1 })]);
    expect(JSON.stringify(notices)).not.toMatch(/回访|quote|电话/);
    expect(JSON.stringify(notices)).not.toContain(repOwn.name);
    // Dismissed in the app: gone from the banner (the notification is not repeated either).
    unwrap(await t.app.dismissReminder({ id: overdue.id }));
    expect(unwrap(await t.app.homeOverview({ scope: 'mine' })).reminders).toEqual([]);
    expect(notices).toHaveLength(1);
    expect(unwrap(await t.app.listFollowUps({ filter: 'overdue' })).map((f) => f.id)).toEqual([overdue.id]);
    expect(unwrap(await t.app.listFollowUps({ filter: 'mine' })).map((f) => f.id)).toEqual([overdue.id, dueToday.id]);
    // a reminder after the due time is refused before anything is written
    expect(await t.app.planFollowUp({ customerId: repOwn.id, kind: 'call', dueAt: today.end - 1, reminderAt: today.end + HOUR, text: 'x' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await activityRow(overdue.id)).toEqual([]);

    await server.restart();
    await waitFor(async () => (await stateOf(t.app)).outboxCount === 0, 'outbox drained');
    unwrap(await t.app.syncNow());
    const [row] = await activityRow(overdue.id);
    expect(row).toMatchObject({ customer_id: repOwn.id, author_id: rep.id, kind: 'visit', text: '回访：确认报价 follow up on the quote' });
    expect(Number(row?.due_at)).toBe(overdueAt);
    expect(Number(row?.reminder_at)).toBe(overdueAt - HOUR);
    expect(row?.done_at).toBeNull();
    // exactly once: one create applied, whatever the retries
    const creates = await server.db.selectFrom('audit_log').select(['action', 'target']).where('target', '=', `activity:${overdue.id}`).execute();
    expect(creates.map((c) => c.action)).toEqual(['record.create']);
    expect(unwrap(await t.app.listIssues())).toEqual([]);

    // Rescheduled (offline): tomorrow, reminder moved with it; the old reminder no longer applies.
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    const tomorrow = today.end + 10 * HOUR;
    const moved = unwrap(await t.app.updateFollowUp({ id: dueToday.id, fields: { dueAt: tomorrow, reminderAt: tomorrow - HOUR, text: '电话确认交期（改到明天）' } }));
    expect(moved).toMatchObject({ dueAt: tomorrow, reminderAt: tomorrow - HOUR, pending: true });
    const afterMove = unwrap(await t.app.homeOverview({ scope: 'mine' }));
    expect(afterMove.dueToday).toEqual([]);
    expect(afterMove.upcoming.map((f) => f.id)).toEqual([dueToday.id]);
    expect(await t.app.updateFollowUp({ id: dueToday.id, fields: { reminderAt: tomorrow + HOUR } })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    await server.restart();
    await waitFor(async () => (await stateOf(t.app)).outboxCount === 0, 'reschedule pushed');
    const [rescheduled] = await activityRow(dueToday.id);
    expect([Number(rescheduled?.due_at), Number(rescheduled?.at), Number(rescheduled?.reminder_at), rescheduled?.text]).toEqual([tomorrow, tomorrow, tomorrow - HOUR, '电话确认交期（改到明天）']);

    // Completed (offline again): a logged activity, pushed as an update of the same record.
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    const done = unwrap(await t.app.completeFollowUp({ id: overdue.id, text: '已拜访，客户接受报价' }));
    expect(done.doneAt).not.toBeNull();
    expect(done.pending).toBe(true);
    expect(unwrap(await t.app.homeOverview({ scope: 'mine' })).overdue).toEqual([]);
    expect(await t.app.completeFollowUp({ id: overdue.id })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    await server.restart();
    await waitFor(async () => (await stateOf(t.app)).outboxCount === 0, 'completion pushed');
    const [completed] = await activityRow(overdue.id);
    expect(Number(completed?.done_at)).toBe(done.doneAt);
    expect(Number(completed?.at)).toBe(done.doneAt);
    expect(completed?.text).toBe('已拜访，客户接受报价');
    expect(unwrap(await t.app.listIssues())).toEqual([]);
  });

  it('a follow-up for a customer the rep may no longer write is refused on push and kept as an issue', async () => {
    const { repOwn2 } = server.customers;
    const rep = server.fixture.users.rep;
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    const planned = unwrap(await t.app.planFollowUp({ customerId: repOwn2.id, kind: 'visit', dueAt: Date.now() + HOUR, text: '被改派后的计划' }));
    // Meanwhile the customer is reassigned to another rep: the rep may no longer write it.
    await server.reassign(repOwn2.id, server.fixture.users.rep2.id);

    await server.restart();
    unwrap(await t.app.syncNow());
    expect((await stateOf(t.app)).outboxCount).toBe(0);
    const issues = unwrap(await t.app.listIssues());
    expect(issues).toEqual([expect.objectContaining({ kind: 'rejected', entity: 'activity', recordId: planned.id })]);
    expect(await activityRow(planned.id)).toEqual([]);
    const held = await server.db.selectFrom('held_mutations').selectAll().where('record_id', '=', planned.id).execute();
    expect(held.map((h) => [h.kind, h.user_id])).toEqual([['rejected', rep.id]]);
    // the customer left the vault with its plan
    expect(unwrap(await t.app.homeOverview({ scope: 'mine' })).upcoming.map((f) => f.id)).not.toContain(planned.id);
  });

  it('a manager sees the team\'s open follow-ups in the home page\'s team view, not among their own', async () => {
    const m = await newTestApp('follow-ups-manager');
    try {
      await signInAndSync(m.app, server, server.fixture.users.manager);
      const rep = server.fixture.users.rep;
      const open = (h: { dueToday: { authorId: string; authorName: string | null; canEdit: boolean }[]; overdue: unknown[]; upcoming: unknown[] }) => [...h.dueToday, ...(h.overdue as typeof h.dueToday), ...(h.upcoming as typeof h.dueToday)];
      const team = open(unwrap(await m.app.homeOverview({ scope: 'team' })));
      expect(team.map((f) => f.authorId)).toContain(rep.id);
      expect(team.find((f) => f.authorId === rep.id)).toMatchObject({ authorName: expect.any(String), canEdit: true });
      expect(open(unwrap(await m.app.homeOverview({ scope: 'mine' })))).toEqual([]);
      expect(unwrap(await m.app.listFollowUps({ filter: 'team' })).map((f) => f.authorId)).toContain(rep.id);
    } finally {
      await m.cleanup();
    }
  });

  it('a director sees the team\'s follow-ups read-only; an IT admin has no home page and plans nothing', async () => {
    const d = await newTestApp('follow-ups-director');
    const it = await newTestApp('follow-ups-it');
    try {
      await signInAndSync(d.app, server, server.fixture.users.director);
      const team = unwrap(await d.app.homeOverview({ scope: 'team' }));
      const repsOpen = [...team.dueToday, ...team.overdue, ...team.upcoming].filter((f) => f.authorId === server.fixture.users.rep.id);
      expect(repsOpen.length).toBeGreaterThan(0);
      expect(repsOpen.every((f) => !f.canEdit)).toBe(true);
      expect(await d.app.completeFollowUp({ id: repsOpen[0]!.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await d.app.planFollowUp({ customerId: repsOpen[0]!.customerId, kind: 'call', dueAt: Date.now() + HOUR, text: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

      await signInAndSync(it.app, server, server.fixture.users.itAdmin);
      expect(await it.app.homeOverview({ scope: 'mine' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await it.app.listFollowUps({ filter: 'mine' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      await d.cleanup();
      await it.cleanup();
    }
  });

  it('is refused offline for a customer shared read-only, before anything reaches the outbox', async () => {
    const { sharedWithRep } = server.customers;
    expect(await t.app.planFollowUp({ customerId: sharedWithRep.id, kind: 'call', dueAt: Date.now() + HOUR, text: 'nope' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await stateOf(t.app)).outboxCount).toBe(0);
  });
});
