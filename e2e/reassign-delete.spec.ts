// Reassign and delete, in both languages (docs/reassign-and-delete.md). A sales manager moves one
// of a rep's customers to another rep of the team from the customer detail: it goes through the
// outbox, the server applies it, and at the rep's next sync the customer has left the rep's
// vault. The manager then deletes another of the rep's customers after confirming: it leaves the
// rep's vault at the next sync and waits in the recycle bin (who deleted it, when, days left),
// from where the manager restores it and it comes back to the rep.

import type { Locale } from '../shared/api/desktop-api';
import { expect, signInAs, test } from './support/fixtures';
import { App } from './pages/App';
import { MESSAGES, buttonName } from './pages/messages';

const CASES: { locale: Locale; manager: string; rep: string; colleague: string }[] = [
  { locale: 'zh-CN', manager: 'manager.hz', rep: 'rep.hz2.2', colleague: 'rep.hz2.3' },
  { locale: 'en', manager: 'manager.sz', rep: 'rep.sz2.2', colleague: 'rep.sz2.3' },
];

// Two signed-in devices and four syncs: more than the default budget on a loaded machine.
test.describe.configure({ timeout: 300_000 });

for (const { locale, manager: MANAGER, rep: REP, colleague: COLLEAGUE } of CASES) {
  test(`a manager reassigns and deletes a rep's customers, and restores one from the recycle bin (${locale})`, async ({ app, server, totp, shot, harnesses, context }) => {
    const m = MESSAGES[locale];
    const db = server.db.db;
    const rep = await server.db.user(REP);
    const colleague = await server.db.user(COLLEAGUE);
    const owned = (await server.db.visibleCustomers(REP)).filter((c) => c.ownerId === rep.id);
    // Names that appear once on the server, so a search names exactly one row.
    const all = await db.selectFrom('customers').select('name').execute();
    const unique = owned.filter((c) => all.filter((x) => x.name === c.name).length === 1);
    const [moved, removed] = unique;
    if (!moved || !removed) throw new Error(`${REP} owns fewer than two uniquely named customers on the e2e server`);

    // The rep's device holds both.
    const repHarness = await harnesses.launch(`reassign-rep-${locale}`);
    const repPage = await context.newPage();
    await repPage.goto(repHarness.url, { timeout: 120_000 });
    const repApp = new App(repPage);
    // A second renderer on a busy machine: give its first paint time before the usual steps.
    await expect(repApp.signIn.heading).toBeVisible({ timeout: 120_000 });
    await signInAs(repApp, { serverUrl: server.url, username: REP, totp });
    // Two tabs: the one acted on comes to the front (a background tab's animations are throttled).
    const repHolds = async (name: string) => {
      await repPage.bringToFront();
      await repApp.customers.searchFor(name);
      await expect(repApp.customers.count).toBeVisible();
      return repApp.customers.row(name);
    };
    await expect(await repHolds(moved.name)).toHaveCount(1);
    await expect(await repHolds(removed.name)).toHaveCount(1);

    await app.page.bringToFront();
    await expect(app.signIn.heading).toBeVisible({ timeout: 120_000 });
    await signInAs(app, { serverUrl: server.url, username: MANAGER, totp });
    if (locale === 'en') await app.shell.switchLanguage('en', 'English');

    // ---- reassign within the team
    await app.customers.searchFor(moved.name);
    await app.customers.open(moved.name);
    await expect(app.detail.title(moved.name)).toBeVisible();
    await app.page.getByRole('button', { name: buttonName(m.ownership.reassign) }).click();
    const dialog = app.page.getByRole('dialog', { name: m.ownership.reassignTitle.replace('{{name}}', moved.name) });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('reassign-current-owner')).toHaveText(rep.display_name);
    await dialog.getByRole('combobox', { name: m.ownership.newOwner }).click();
    await app.page.getByTitle(colleague.display_name, { exact: true }).click();
    await shot(app.page, `reassign-dialog-${locale}`);
    await dialog.getByTestId('reassign-submit').click();
    await expect(dialog).toBeHidden();
    await app.shell.expectOutboxCount(0, 30_000);
    await expect.poll(async () => (await server.db.customer(moved.id))?.ownerId).toBe(colleague.id);

    // The rep's next sync takes it away.
    await repPage.bringToFront();
    await repApp.shell.syncNow.click();
    await expect(await repHolds(moved.name)).toHaveCount(0, { timeout: 30_000 });

    // ---- delete, after confirming
    await app.page.bringToFront();
    await app.customers.searchFor(removed.name);
    await app.customers.open(removed.name);
    await expect(app.detail.title(removed.name)).toBeVisible();
    await app.page.getByRole('button', { name: buttonName(m.ownership.delete) }).click();
    const confirm = app.page.getByRole('dialog').filter({ hasText: m.ownership.deleteTitle.replace('{{name}}', removed.name) });
    await expect(confirm).toBeVisible();
    await confirm.getByTestId('delete-confirm').click();
    await app.shell.expectOutboxCount(0, 30_000);
    await expect.poll(async () => (await db.selectFrom('customers').select('deleted').where('id', '=', removed.id).executeTakeFirst())?.deleted).toBe(1);
    await repPage.bringToFront();
    await repApp.shell.syncNow.click();
    await expect(await repHolds(removed.name)).toHaveCount(0, { timeout: 30_000 });

    // ---- the recycle bin: who deleted it, when, days left; restore
    const managerUser = await server.db.user(MANAGER);
    await app.page.bringToFront();
    await app.shell.open('recycleBin');
    const row = app.page.getByTestId('recycle-bin').getByRole('row').filter({ hasText: removed.name });
    await expect(row).toBeVisible();
    await expect(row).toContainText(managerUser.display_name);
    await expect(row).toContainText(rep.display_name);
    await expect(row.getByTestId('days-left')).toHaveText(m.recycleBin.daysLeftValue.replace('{{count}}', '30'));
    await shot(app.page, `recycle-bin-${locale}`);
    await row.getByRole('button', { name: `${m.recycleBin.restore}: ${removed.name}` }).click();
    await app.page.getByTestId('restore-confirm').click();
    await expect(row).toHaveCount(0);
    await expect.poll(async () => (await db.selectFrom('customers').select('deleted').where('id', '=', removed.id).executeTakeFirst())?.deleted).toBe(0);

    // It comes back to the rep at the next sync.
    await repPage.bringToFront();
    await repApp.shell.syncNow.click();
    await expect(await repHolds(removed.name)).toHaveCount(1, { timeout: 30_000 });
  });
}
