// A rep's laptop is lost. IT finds it by host name among the rep's devices, opens its exposure
// report (what its vault held, from the server's exposure ledger), downloads the PDF, revokes the
// device from the report and sees the wipe confirmed. In Chinese, then the same report in English.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { App } from './pages/App';
import { fill } from './pages/messages';
import { expect, signInAs, test } from './support/fixtures';

const REP = 'rep.hz1.1';
const ADMIN = 'it.admin';

test('IT finds a lost laptop by host name, reads and downloads its exposure report, revokes it and sees the wipe confirmed', async ({ app, harness, harnesses, server, totp, shot, context }) => {
  test.setTimeout(120_000);
  // The rep's laptop: signed in and synced; the periodic sync (every 10 s here) acknowledges the
  // first sync's pages, after which the ledger holds exactly the rep's customers.
  await signInAs(app, { serverUrl: server.url, username: REP, totp });
  const visible = (await server.db.visibleCustomers(REP)).map((c) => c.id).sort();
  expect(visible.length).toBeGreaterThan(0);
  const device = (await server.db.devicesOf(REP)).find((d) => d.status === 'active')!;
  await app.shell.syncNow.click();
  await expect.poll(() => server.db.ledgerCustomers(device.id), { timeout: 30_000 }).toEqual(visible);

  // Two earlier machines of the same rep, with other host names.
  const laptopHost = hostname().trim();
  await server.db.addRetiredDevice(REP, 'HZ-DESKTOP-02', 'wipe_confirmed');
  await server.db.addRetiredDevice(REP, 'HZ-MACBOOK-OLD', 'signed_out');

  const adminHarness = await harnesses.launch('exposure-admin');
  const adminPage = await context.newPage();
  await adminPage.setViewportSize({ width: 1280, height: 720 });
  await adminPage.goto(adminHarness.url);
  const admin = new App(adminPage);
  await signInAs(admin, { serverUrl: server.url, username: ADMIN, totp });
  await admin.shell.open('devices');
  await admin.devices.search(REP);
  await expect(admin.devices.rowsOf(REP)).toHaveCount(3);
  await admin.devices.search(laptopHost);
  const row = admin.devices.rowsOfHost(REP, laptopHost);
  await expect(row).toHaveCount(1);
  await expect(admin.devices.rowsOf(REP)).toHaveCount(1);

  await admin.devices.openExposure(row);
  const m = admin.m.admin.exposure;
  await expect(admin.devices.exposureCount('customer')).toHaveText(String(visible.length));
  await expect(admin.devices.exposureDrawer.getByRole('tab', { name: `${m.entities.customer} (${visible.length})` })).toBeVisible();
  await expect(admin.devices.exposureWipe).toHaveText(m.notRevoked);
  await shot(adminPage, 'exposure-report-zh-CN');

  // The PDF, rendered by the server in Chinese.
  const downloading = adminPage.waitForEvent('download');
  await admin.devices.exposureDownload('pdf').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^exposure-.*\.pdf$/);
  const pdf = readFileSync((await download.path())!);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const text = pdf.toString('latin1');
  expect(text).toContain(`device ${device.id}`);
  expect(text).toContain(`${visible.length} customers`);
  await expect(adminPage.getByText(fill(m.downloaded, { filename: download.suggestedFilename(), count: visible.length }))).toBeVisible();

  // Revoke from the report: the rep's app wipes itself (online: the event stream) and confirms.
  await admin.devices.revokeFromExposure();
  await expect(app.screens.revoked).toBeVisible({ timeout: 15_000 });
  expect(harness.vaultFiles()).toEqual([]);
  await expect.poll(async () => (await server.db.devicesOf(REP)).find((d) => d.id === device.id)?.wipe_confirmed_at ?? null, { timeout: 15_000 }).not.toBeNull();
  await expect(async () => {
    await admin.devices.refreshExposure();
    await expect(admin.devices.exposureWipe).toContainText(m.wipeConfirmedAt.split('·')[0]!.trim(), { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  // What was on the laptop is still answered after the wipe: the ledger is evidence, not scope.
  await expect(admin.devices.exposureCount('customer')).toHaveText(String(visible.length));
  await shot(adminPage, 'exposure-wipe-confirmed-zh-CN');

  // The same report in English.
  await adminPage.keyboard.press('Escape');
  await expect(admin.devices.exposureDrawer).toBeHidden();
  await admin.shell.switchLanguage('en', 'English');
  await admin.devices.openExposure(admin.devices.rowsOfHost(REP, laptopHost));
  await expect(admin.devices.exposureWipe).toContainText(admin.m.admin.exposure.wipeConfirmedAt.split('·')[0]!.trim());
  await expect(admin.devices.exposureCount('customer')).toHaveText(String(visible.length));
  await shot(adminPage, 'exposure-report-en');
  const customersTab = admin.devices.exposureDrawer.getByRole('tab', { name: `${admin.m.admin.exposure.entities.customer} (${visible.length})` });
  await customersTab.scrollIntoViewIfNeeded();
  await expect(admin.devices.exposureDrawer.getByRole('row').filter({ hasText: visible[0]! })).toHaveCount(1);
  await shot(adminPage, 'exposure-records-en');
});
