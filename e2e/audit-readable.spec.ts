// An auditor finds a device revocation by typing the IT admin's name (not an id, not a code) and
// reads it in words — who, which device of whom, what — in Chinese and in English; routine sync
// entries stay folded until asked for. The revocation itself is made in the setup through the IT
// admin's app service (the real handlers and server, no UI).

import { AUDIT_ACTION_TEXT } from '../renderer/i18n/audit-actions';
import { DEMO_PASSWORD } from '../server/seed/demo';
import { MESSAGES } from './pages/messages';
import { expect, signInAs, test, type E2eServer, type HarnessHandle, type Totp } from './support/fixtures';

test.use({ viewport: { width: 1280, height: 720 } });

const REP = 'rep.gz2.1';
const ADMIN = 'it.admin2';
const ADMIN_NAME = '钱敏';
const AUDITOR = 'auditor';

/** Signs a harness's app in through its service (no UI) and waits for the first sync. */
async function signInService(h: HarnessHandle, server: E2eServer, username: string, totp: Totp): Promise<void> {
  const started = await h.harness.service.signIn({ serverUrl: server.url, username, password: DEMO_PASSWORD });
  expect(started.ok, JSON.stringify(started)).toBe(true);
  const state = await h.harness.service.verifyMfa({ code: await totp.freshCode(username) });
  expect(state.ok, JSON.stringify(state)).toBe(true);
  await expect.poll(async () => {
    const s = await h.harness.service.getState();
    return s.ok ? s.value.phase : null;
  }, { timeout: 60_000 }).toBe('ready');
}

test("an auditor finds IT's device revocation by the admin's name and reads it in words", async ({ app, harnesses, server, totp, shot }) => {
  const repHarness = await harnesses.launch('rep');
  await signInService(repHarness, server, REP, totp);
  const adminHarness = await harnesses.launch('admin');
  await signInService(adminHarness, server, ADMIN, totp);
  const repDevice = (await server.db.devicesOf(REP)).find((d) => d.status === 'active');
  expect(repDevice).toBeTruthy();
  const revoked = await adminHarness.harness.service.adminRevokeDevice({ id: repDevice!.id });
  expect(revoked.ok, JSON.stringify(revoked)).toBe(true);
  const repName = (await server.db.user(REP)).display_name;

  await signInAs(app, { serverUrl: server.url, username: AUDITOR, totp });
  await expect(app.audit.heading).toBeVisible();
  const zh = MESSAGES['zh-CN'];

  // Typing the admin's name (the auditor never sees an id) finds the revocation, in words.
  await app.audit.filterByPerson(ADMIN_NAME);
  const row = app.audit.rowsWithTarget(repDevice!.id).and(app.audit.rowsWithAction('admin.device.revoke'));
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(AUDIT_ACTION_TEXT['admin.device.revoke']['zh-CN']);
  await expect(row).toContainText(`${ADMIN_NAME} (${ADMIN})`);
  await expect(row).toContainText(repName);
  await expect(row).toContainText(zh.audit.outcomes.ok);
  await expect(row).not.toContainText('admin.device.revoke');
  // Only the admin's entries, and routine sync folded away.
  await expect(app.audit.rowsWithAction('sync.pull')).toHaveCount(0);
  await shot(app.page, 'audit-readable-zh');

  await app.audit.openEntry(row);
  await expect(app.audit.drawer).toContainText(AUDIT_ACTION_TEXT['admin.device.revoke']['zh-CN']);
  await expect(app.audit.drawer).toContainText('admin.device.revoke');
  await expect(app.audit.drawer).toContainText(repDevice!.id);
  await expect(app.audit.drawerDetails).toContainText('"reason": "device_revoked"');
  await shot(app.page, 'audit-entry-zh');
  await app.audit.closeEntry();

  // Routine sync shows when asked for: the admin's own first sync (nothing to send an admin).
  await app.audit.showRoutine.check();
  await app.audit.apply();
  await expect(app.audit.rowsWithAction('sync.pull').first()).toBeVisible();
  await app.audit.showRoutine.uncheck();

  // The same in English.
  await app.shell.switchLanguage('en', 'English');
  const en = MESSAGES.en;
  await app.audit.filterByPerson(ADMIN_NAME);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(AUDIT_ACTION_TEXT['admin.device.revoke'].en);
  await expect(row).toContainText(en.audit.outcomes.ok);
  await shot(app.page, 'audit-readable-en');
  await app.audit.openEntry(row);
  await expect(app.audit.drawer).toContainText(en.audit.showDeviceEntries);
  await shot(app.page, 'audit-entry-en');

  // The drawer's link: everything about the revoked device, newest first.
  await app.audit.drawer.getByRole('button', { name: en.audit.showDeviceEntries }).last().click();
  await expect(app.audit.rowsWithAction('device.enroll').and(app.audit.rowsWithTarget(repDevice!.id))).toHaveCount(1);
  await expect(app.audit.rowsWithAction('admin.device.revoke')).toHaveCount(1);
  await shot(app.page, 'audit-device-trail-en');
});
