// Switching the language to English changes the UI: known labels go from Chinese to English.

import { expect, signInAs, test } from './support/fixtures';
import { MESSAGES } from './pages/messages';

const AUDITOR = 'auditor';

test('switching to English changes the UI', async ({ app, server, totp, shot }) => {
  await signInAs(app, { serverUrl: server.url, username: AUDITOR, totp });
  const zh = MESSAGES['zh-CN'];
  const en = MESSAGES.en;
  await expect(app.shell.navItem('audit')).toContainText(zh.nav.audit);
  await expect(app.audit.heading).toBeVisible();
  await expect(app.page.locator('html')).toHaveAttribute('lang', 'zh-CN');

  await app.shell.switchLanguage('en', 'English');

  await expect(app.shell.navItem('audit')).toContainText(en.nav.audit);
  await expect(app.page.getByRole('navigation', { name: zh.shell.mainNav })).toHaveCount(0);
  await expect(app.audit.heading).toHaveText(en.audit.title);
  await expect(app.page.locator('html')).toHaveAttribute('lang', 'en');
  await app.audit.verifyChain();
  await shot(app.page, 'audit-english');
});
