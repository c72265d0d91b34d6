// Reassigning one opportunity, in both languages (docs/reassign-and-delete.md). With a manager
// role that holds opportunity.reassign, the customer detail's opportunities tab offers
// 转交 / Reassign on a row; the customer's reassign dialog picks a colleague of the team; the change
// goes through the outbox and the server stores the new owner of that deal only.

import type { Locale } from '../shared/api/desktop-api';
import { DEFAULT_ROLE_IDS } from '../shared/permissions/default-roles';
import { expect, signInAs, test } from './support/fixtures';
import { MESSAGES, templatePattern } from './pages/messages';

const CASES: { locale: Locale; manager: string; rep: string; colleague: string }[] = [
  { locale: 'zh-CN', manager: 'manager.hz', rep: 'rep.hz2.2', colleague: 'rep.hz2.3' },
  { locale: 'en', manager: 'manager.sz', rep: 'rep.sz2.2', colleague: 'rep.sz2.3' },
];

test.describe.configure({ timeout: 300_000 });

for (const { locale, manager: MANAGER, rep: REP, colleague: COLLEAGUE } of CASES) {
  test(`a manager hands one of a rep's opportunities to a colleague (${locale})`, async ({ app, server, totp, shot }) => {
    const m = MESSAGES[locale];
    const db = server.db.db;
    const rep = await server.db.user(REP);
    const colleague = await server.db.user(COLLEAGUE);
    const all = await db.selectFrom('customers').select('name').execute();
    const customers = (await server.db.visibleCustomers(REP)).filter((c) => c.ownerId === rep.id && all.filter((x) => x.name === c.name).length === 1);
    const opps = await server.db.visibleOpportunities(REP);
    // The last such customer with a deal of the rep (another spec moves the first ones).
    const customer = customers.reverse().find((c) => opps.some((o) => o.customerId === c.id && o.ownerId === rep.id));
    const deal = customer && opps.find((o) => o.customerId === customer.id && o.ownerId === rep.id);
    if (!customer || !deal) throw new Error(`${REP} holds no uniquely named customer with an own deal on the e2e server`);

    // The organisation's manager role gains opportunity.reassign (not a built-in grant) for this test.
    const role = await db.selectFrom('roles').select('actions').where('id', '=', DEFAULT_ROLE_IDS.manager).executeTakeFirstOrThrow();
    const withAction = [...(JSON.parse(role.actions) as string[]), 'opportunity.reassign'];
    await db.updateTable('roles').set({ actions: JSON.stringify(withAction) }).where('id', '=', DEFAULT_ROLE_IDS.manager).execute();
    try {
      await expect(app.signIn.heading).toBeVisible({ timeout: 120_000 });
      await signInAs(app, { serverUrl: server.url, username: MANAGER, totp });
      if (locale === 'en') await app.shell.switchLanguage('en', 'English');

      await app.customers.searchFor(customer.name);
      await app.customers.open(customer.name);
      await expect(app.detail.title(customer.name)).toBeVisible();
      await app.page.getByRole('tab', { name: templatePattern(m.detail.opportunities) }).click();
      await app.page.getByRole('button', { name: `${m.ownership.reassignOpportunity}: ${deal.title}` }).click();
      const dialog = app.page.getByRole('dialog', { name: m.ownership.reassignTitle.replace('{{name}}', deal.title) });
      await expect(dialog).toBeVisible();
      await expect(dialog).toContainText(m.ownership.reassignOpportunityHelp);
      await expect(dialog.getByTestId('reassign-current-owner')).toHaveText(rep.display_name);
      await dialog.getByRole('combobox', { name: m.ownership.newOwner }).click();
      await app.page.getByTitle(colleague.display_name, { exact: true }).click();
      await expect(app.page.locator('.ant-select-dropdown:visible')).toHaveCount(0); // closed before the picture
      await shot(app.page, `reassign-opportunity-${locale}`);
      await dialog.getByTestId('reassign-submit').click();
      await expect(dialog).toBeHidden();
      await app.shell.expectOutboxCount(0, 30_000);
      await expect.poll(async () => (await server.db.opportunity(deal.id))?.ownerId).toBe(colleague.id);
      expect((await server.db.customer(customer.id))?.ownerId).toBe(rep.id); // only the deal moved
    } finally {
      await db.updateTable('roles').set({ actions: role.actions }).where('id', '=', DEFAULT_ROLE_IDS.manager).execute();
    }
  });
}
