// An IT admin revokes a rep's device while the rep's window is open and online: the rep's window
// shows the revoked screen within seconds, and the rep's vault files and keychain entries are gone.

import { App } from './pages/App';
import { expect, signInAs, test } from './support/fixtures';

const REP = 'rep.sh2.1';
const ADMIN = 'it.admin';

test("an IT admin revokes a rep's device and the rep's app wipes itself", async ({ app, harness, harnesses, server, totp, shot, context }) => {
  await signInAs(app, { serverUrl: server.url, username: REP, totp });
  await expect(app.shell.offlineBanner).toBeHidden();
  expect(harness.vaultFiles()).toContain('vault.db');
  const before = await harness.keychainEntries();
  expect(before.vaultKey, 'the vault key is in the OS keychain').toMatch(/^[0-9a-f]{64}$/);
  expect(before.deviceKey, 'the device key is in the OS keychain').toBeTruthy();

  const adminHarness = await harnesses.launch('admin');
  const adminPage = await context.newPage();
  await adminPage.goto(adminHarness.url);
  const admin = new App(adminPage);
  await signInAs(admin, { serverUrl: server.url, username: ADMIN, totp });
  await admin.shell.open('devices');
  await expect(admin.devices.heading).toBeVisible();
  await expect(admin.devices.activeRowsOf(REP)).toHaveCount(1);
  await shot(adminPage, 'admin-devices');

  await admin.devices.revokeDeviceOf(REP);
  await expect(admin.devices.revokedRowsOf(REP)).toHaveCount(1);

  // The rep's window learns it over the event stream; "within seconds", not at the next poll.
  await expect(app.screens.revoked).toBeVisible({ timeout: 10_000 });
  await shot(app.page, 'revoked');
  await shot(adminPage, 'admin-devices-revoked');

  expect(harness.vaultFiles()).toEqual([]);
  expect(await harness.keychainEntries()).toEqual({ vaultKey: null, deviceKey: null });
  const devices = await server.db.devicesOf(REP);
  expect(devices.map((d) => d.status)).toEqual(['revoked']);
  // The device confirms the wipe to the server after shredding.
  await expect.poll(async () => (await server.db.devicesOf(REP))[0]?.wipe_confirmed_at ?? null).not.toBeNull();

  // The admin's click is in the server's audit trail, and the chain verifies.
  const deviceId = devices[0]!.id;
  await admin.shell.open('audit');
  await expect(admin.audit.heading).toBeVisible();
  await admin.audit.filterByAction('admin.device.revoke');
  await expect(admin.audit.rowsWithTarget(deviceId)).toHaveCount(1);
  await admin.audit.verifyChain();
  await shot(adminPage, 'admin-audit');
});
