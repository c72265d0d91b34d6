// The incident view: an IT admin goes from an audit entry to a rep's timeline (enrolment,
// sign-ins, syncs), revokes the rep's device on the same screen, sees the revocation in the
// timeline, and opens the device's own timeline — in Chinese and in English.

import { DEMO_PASSWORD } from '../server/seed/demo';
import { MESSAGES, buttonName } from './pages/messages';
import { expect, signInAs, test } from './support/fixtures';

test.use({ viewport: { width: 1280, height: 720 } });

const REP = 'rep.hz2.1';
const ADMIN = 'it.admin';

test('an IT admin reads a rep’s incident timeline and revokes the device from it', async ({ app, harnesses, server, totp, shot }) => {
  const rep = await harnesses.launch('rep');
  expect((await rep.harness.service.signIn({ serverUrl: server.url, username: REP, password: DEMO_PASSWORD })).ok).toBe(true);
  expect((await rep.harness.service.verifyMfa({ code: await totp.freshCode(REP) })).ok).toBe(true);
  await expect.poll(async () => {
    const s = await rep.harness.service.getState();
    return s.ok ? s.value.phase : null;
  }, { timeout: 60_000 }).toBe('ready');
  const repUser = await server.db.user(REP);
  const device = (await server.db.devicesOf(REP)).find((d) => d.status === 'active')!;

  await signInAs(app, { serverUrl: server.url, username: ADMIN, totp });
  await app.shell.open('audit');
  await app.audit.filterByPerson(REP);
  const enrolled = app.audit.rowsWithAction('device.enroll').and(app.audit.rowsWithTarget(device.id));
  await app.audit.openEntry(enrolled);
  const zh = MESSAGES['zh-CN'];
  await app.audit.drawer.getByRole('button', { name: zh.audit.openIncident }).first().click();

  const page = app.page;
  await expect(page.getByRole('heading', { name: `事件视图：${repUser.display_name} (${REP})` })).toBeVisible();
  const timeline = page.getByTestId('incident-timeline');
  await expect(timeline.locator('[data-kind="enrolment"]').first()).toContainText(zh.audit.incident.kinds.enrolment);
  await expect(timeline.locator('[data-kind="sign_in"]').first()).toBeVisible();
  await shot(page, 'incident-user-zh');

  // Revoke the device from the incident screen.
  await page.getByRole('button', { name: new RegExp(`^${zh.admin.devices.revoke}:`) }).click();
  await page.getByRole('tooltip').getByRole('button', { name: buttonName(zh.admin.devices.revoke) }).click();
  await expect(timeline.locator('[data-action="admin.device.revoke"]')).toHaveCount(1);
  await expect(timeline.locator('[data-action="admin.device.revoke"]')).toContainText(zh.audit.incident.kinds.revocation);
  await expect.poll(async () => (await server.db.devicesOf(REP)).find((d) => d.id === device.id)?.status).toBe('revoked');
  await shot(page, 'incident-user-revoked-zh');

  // The device's own timeline, in English.
  await page.getByRole('button', { name: zh.audit.incident.openDevice }).first().click();
  await expect(page.getByRole('heading', { name: /^事件视图：设备 / })).toBeVisible();
  await app.shell.switchLanguage('en', 'English');
  const en = MESSAGES.en;
  await expect(page.getByRole('heading', { name: /^Incident view: device / })).toBeVisible();
  await expect(timeline.locator('[data-action="admin.device.revoke"]')).toContainText(en.audit.incident.kinds.revocation);
  await expect(timeline.locator('[data-kind="enrolment"]')).toContainText('Enrolled a device');
  await shot(page, 'incident-device-en');
  await page.getByRole('button', { name: en.audit.incident.back }).click();
  await expect(app.audit.heading).toBeVisible();

  // The devices page opens the same view (it lives on the audit page).
  await app.shell.open('devices');
  await expect(app.devices.heading).toBeVisible();
  await expect(app.devices.rowsOf(REP).first()).toBeVisible();
  await shot(page, 'devices-incident-link-en');
  await app.devices.rowsOf(REP).first().getByRole('button', { name: en.audit.openIncident }).click();
  await expect(page.getByRole('heading', { name: /^Incident view: device / })).toBeVisible();
  await expect(timeline.locator('[data-action="admin.device.revoke"]')).toHaveCount(1);
});
