// Dashboards that drill down: a sales manager clicks a stage's bar and lands on the opportunities
// list showing exactly the deals at that stage that the server holds for the manager's team (the
// server database, read through the permission engine, is the reference); the drilled list is kept
// as a saved view and found again. In English the funnel's "won" bar, the overdue card, the
// largest "pipeline by rep" bar and the "not contacted in 30 days" card (customer list) do the
// same; amounts read in 万/亿 and K/M.

import { OPEN_STAGES } from '../shared/api/opportunities';
import type { OpportunityStage } from '../shared/domain/model';
import { fill } from './pages/messages';
import { expect, signInAs, test } from './support/fixtures';

const MANAGER = 'manager.sz';

test('a manager clicks a stage bar and lands on exactly those opportunities', async ({ app, page, server, totp, shot }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const deals = await server.db.visibleOpportunities(MANAGER);
  const idsAt = (stages: string[]) => deals.filter((d) => stages.includes(d.stage)).map((d) => d.id).sort();
  // The open stage holding the most deals (the list's first page holds 50).
  const stage = [...OPEN_STAGES].sort((a, b) => idsAt([b]).length - idsAt([a]).length)[0]!;
  const expected = idsAt([stage]);
  expect(expected.length, 'the demo team has deals at that stage').toBeGreaterThan(0);
  expect(expected.length).toBeLessThanOrEqual(50);

  await signInAs(app, { serverUrl: server.url, username: MANAGER, totp });
  await app.shell.open('dashboard');
  await expect(app.dashboard.heading).toBeVisible();
  await expect.poll(() => app.dashboard.funnelCount(stage)).toBe(expected.length);
  await shot(page, 'drill-dashboard-zh-CN');

  // ---- the stage's bar in the chart
  await app.dashboard.stageBar(stage).click();
  await expect(app.opportunities.heading).toBeVisible();
  await expect(app.opportunities.drillLabel).toContainText(app.m.stages[stage]);
  await expect.poll(() => app.opportunities.total()).toBe(expected.length);
  await expect(app.opportunities.rows).toHaveCount(expected.length);
  expect((await app.opportunities.rowIds()).sort()).toEqual(expected);
  // Each row's stage path names that stage as the current one.
  for (const id of expected.slice(0, 5)) {
    await expect(app.opportunities.stagePath(id)).toHaveAccessibleName(fill(app.m.opportunities.stagePathLabel, { stage: app.m.stages[stage] }));
  }
  await shot(page, 'drill-list-zh-CN');

  // ---- the drilled list kept as a saved view, found again after the filters were cleared
  const viewName = `阶段视图 ${stage}`;
  await app.opportunities.saveView(viewName);
  await app.opportunities.clearFilters();
  await expect.poll(() => app.opportunities.total()).toBe(deals.length);
  await app.opportunities.chooseView(viewName);
  await expect.poll(() => app.opportunities.total()).toBe(expected.length);
  expect((await app.opportunities.rowIds()).sort()).toEqual(expected);

  // ---- in English: the funnel's won bar (closed deals stand apart from the open stages)
  await app.shell.switchLanguage('en', 'English');
  await app.shell.open('dashboard');
  await expect(app.dashboard.heading).toBeVisible();
  // Amounts in K/M (never ¥270,310,000.00).
  await expect(page.getByTestId('open-pipeline')).toHaveText(/^¥[\d.]+[KMB]?$/);
  await shot(page, 'drill-dashboard-en');
  const won = idsAt(['won']);
  await app.dashboard.funnelBar('won' as OpportunityStage).click();
  await expect(app.opportunities.heading).toBeVisible();
  await expect.poll(() => app.opportunities.total()).toBe(won.length);
  expect((await app.opportunities.rowIds()).sort()).toEqual(won);
  await shot(page, 'drill-list-en');

  // ---- the overdue card: open deals whose expected close date has passed
  const today = new Date().toISOString().slice(0, 10);
  const overdue = deals.filter((d) => (OPEN_STAGES as readonly string[]).includes(d.stage) && d.expectedCloseDate < today).map((d) => d.id).sort();
  await app.shell.open('dashboard');
  await page.getByRole('button', { name: new RegExp(`^${app.m.dashboard.overdue} `) }).click();
  await expect.poll(() => app.opportunities.total()).toBe(overdue.length);
  if (overdue.length <= 50) expect((await app.opportunities.rowIds()).sort()).toEqual(overdue);

  // ---- the largest bar of "pipeline by rep": that rep's open deals
  const byOwner = new Map<string, { amount: number; ids: string[] }>();
  for (const d of deals.filter((x) => (OPEN_STAGES as readonly string[]).includes(x.stage))) {
    const entry = byOwner.get(d.ownerId) ?? { amount: 0, ids: [] };
    entry.amount += d.amount ?? 0;
    entry.ids.push(d.id);
    byOwner.set(d.ownerId, entry);
  }
  const [, top] = [...byOwner].sort((a, b) => b[1].amount - a[1].amount || (a[0] < b[0] ? -1 : 1))[0]!;
  await app.shell.open('dashboard');
  await app.dashboard.chart('pipelineByRep').locator('.recharts-bar-rectangle').first().click();
  await expect(app.opportunities.heading).toBeVisible();
  await expect.poll(() => app.opportunities.total()).toBe(top.ids.length);
  expect((await app.opportunities.rowIds()).sort()).toEqual(top.ids.sort());

  // ---- "not contacted in 30 days": the customer list under the same criterion
  const visible = new Set((await server.db.visibleCustomers(MANAGER)).map((c) => c.id));
  const last = new Map(
    (await server.db.db.selectFrom('activities').select(['customer_id']).select((eb) => eb.fn.max('at').as('at')).where('deleted', '=', 0).groupBy('customer_id').execute())
      .map((r) => [r.customer_id, Number(r.at)]),
  );
  const cutoff = Date.now() - 30 * 86_400_000;
  const notContacted = [...visible].filter((id) => (last.get(id) ?? 0) < cutoff).length;
  await app.shell.open('dashboard');
  await page.getByRole('button', { name: `${app.m.dashboard.notContacted} (${notContacted})` }).click();
  await expect(app.customers.list.or(page.getByText(app.m.customers.empty))).toBeVisible();
  expect(await app.customers.total()).toBe(notContacted);
  await expect(page.getByTestId('drill-label')).toContainText(app.m.dashboard.drill.notContacted);
});
