// The offline lease in the browser: a rep's app whose clock passes the end of its lease while the
// server is down locks — the data stays encrypted on disk with its key in the keychain, and the
// screen says since when and when the wipe would come — and one check-in unlocks it once the
// server is back: the server's time and a fresh grant decide, not the laptop's clock.

import { App } from './pages/App';
import { expect, signInAs, test } from './support/fixtures';

const REP = 'rep.gz1.1';
const HOUR_MS = 3600_000;

test('past its lease the app locks offline, and one check-in unlocks it when the server is back', async ({ harnesses, page, server, totp, shot }) => {
  const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
  const handle = await harnesses.launch('lease', { clock });
  await page.goto(handle.url);
  const app = new App(page);
  await signInAs(app, { serverUrl: server.url, username: REP, totp });
  const state = await handle.harness.service.getState();
  if (!state.ok || !state.value.leaseUntil || !state.value.wipeAfter) throw new Error('a signed-in rep has a lease');
  const { leaseUntil, wipeAfter } = state.value;

  await server.stop();
  try {
    await expect(app.shell.offlineBanner).toBeVisible();
    // An hour past the lease, long before the wipe-after moment.
    clock.offsetMs = leaseUntil - Date.now() + HOUR_MS;
    expect(clock.now()).toBeLessThan(wipeAfter);
    await page.reload();
    await expect(app.screens.locked).toBeVisible();
    // Offline: connect first, then reconnect. Nothing was erased.
    await expect(page.getByRole('button', { name: app.ui.m.locked.retry })).toBeVisible();
    await expect(page.getByText(app.ui.m.locked.what)).toBeVisible();
    expect(handle.vaultFiles()).toContain('vault.db');
    expect((await handle.keychainEntries()).vaultKey).not.toBeNull();
    await shot(page, 'locked-offline-zh-CN');
    await app.shell.switchLanguage('en', 'English');
    await expect(app.screens.locked).toBeVisible();
    await shot(page, 'locked-offline-en');
  } finally {
    await server.start();
  }

  // The server answers again: one check-in — the click, or the app's own when it next asks for
  // its state (a locked verdict checks in first) — and the server's time and a fresh grant unlock
  // the app even though this laptop's clock is still past the old lease. Whichever comes first:
  // the button may be gone before the click lands.
  const checkIn = page.getByRole('button', { name: new RegExp(`${app.ui.m.locked.retry}|${app.ui.m.locked.checkIn}`) });
  await expect(async () => {
    if (!(await app.shell.navigation.isVisible())) await checkIn.click({ timeout: 2_000 });
    await expect(app.shell.navigation).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  await app.shell.expectReady();
  await app.shell.open('customers');
  await expect.poll(() => app.customers.total()).toBeGreaterThan(0);
});
