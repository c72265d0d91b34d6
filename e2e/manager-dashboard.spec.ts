// A sales manager's team dashboard renders its charts, computed from the local vault, with the
// team's numbers: the won/lost counts shown equal those of the opportunities the server says
// the manager's team scope covers.

import { expect, signInAs, test } from './support/fixtures';

const MANAGER = 'manager.sh';

test("a manager's dashboard renders its charts with the team's numbers", async ({ app, server, totp, shot }) => {
  await signInAs(app, { serverUrl: server.url, username: MANAGER, totp });
  await app.shell.open('dashboard');
  await expect(app.dashboard.heading).toBeVisible();

  for (const chart of ['pipelineByStage', 'pipelineByRep', 'activitiesPerWeek'] as const) {
    await expect(app.dashboard.chart(chart).locator('svg').first(), `${chart} chart is drawn`).toBeVisible();
  }
  // Bars are drawn for the stages that hold amounts.
  await expect(app.dashboard.chart('pipelineByStage').locator('.recharts-bar-rectangle').first()).toBeVisible();

  const stages = await server.db.stageCounts(MANAGER);
  const expected = { won: stages.won ?? 0, lost: stages.lost ?? 0 };
  expect(expected.won + expected.lost, 'the demo team has closed opportunities').toBeGreaterThan(0);
  expect(await app.dashboard.wonAndLost()).toEqual(expected);
  await shot(app.page, 'dashboard');
});
