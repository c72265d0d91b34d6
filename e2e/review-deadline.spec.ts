// An IT admin opens an access review that revokes whatever is still undecided at its due date and
// reminds reviewers 5 days before: the choice is in the create dialog, on the campaign list and
// in the campaign, and stored on the server (server/reviews/deadlines.ts applies it).

import { expect, signInAs, test } from './support/fixtures';
import { buttonName, fill } from './pages/messages';

const ADMIN = 'it.admin';
const VIEWPORT = { width: 1280, height: 720 };

test('a review campaign is opened with "revoke at the due date" and a reminder', async ({ app, server, totp, shot }) => {
  await app.page.setViewportSize(VIEWPORT);
  await signInAs(app, { serverUrl: server.url, username: ADMIN, totp });
  await app.shell.open('reviews');
  await expect(app.reviews.listHeading).toBeVisible();

  const name = `截止撤销复核 ${Date.now()}`;
  const m = app.m.reviews;
  await app.page.getByRole('button', { name: buttonName(m.create) }).click();
  const dialog = app.page.getByRole('dialog', { name: m.createTitle });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel(m.name, { exact: true }).fill(name);
  await expect(dialog.getByRole('radio', { name: m.dueActions.keep })).toBeChecked();
  await dialog.getByRole('radio', { name: m.dueActions.revoke }).check();
  await dialog.getByLabel(m.reminderDays).fill('5');
  await shot(app.page, 'review-create-deadline-zh-CN');
  await dialog.getByRole('button', { name: buttonName(app.m.common.create) }).click();
  await expect(dialog).toBeHidden();
  await expect(app.reviews.campaignHeading(name)).toBeVisible();
  await expect(app.page.getByText(`${m.atDueDate}: ${m.dueActions.revoke}`, { exact: false })).toBeVisible();

  const row = await server.db.db.selectFrom('review_campaigns').select(['due_action', 'reminder_days', 'status']).where('name', '=', name).executeTakeFirstOrThrow();
  expect(row).toEqual({ due_action: 'revoke', reminder_days: 5, status: 'open' });

  // Two days before its due date (moved on the server): the list says how long is left.
  await server.db.db.updateTable('review_campaigns').set({ due_at: Date.now() + 2 * 86_400_000 - 60_000 }).where('name', '=', name).execute();
  await app.page.getByRole('button', { name: buttonName(m.back) }).click();
  const listRow = app.page.getByRole('row').filter({ hasText: name });
  await expect(listRow.getByText(m.dueActions.revoke, { exact: true })).toBeVisible();
  await expect(listRow.getByText(fill(m.dueIn, { count: 2 }), { exact: true })).toBeVisible();
  await shot(app.page, 'review-list-deadline-zh-CN');

  // The "created" message has gone before the other language is shown.
  await expect(app.page.getByText(m.created.split('{{')[0]!)).toHaveCount(0, { timeout: 10_000 });
  await app.shell.switchLanguage('en', 'English');
  const en = app.m.reviews;
  await expect(listRow.getByText(en.dueActions.revoke, { exact: true })).toBeVisible();
  await expect(listRow.getByText(fill(en.dueIn, { count: 2 }), { exact: true })).toBeVisible();
  await shot(app.page, 'review-list-deadline-en');
  await app.page.getByRole('button', { name: buttonName(en.create) }).click();
  const dialogEn = app.page.getByRole('dialog', { name: en.createTitle });
  await expect(dialogEn.getByText(en.dueActionHelp)).toBeVisible();
  await shot(app.page, 'review-create-deadline-en');
  await dialogEn.getByRole('button', { name: buttonName(app.m.common.cancel) }).click();
  await expect(dialogEn).toBeHidden();
  // Out of the reminder window again, so the server's job sends no reminder into later specs.
  await server.db.db.updateTable('review_campaigns').set({ due_at: Date.now() + 14 * 86_400_000 }).where('name', '=', name).execute();
});
