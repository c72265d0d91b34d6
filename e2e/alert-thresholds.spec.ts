// An IT admin changes an alert threshold on the alerts screen: a bad value is refused in words
// before anything is sent, a good one is saved, audited and shown again; in both languages.
// The thresholds are put back afterwards (the e2e server is shared by every spec).

import { MESSAGES, buttonName } from './pages/messages';
import { expect, signInAs, test } from './support/fixtures';

test.use({ viewport: { width: 1280, height: 720 } });

const ADMIN = 'it.admin2';

test('an IT admin edits the alert thresholds', async ({ app, server, totp, shot, harness }) => {
  await signInAs(app, { serverUrl: server.url, username: ADMIN, totp });
  const before = await harness.harness.service.alertConfigGet();
  expect(before.ok).toBe(true);
  const original = before.ok ? before.value : null;
  try {
    const zh = MESSAGES['zh-CN'];
    const th = zh.alerts.thresholds;
    await app.shell.open('alerts');
    await app.page.getByRole('button', { name: buttonName(th.open) }).click();
    const drawer = app.page.getByRole('dialog', { name: th.title });
    await expect(drawer).toBeVisible();
    const views = drawer.getByLabel(th.offlineViews);
    await expect(views).toHaveValue(String(original!.volume.offlineViews));

    // A bad time zone is refused in words; nothing is saved.
    await drawer.getByLabel(th.timeZone).fill('Mars/Olympus');
    await drawer.getByRole('button', { name: buttonName(th.save) }).click();
    await expect(drawer.getByText(th.timeZoneRule)).toBeVisible();
    await drawer.getByText(th.timeZoneRule).scrollIntoViewIfNeeded();
    await shot(app.page, 'alert-thresholds-invalid-zh');
    await drawer.getByLabel(th.timeZone).fill('Asia/Shanghai');

    await views.fill(String(original!.volume.offlineViews + 100));
    await drawer.getByRole('button', { name: buttonName(th.save) }).click();
    await expect(app.page.getByText(th.saved)).toBeVisible();
    await expect(drawer).toBeHidden();
    const saved = await harness.harness.service.alertConfigGet();
    expect(saved.ok && saved.value.volume.offlineViews).toBe(original!.volume.offlineViews + 100);

    await app.page.getByRole('button', { name: buttonName(th.open) }).click();
    await expect(drawer.getByLabel(th.offlineViews)).toHaveValue(String(original!.volume.offlineViews + 100));
    await app.page.waitForTimeout(600); // the drawer's opening animation
    await drawer.locator('.ant-drawer-body').evaluate((el) => el.scrollTo(0, 0));
    await shot(app.page, 'alert-thresholds-zh');
    await drawer.getByRole('button', { name: buttonName(zh.common.cancel) }).click();
    await expect(drawer).toBeHidden();

    await app.shell.switchLanguage('en', 'English');
    const en = MESSAGES.en.alerts.thresholds;
    await app.page.getByRole('button', { name: buttonName(en.open) }).click();
    await expect(app.page.getByRole('dialog', { name: en.title }).getByLabel(en.offlineViews)).toHaveValue(String(original!.volume.offlineViews + 100));
    await app.page.waitForTimeout(600); // the drawer's opening animation
    await app.page.getByRole('dialog', { name: en.title }).locator('.ant-drawer-body').evaluate((el) => el.scrollTo(0, 0));
    await shot(app.page, 'alert-thresholds-en');

    // The change is in the audit trail, in words.
    await app.page.keyboard.press('Escape');
    await app.shell.open('audit');
    await app.audit.filterByAction('admin.alert_thresholds.update');
    await expect(app.audit.rowsWithAction('admin.alert_thresholds.update').first()).toContainText('Changed the alert thresholds');
  } finally {
    if (original) await harness.harness.service.alertConfigSet(original);
  }
});
