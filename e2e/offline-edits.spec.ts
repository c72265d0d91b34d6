// Offline work: with the server stopped (its database kept), the rep edits a customer and logs a
// visit; both wait in the outbox (count 2) under an offline banner. The server comes back on the
// same port, the outbox drains to 0 by itself, and the server's database holds both edits.

import { randomUUID } from 'node:crypto';
import { expect, signInAs, test } from './support/fixtures';

const REP = 'rep.sh1.2';

test('edits made while the server is down wait in the outbox and land when it returns', async ({ app, server, totp, shot }) => {
  await signInAs(app, { serverUrl: server.url, username: REP, totp });
  const rep = await server.db.user(REP);
  const own = (await server.db.visibleCustomers(REP)).filter((c) => c.ownerId === rep.id);
  const customer = own[0];
  if (!customer) throw new Error(`${REP} owns no customer on the e2e server`);
  await app.customers.open(customer.name);
  await expect(app.detail.title(customer.name)).toBeVisible();
  await app.shell.expectOutboxCount(0);

  await server.stop();
  try {
    await expect(app.shell.offlineBanner).toBeVisible();

    const tag = randomUUID().slice(0, 8);
    const notes = `离线修改的备注 ${tag}`;
    const visit = `离线拜访：与采购经理确认需求 ${tag}`;
    await app.detail.editCustomer(customer.name, { notes });
    await expect(app.detail.fieldValue('notes')).toHaveText(notes);
    await app.detail.logActivity(customer.name, visit);
    await app.detail.showActivities();
    await expect(app.detail.activity(visit)).toBeVisible();

    await app.shell.expectOutboxCount(2);
    await expect(app.shell.offlineBanner).toBeVisible();
    await shot(app.page, 'offline-outbox');
    // Nothing reached the server while it was down.
    expect((await server.db.customer(customer.id))?.notes).not.toBe(notes);

    await server.start();
    // The app reconnects and pushes by itself (event stream reconnect / periodic sync).
    await app.shell.expectOutboxCount(0, 45_000);
    await expect(app.shell.offlineBanner).toBeHidden();
    await shot(app.page, 'back-online');

    // The server has both edits.
    expect((await server.db.customer(customer.id))?.notes).toBe(notes);
    const activities = await server.db.activitiesOf(customer.id);
    expect(activities.filter((a) => a.text === visit)).toEqual([expect.objectContaining({ kind: 'visit', authorId: rep.id })]);
  } finally {
    await server.start();
  }
});
