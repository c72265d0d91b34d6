// The pipeline board, two devices: a rep drags a deal to the next stage; the move is a local edit
// that goes through the outbox to the server, and the manager's dashboard (another harness, its
// own vault) shows it after its sync. In English the rep moves it back with the keyboard ("move
// to" menu). Then, while the rep works offline, the server takes opportunity.update away from the
// sales-rep role: the device (still holding the old grant) accepts the next move, the server
// refuses it when pushed on reconnect, the board says why (English, then Chinese) and the card is
// back where it was.

import { OPEN_STAGES } from '../shared/api/opportunities';
import type { OpportunityStage } from '../shared/domain/model';
import { App } from './pages/App';
import { expect, signInAs, test } from './support/fixtures';

const REP = 'rep.hz1.1';
const MANAGER = 'manager.hz';

test("a rep moves a deal on the board; the manager's dashboard shows it after sync; a refused move comes back", async ({ app, page, harnesses, server, totp, shot, context }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const rep = await server.db.user(REP);
  // A deal the rep owns whose next stage is an open one (a column that shows its cards).
  const deal = (await server.db.visibleOpportunities(REP)).find((d) => d.ownerId === rep.id && ['lead', 'qualified', 'proposal'].includes(d.stage));
  if (!deal) throw new Error(`${REP} owns no opportunity before negotiation on the e2e server`);
  const from = deal.stage as OpportunityStage;
  const to = OPEN_STAGES[OPEN_STAGES.indexOf(from as (typeof OPEN_STAGES)[number]) + 1]!;

  // ---- the manager's dashboard, before
  const managerHarness = await harnesses.launch('pipeline-manager');
  const managerPage = await context.newPage();
  await managerPage.setViewportSize({ width: 1280, height: 720 });
  await managerPage.goto(managerHarness.url);
  const manager = new App(managerPage);
  await signInAs(manager, { serverUrl: server.url, username: MANAGER, totp });
  await manager.shell.open('dashboard');
  await expect(manager.dashboard.heading).toBeVisible();
  const before = await server.db.stageCounts(MANAGER);
  await expect.poll(() => manager.dashboard.funnelCount(from)).toBe(before[from] ?? 0);
  await expect.poll(() => manager.dashboard.funnelCount(to)).toBe(before[to] ?? 0);

  // ---- the rep drags the card to the next stage
  await signInAs(app, { serverUrl: server.url, username: REP, totp });
  await app.shell.open('pipeline');
  await expect(app.pipeline.heading).toBeVisible();
  await expect(app.pipeline.cardIn(from, deal.id)).toBeVisible();
  const columnBefore = await app.pipeline.columnCount(to);
  await app.pipeline.drag(deal.id, to);
  await expect(app.pipeline.cardIn(to, deal.id)).toBeVisible();
  await expect(app.pipeline.cardIn(from, deal.id)).toHaveCount(0);
  await expect.poll(() => app.pipeline.columnCount(to)).toBe(columnBefore + 1);
  // Through the outbox to the server.
  await app.shell.expectOutboxCount(0, 30_000);
  await expect.poll(async () => (await server.db.opportunity(deal.id))?.stage).toBe(to);
  await shot(page, 'pipeline-board-zh-CN');

  // ---- the manager's device syncs (event stream / periodic sync) and its dashboard follows
  await expect.poll(() => manager.dashboard.funnelCount(to), { timeout: 30_000 }).toBe((before[to] ?? 0) + 1);
  expect(await manager.dashboard.funnelCount(from)).toBe((before[from] ?? 0) - 1);
  const after = await server.db.stageCounts(MANAGER);
  expect(await manager.dashboard.funnelCount(to)).toBe(after[to]);
  await shot(managerPage, 'pipeline-manager-dashboard-zh-CN');

  // ---- in English, back with the keyboard
  await app.shell.switchLanguage('en', 'English');
  await expect(app.pipeline.heading).toBeVisible();
  await app.pipeline.moveWithKeyboard(deal.id, deal.title, from);
  await expect(app.pipeline.cardIn(from, deal.id)).toBeVisible();
  await app.shell.expectOutboxCount(0, 30_000);
  await expect.poll(async () => (await server.db.opportunity(deal.id))?.stage).toBe(from);
  await shot(page, 'pipeline-board-en');

  // ---- the server refuses a move the device still allowed: the rep works offline while the
  // role loses opportunity.update on the server (an online device would learn of it at once)
  const db = server.db.db;
  const repRole = await db.selectFrom('roles').select(['actions']).where('id', '=', 'role-rep').executeTakeFirstOrThrow();
  try {
    await server.stop();
    await expect(app.shell.offlineBanner).toBeVisible();
    const fewer = (JSON.parse(repRole.actions) as string[]).filter((a) => a !== 'opportunity.update');
    await db.updateTable('roles').set({ actions: JSON.stringify(fewer) }).where('id', '=', 'role-rep').execute();
    await app.pipeline.moveWithKeyboard(deal.id, deal.title, to);
    // Accepted on the device (its grant still allows it), waiting in the outbox.
    await expect(app.pipeline.cardIn(to, deal.id)).toBeVisible();
    await app.shell.expectOutboxCount(1);
    await server.start();
    // Back online: the check-in brings the narrower grant, the push is refused, the card returns.
    await expect(app.pipeline.refusal).toBeVisible({ timeout: 45_000 });
    await expect(app.pipeline.refusal).toContainText(app.m.pipeline.refused.no_action);
    await expect(app.pipeline.cardIn(from, deal.id)).toBeVisible();
    await expect(app.pipeline.cardIn(to, deal.id)).toHaveCount(0);
    expect((await server.db.opportunity(deal.id))?.stage).toBe(from);
    // The fresh grant no longer allows moves: the board says so and offers none.
    await expect(page.getByText(app.m.pipeline.hintReadOnly)).toBeVisible();
    await shot(page, 'pipeline-refused-en');
    await app.shell.switchLanguage('zh-CN', '简体中文');
    await expect(app.pipeline.refusal).toContainText(app.m.pipeline.refused.no_action);
    await shot(page, 'pipeline-refused-zh-CN');
  } finally {
    await server.start();
    // Other specs expect the shipped rep role.
    await db.updateTable('roles').set({ actions: repRole.actions }).where('id', '=', 'role-rep').execute();
  }
});
