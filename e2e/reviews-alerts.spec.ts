// The IT admin's security screens: three wrong passwords for one account raise an
// anomaly alert that the admin sees and acknowledges; the admin then starts an access-review
// campaign, certifies an account in it and exports the results. Everything against the real
// server: the alert comes from its anomaly rules, the decision lands in its database.

import { readFileSync } from 'node:fs';
import { expect, signInAs, test } from './support/fixtures';

const ADMIN = 'it.admin';
// An account no other spec signs in with: the failed sign-ins may lock it out.
const TARGET = 'rep.bj2.3';

test('an IT admin acknowledges a failed sign-in alert and certifies an account in a review', async ({ app, server, totp, shot }) => {
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${server.url}/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: TARGET, password: 'not-the-password' }),
    });
    expect(res.ok).toBe(false);
  }
  const target = await server.db.user(TARGET);
  await expect
    .poll(async () => (await server.db.db.selectFrom('alerts').select('id').where('rule', '=', 'failed_sign_in_user').where('user_id', '=', target.id).execute()).length)
    .toBe(1);

  await signInAs(app, { serverUrl: server.url, username: ADMIN, totp });
  await expect(app.shell.navItem('alerts')).toBeVisible();
  await expect(app.shell.navItem('reviews')).toBeVisible();

  // ---- the alert
  await app.shell.open('alerts');
  await expect(app.alerts.heading).toBeVisible();
  const alertRow = app.alerts.rowsOf('failed_sign_in_user', TARGET);
  await expect(alertRow).toHaveCount(1);
  await expect(alertRow.getByText(app.m.alerts.statuses.open, { exact: true })).toBeVisible();
  await shot(app.page, 'alerts-open');

  await app.alerts.acknowledge(alertRow, 'user forgot the password');
  // Acknowledged alerts leave the "open" list and stay in "all", marked acknowledged.
  await expect(alertRow).toHaveCount(0);
  await app.alerts.show('all');
  await expect(alertRow.getByText(app.m.alerts.statuses.acknowledged, { exact: true })).toBeVisible();
  await shot(app.page, 'alerts-acknowledged');
  const stored = await server.db.db.selectFrom('alerts').selectAll().where('rule', '=', 'failed_sign_in_user').where('user_id', '=', target.id).executeTakeFirstOrThrow();
  expect(stored).toMatchObject({ status: 'acknowledged', note: 'user forgot the password', acknowledged_by: (await server.db.user(ADMIN)).id });

  // ---- the access review
  await app.shell.open('reviews');
  await expect(app.reviews.listHeading).toBeVisible();
  const name = `E2E review ${Date.now()}`;
  await app.reviews.create(name);
  const itemRow = app.reviews.itemRow(TARGET);
  await expect(app.reviews.decisionTag(itemRow, 'pending')).toBeVisible();
  // The IT admin's own account is privileged, and nobody decides on their own access.
  const ownRow = app.reviews.itemRow(ADMIN);
  await expect(app.reviews.flagTag(ownRow, 'privileged')).toBeVisible();
  await expect(ownRow.getByRole('button')).toHaveCount(0);
  await shot(app.page, 'review-campaign');

  await app.reviews.decide(TARGET, 'certify', 'still on the Beijing team');
  await expect(app.reviews.decisionTag(itemRow, 'certified')).toBeVisible();
  await expect(itemRow.getByRole('button')).toHaveCount(0);
  await shot(app.page, 'review-certified');

  const campaign = await server.db.db.selectFrom('review_campaigns').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
  const item = await server.db.db.selectFrom('review_items').selectAll().where('campaign_id', '=', campaign.id).where('user_id', '=', target.id).executeTakeFirstOrThrow();
  expect(item).toMatchObject({ decision: 'certified', note: 'still on the Beijing team', decided_by: (await server.db.user(ADMIN)).id });

  const download = await app.reviews.export('csv');
  expect(download.suggestedFilename()).toBe(`access-review-${campaign.id}.csv`);
  const csv = readFileSync(await download.path(), 'utf8');
  const targetLine = csv.split('\n').find((line) => line.includes(`,${TARGET},`));
  expect(targetLine).toContain('certified');
  expect(targetLine).toContain('still on the Beijing team');
});
