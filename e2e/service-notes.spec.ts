// Customer service reads customers of its service area but cannot change master data: no edit
// control, a read-only marker, and the core refuses an update even when called directly. It can
// log a service note, which reaches the server.

import { randomUUID } from 'node:crypto';
import { templatePattern } from './pages/messages';
import { expect, signInAs, test } from './support/fixtures';

const SERVICE = 'service.sh';

test('customer service cannot edit master data but can log a service note', async ({ app, harness, server, totp, shot }) => {
  await signInAs(app, { serverUrl: server.url, username: SERVICE, totp });
  const visible = await server.db.visibleCustomers(SERVICE);
  const customer = visible[0];
  if (!customer) throw new Error(`${SERVICE} sees no customer on the e2e server`);
  await expect.poll(() => app.customers.total()).toBe(visible.length);

  await app.customers.searchFor(customer.name);
  await app.customers.open(customer.name);
  await expect(app.detail.title(customer.name)).toBeVisible();
  await expect(app.detail.readOnlyTag).toBeVisible();
  await expect(app.detail.editButton).toHaveCount(0);
  await expect(app.page.getByRole('button', { name: app.m.detail.addContact })).toHaveCount(0);
  // The role cannot read opportunities: no (always empty) opportunities tab; contacts and activities are there.
  await expect(app.detail.activitiesTab).toBeVisible();
  await expect(app.page.getByRole('tab', { name: templatePattern(app.m.detail.contacts) })).toBeVisible();
  await expect(app.page.getByRole('tab', { name: templatePattern(app.m.detail.opportunities) })).toHaveCount(0);
  await shot(app.page, 'service-read-only');

  // Not only hidden: the app core refuses the edit (the same call the edit form would make).
  const refused = await app.page.evaluate(async (id) => {
    const res = await fetch('/__harness/api/updateCustomer', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { id, fields: { notes: 'changed by service' } } }),
    });
    return (await res.json()) as { ok: boolean; error?: { code: string } };
  }, customer.id);
  expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'forbidden' }) });
  await app.shell.expectOutboxCount(0);

  const note = `客户来电咨询发票事宜，已处理 ${randomUUID().slice(0, 8)}`;
  await expect(app.detail.logActivityButton, 'customer service may log a service note on a customer of its service area').toBeVisible();
  await app.detail.logActivity(customer.name, note);
  await app.detail.showActivities();
  await expect(app.detail.activity(note)).toBeVisible();
  await app.shell.expectOutboxCount(0, 30_000);
  await shot(app.page, 'service-note');

  const service = await server.db.user(SERVICE);
  expect((await server.db.activitiesOf(customer.id)).filter((a) => a.text === note)).toEqual([
    expect.objectContaining({ kind: 'service_note', authorId: service.id }),
  ]);
  expect((await server.db.customer(customer.id))?.notes).toBe(customer.notes);
  expect(harness.vaultFiles()).toContain('vault.db');
});
