// Follow-ups offline, in both languages: a rep lands on the home page, opens a customer, and with
// the server stopped plans two follow-ups on its activity timeline (one due yesterday, one due
// today). The home page shows them as overdue and due today (and the overdue one's reminder),
// from the vault alone; the rep completes the overdue one there. When the server returns the
// outbox drains and the server's database holds both: the completed one as a logged activity.

import { randomUUID } from 'node:crypto';
import type { Locale } from '../shared/api/desktop-api';
import { expect, signInAs, test } from './support/fixtures';
import { MESSAGES } from './pages/messages';

/**
 * Yesterday 09:00 and later today, as "YYYY-MM-DD HH:mm" in the BROWSER's time zone (the
 * Playwright config gives it its own), with their epoch ms: what "today" means on screen.
 */
function dueTimes(): { yesterday: string; yesterdayAt: number; later: string; laterAt: number } {
  const p = (n: number) => String(n).padStart(2, '0');
  const fmt = (d: Date) => `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  const now = new Date();
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, 9, 0);
  // An hour from now, but 23:59 at the latest, so it stays "today"; whole minutes as the form keeps them.
  const raw = new Date(Math.min(now.getTime() + 3_600_000, new Date(now.getFullYear(), now.getMonth(), now.getDate(), 23, 59).getTime()));
  const later = new Date(raw.getFullYear(), raw.getMonth(), raw.getDate(), raw.getHours(), raw.getMinutes());
  return { yesterday: fmt(yesterday), yesterdayAt: yesterday.getTime(), later: fmt(later), laterAt: later.getTime() };
}

const CASES: { locale: Locale; rep: string }[] = [
  { locale: 'zh-CN', rep: 'rep.hz1.1' },
  { locale: 'en', rep: 'rep.sz1.1' },
];

for (const { locale, rep: REP } of CASES) {
  test(`a follow-up planned offline is due on the home page, completed there, and lands on the server (${locale})`, async ({ app, server, totp, shot }) => {
    await signInAs(app, { serverUrl: server.url, username: REP, totp, landing: 'home' });
    if (locale === 'en') await app.shell.switchLanguage('en', 'English');
    // The first screen after sign-in.
    await expect(app.home.heading).toBeVisible();
    await expect(app.shell.navItem('home')).toContainText(MESSAGES[locale].nav.home);

    const rep = await server.db.user(REP);
    const customer = (await server.db.visibleCustomers(REP)).find((c) => c.ownerId === rep.id);
    if (!customer) throw new Error(`${REP} owns no customer on the e2e server`);
    await app.shell.open('customers');
    await app.customers.open(customer.name);
    await expect(app.detail.title(customer.name)).toBeVisible();
    await app.shell.expectOutboxCount(0);

    await server.stop();
    try {
      await expect(app.shell.offlineBanner).toBeVisible();
      const tag = randomUUID().slice(0, 8);
      const overdueText = locale === 'en' ? `Send the revised quote ${tag}` : `发送修改后的报价 ${tag}`;
      const todayText = locale === 'en' ? `Call the buyer about delivery ${tag}` : `致电采购确认交期 ${tag}`;
      const due = await app.page.evaluate(dueTimes);
      await app.detail.planFollowUp(customer.name, { dueAt: due.yesterday, text: overdueText });
      await app.detail.planFollowUp(customer.name, { dueAt: due.later, text: todayText });
      await expect(app.detail.activity(overdueText)).toBeVisible();
      await app.shell.expectOutboxCount(2);
      await shot(app.page, `detail-follow-ups-${locale}`);
      expect((await server.db.activitiesOf(customer.id)).filter((a) => a.text === overdueText || a.text === todayText)).toEqual([]);

      // Home, offline: overdue, due today, the overdue one's reminder (an hour before it was due),
      // and the customer just opened.
      await app.shell.open('home');
      await expect(app.home.item(app.home.overdue, overdueText)).toBeVisible();
      await expect(app.home.item(app.home.dueToday, todayText)).toBeVisible();
      await expect(app.home.item(app.home.overdue, todayText)).toHaveCount(0);
      await expect(app.home.reminders).toContainText(overdueText);
      await expect(app.home.recentCustomers).toContainText(customer.name);
      // The home menu item carries a badge while something is overdue, seen from every page.
      await expect(app.page.getByTestId('home-badge')).toBeVisible();
      // The "planned" toast has gone, so the screenshot shows the header beneath it.
      await expect(app.page.getByText(MESSAGES[locale].followUps.planned, { exact: true })).toHaveCount(0);
      await shot(app.page, `home-offline-${locale}`);

      const outcome = locale === 'en' ? `Quote sent; signing next week ${tag}` : `报价已发送，下周签约 ${tag}`;
      await app.home.complete(overdueText, customer.name, outcome);
      await expect(app.home.item(app.home.overdue, overdueText)).toHaveCount(0);
      await expect(app.home.reminders).not.toContainText(overdueText);
      await app.shell.expectOutboxCount(3);
      // Changed (still offline): the plan's text, through the same edit form.
      const todayChanged = `${todayText} (2)`;
      await app.home.editText(todayText, customer.name, todayChanged);
      await expect(app.home.item(app.home.dueToday, todayChanged)).toBeVisible();
      await app.shell.expectOutboxCount(4);

      await server.start();
      await app.shell.expectOutboxCount(0, 45_000);
      await expect(app.shell.offlineBanner).toBeHidden();
      await expect(app.home.item(app.home.dueToday, todayChanged)).toBeVisible();
      await expect(app.page.getByText(MESSAGES[locale].followUps.updated, { exact: true })).toHaveCount(0);
      await shot(app.page, `home-online-${locale}`);

      // The server has each follow-up once: the completed one as a logged activity, the other open.
      const mine = (await server.db.activitiesOf(customer.id)).filter((a) => a.authorId === rep.id && a.dueAt !== null && a.text.includes(tag));
      expect(mine).toHaveLength(2);
      const done = mine.find((a) => a.text === outcome);
      expect(done).toMatchObject({ kind: 'visit', dueAt: due.yesterdayAt });
      expect(done?.doneAt).not.toBeNull();
      expect(done?.at).toBe(done?.doneAt);
      expect(mine.find((a) => a.text === todayChanged)).toMatchObject({ doneAt: null, dueAt: due.laterAt });
    } finally {
      await server.start();
    }
  });
}
