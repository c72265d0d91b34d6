// IT sets a minimum app version for the platform; a rep's app below it is refused at its next
// check-in and shows the update-required screen (data still encrypted on the computer: vault file
// and keychain entries stay), says "not available here" when asked to check for updates in the
// harness, and unlocks once IT removes the minimum and the app checks in again.

import { App } from './pages/App';
import { MESSAGES, fill } from './pages/messages';
import { expect, signInAs, test } from './support/fixtures';

const REP = 'rep.hz1.1';
const ADMIN = 'it.admin';
const PLATFORM = process.platform as 'linux' | 'darwin' | 'win32';
const PLATFORM_LABEL = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' }[PLATFORM];
const VIEWPORT = { width: 1280, height: 720 };

test('an app below the minimum version locks on the update-required screen and unlocks when allowed', async ({ page, context, harnesses, server, totp, shot }) => {
  test.setTimeout(180_000);
  const repHarness = await harnesses.launch('minver-rep', { appVersion: '0.9.0' });
  // IT's own app meets the minimum it sets (a build that is not a semantic version would not).
  const adminHarness = await harnesses.launch('minver-admin', { appVersion: '1.0.0' });
  try {
    await page.setViewportSize(VIEWPORT);
    await page.goto(repHarness.url);
    const rep = new App(page);
    await signInAs(rep, { serverUrl: server.url, username: REP, totp });

    const adminPage = await context.newPage();
    await adminPage.setViewportSize(VIEWPORT);
    await adminPage.goto(adminHarness.url);
    const admin = new App(adminPage);
    await signInAs(admin, { serverUrl: server.url, username: ADMIN, totp });
    await admin.shell.open('devices');
    await expect(admin.devices.heading).toBeVisible();
    await expect(admin.devices.activeRowsOf(REP)).toHaveCount(1);
    await expect(admin.devices.minimumOf(PLATFORM)).toHaveText(MESSAGES['zh-CN'].admin.minVersion.none);

    // IT requires 1.0.0 on this platform: the rep's 0.9.0 is marked below it at once.
    await admin.devices.setMinimum(PLATFORM_LABEL, '1.0.0');
    await expect(admin.devices.minimumOf(PLATFORM)).toContainText('1.0.0');
    await expect(admin.devices.belowTagOf(REP)).toBeVisible();
    await expect(admin.devices.belowCountOf(PLATFORM)).not.toHaveText(fill(MESSAGES['zh-CN'].admin.minVersion.belowCount, { count: 0 }));
    await shot(adminPage, 'min-version-admin-zh-CN');

    // The rep's next check-in (the periodic sync) is refused: the update-required screen.
    await expect(rep.screens.updateRequired).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText('0.9.0', { exact: true })).toBeVisible();
    await expect(page.getByText('1.0.0', { exact: true })).toBeVisible();
    await shot(page, 'update-required-zh-CN');
    // Locked, not wiped: the vault file and both keychain entries are still there.
    expect(repHarness.vaultFiles()).toContain('vault.db');
    const keys = await repHarness.keychainEntries();
    expect(keys.vaultKey).toMatch(/^[0-9a-f]{64}$/);
    expect(keys.deviceKey).toBeTruthy();

    // The harness cannot update itself, and says so.
    await rep.screens.checkForUpdates.click();
    await expect(rep.screens.updaterStatus(MESSAGES['zh-CN'].updateRequired.status.unavailable)).toBeVisible();
    await shot(page, 'update-required-check-zh-CN');

    await rep.shell.switchLanguage('en', 'English');
    await expect(rep.screens.updateRequired).toBeVisible();
    await expect(rep.screens.updaterStatus(MESSAGES.en.updateRequired.status.unavailable)).toBeVisible();
    await shot(page, 'update-required-en');
    await admin.shell.switchLanguage('en', 'English');
    await expect(admin.devices.belowTagOf(REP)).toBeVisible();
    await shot(adminPage, 'min-version-admin-en');

    // IT removes the minimum; "check in again" is accepted and the rep is back in the app.
    await admin.devices.clearMinimum(PLATFORM_LABEL);
    await expect(admin.devices.minimumOf(PLATFORM)).toHaveText(MESSAGES.en.admin.minVersion.none);
    await rep.screens.checkInAgain.click();
    await rep.shell.expectReady(30_000);
    await expect(rep.screens.updateRequired).toBeHidden();

    const audit = await server.db.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'admin.min_version.set').orderBy('seq', 'desc').limit(2).execute();
    expect(audit.map((a) => JSON.parse(a.details) as { after: string | null })).toMatchObject([{ after: null }, { after: '1.0.0' }]);
  } finally {
    // Never leave a minimum behind for the next spec (the server re-reads it within seconds).
    await server.db.db.deleteFrom('app_min_versions').execute().catch(() => undefined);
  }
});
