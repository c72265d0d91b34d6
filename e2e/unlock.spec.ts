// A rep locked out by failed sign-ins (the right password no longer gets through) calls IT; the IT
// admin sees the lock on the users page, unlocks the account, and the rep signs in. The unlock is
// in the audit trail, in words.

import { AUDIT_ACTION_TEXT } from '../renderer/i18n/audit-actions';
import { DEMO_PASSWORD } from '../server/seed/demo';
import { App } from './pages/App';
import { MESSAGES } from './pages/messages';
import { expect, signInAs, test } from './support/fixtures';

test.use({ viewport: { width: 1280, height: 720 } });

const REP = 'rep.sz1.1';
const ADMIN = 'it.admin';

test('a rep locked out by failed sign-ins is unlocked by IT and then signs in', async ({ app, harnesses, server, totp, shot, context }) => {
  const zh = MESSAGES['zh-CN'];
  const attempt = async (password: string) => {
    await app.signIn.serverUrl.fill(server.url);
    await app.signIn.username.fill(REP);
    await app.signIn.password.fill(password);
    await app.signIn.submit.click();
  };
  await expect(app.signIn.heading).toBeVisible();
  for (let i = 0; i < 5; i++) {
    await attempt(`wrong-password-${i}`);
    await expect(app.signIn.error.filter({ hasText: zh.errors.invalid_credentials.title })).toBeVisible();
  }
  // Locked: the right password is refused the same way (nothing tells a guesser it was right).
  await attempt(DEMO_PASSWORD);
  await expect(app.signIn.error.filter({ hasText: zh.errors.invalid_credentials.title })).toBeVisible();
  await expect(app.signIn.mfaHeading).toBeHidden();
  await shot(app.page, 'unlock-rep-locked-zh');

  const adminHarness = await harnesses.launch('admin');
  const adminPage = await context.newPage();
  await adminPage.setViewportSize({ width: 1280, height: 720 });
  await adminPage.goto(adminHarness.url);
  const admin = new App(adminPage);
  await signInAs(admin, { serverUrl: server.url, username: ADMIN, totp });
  await admin.shell.open('users');
  await expect(admin.users.heading).toBeVisible();
  await admin.users.find(REP);
  await expect(admin.users.lockTag(REP)).toBeVisible();
  await shot(adminPage, 'unlock-admin-locked-zh');

  await admin.users.helpDesk(REP, 'unlock');
  await expect(admin.users.lockTag(REP)).toBeHidden();
  await shot(adminPage, 'unlock-admin-unlocked-zh');

  // The rep signs in now, password and code.
  await signInAs(app, { serverUrl: server.url, username: REP, totp });
  await expect(app.shell.navigation).toBeVisible();

  // The unlock in the trail, in words, in English too.
  await admin.shell.switchLanguage('en', 'English');
  await admin.shell.open('audit');
  await admin.audit.filterByPerson(REP);
  const unlock = admin.audit.rowsWithAction('admin.user.unlock');
  await expect(unlock).toHaveCount(1);
  await expect(unlock).toContainText(AUDIT_ACTION_TEXT['admin.user.unlock'].en);
  await expect(admin.audit.rowsWithAction('auth.lockout').first()).toContainText(AUDIT_ACTION_TEXT['auth.lockout'].en);
  await shot(adminPage, 'unlock-audit-en');
  await admin.shell.open('users');
  await admin.users.find(REP);
  await shot(adminPage, 'unlock-admin-users-en');
});
