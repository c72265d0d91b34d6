// A sales director's roll-up by branch and team and the dashboard's team filter: director.east's
// vault holds the org units of the region (sent by the server with the owner directory), the
// roll-up shows each branch and team with figures equal to the server's records of that team's
// people (the permission engine over the server database is the reference), the team filter
// narrows the whole dashboard to the team, and in English a team's pipeline drills down to
// exactly its open deals. (The drill-down comes last: returning to the dashboard after it is left to
// e2e/drill-down.spec.ts.)

import { OPEN_STAGES } from '../shared/api/opportunities';
import { expect, signInAs, test } from './support/fixtures';

const DIRECTOR = 'director.east';
const TEAM = 'unit-sh-t1';
const TEAM_NAME = '上海销售一组';

test('a director sees the roll-up by branch and team, drills into a team and filters by team', async ({ app, page, server, totp, shot }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const deals = await server.db.visibleOpportunities(DIRECTOR);
  const members = new Set((await server.db.db.selectFrom('users').select('id').where('unit_id', '=', TEAM).execute()).map((u) => u.id));
  expect(members.size, 'the demo team has reps').toBeGreaterThan(0);
  const teamDeals = deals.filter((d) => members.has(d.ownerId));
  const open = teamDeals.filter((d) => (OPEN_STAGES as readonly string[]).includes(d.stage)).map((d) => d.id).sort();
  const won = teamDeals.filter((d) => d.stage === 'won').map((d) => d.id).sort();
  expect(open.length).toBeGreaterThan(0);

  await signInAs(app, { serverUrl: server.url, username: DIRECTOR, totp });
  await app.shell.open('dashboard');
  await expect(app.dashboard.heading).toBeVisible();
  const rollup = page.getByTestId('rollup');
  await expect(rollup).toBeVisible();
  // Two branches of the region, each with its two teams.
  for (const name of ['上海分公司', '上海销售一组', '上海销售二组', '杭州分公司', '杭州销售一组', '杭州销售二组']) {
    await expect(rollup.getByTestId('rollup-unit').filter({ hasText: new RegExp(`^${name}$`) })).toHaveCount(1);
  }
  const teamRow = rollup.locator('tr').filter({ has: page.getByTestId('rollup-unit').filter({ hasText: new RegExp(`^${TEAM_NAME}$`) }) });
  await expect(teamRow.getByTestId('rollup-open')).toContainText(`${open.length} 个商机`);
  await expect(teamRow.getByTestId('rollup-won')).toHaveText(String(won.length));
  // Every rep of the region labelled in "pipeline by rep" (12 reps, one bar each).
  const repTicks = app.dashboard.chart('pipelineByRep').locator('.recharts-yAxis .recharts-cartesian-axis-tick');
  await expect.poll(() => repTicks.count()).toBeGreaterThanOrEqual(12);
  await rollup.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await shot(page, 'director-rollup-zh-CN');

  // ---- the team filter: the whole dashboard narrows to the team
  await page.getByRole('combobox', { name: app.m.dashboard.team }).click();
  await page.locator('.ant-select-item-option:visible').filter({ hasText: new RegExp(`^${TEAM_NAME}$`) }).first().click();
  await expect(page.getByText(app.m.dashboard.openCount.replace('{{formatted}}', String(open.length)))).toBeVisible();
  await expect.poll(() => repTicks.count()).toBe(new Set(teamDeals.filter((d) => open.includes(d.id)).map((d) => d.ownerId)).size);
  await shot(page, 'director-team-filter-zh-CN');

  // ---- in English (the roll-up ignores the team filter): its labels; the team's pipeline
  // figure opens exactly its open deals
  await app.shell.switchLanguage('en', 'English');
  await expect(page.getByText('By branch and team')).toBeVisible();
  await page.getByTestId('rollup').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const enTeamRow = page.getByTestId('rollup').locator('tr').filter({ has: page.getByTestId('rollup-unit').filter({ hasText: new RegExp(`^${TEAM_NAME}$`) }) });
  await expect(enTeamRow.getByTestId('rollup-open')).toContainText(`${open.length} deals`);
  await expect(enTeamRow.getByTestId('rollup-won')).toHaveText(String(won.length));
  await shot(page, 'director-rollup-en');
  await enTeamRow.getByTestId('rollup-open').click();
  await expect(app.opportunities.heading).toBeVisible();
  await expect(app.opportunities.drillLabel).toContainText(TEAM_NAME);
  await expect.poll(() => app.opportunities.total()).toBe(open.length);
  if (open.length <= 50) expect((await app.opportunities.rowIds()).sort()).toEqual(open);
});
