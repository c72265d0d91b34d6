// IT connects an identity provider in the app: adds it, issues its SCIM token (shown once; the
// server keeps only its hash, and the token works against /scim/v2), and maps a provider group
// to a role and a unit. Screens at 1280×720 in Chinese and English; the sign-in screen then
// offers "Sign in with <provider>" in both languages.

import { createHash } from 'node:crypto';
import { DEMO_PASSWORD, demoTotpSecret } from '../server/seed/demo';
import { hashPassword } from '../server/identity/password';
import { identityDb } from '../server/sso/tables';
import { App } from './pages/App';
import { fill, MESSAGES } from './pages/messages';
import { expect, signInAs, test } from './support/fixtures';

const ADMIN = 'it.admin.sso';

// Many steps on a machine that other suites load heavily: allow each one more time.
test.use({ actionTimeout: 45_000 });
test.slow();
const PROVIDER = 'Acme Entra ID';

test('IT adds an identity provider, a SCIM token and a group rule; the sign-in screen offers it', async ({ app, harnesses, server, totp, shot, context }) => {
  const db = server.db.db;
  const it = await server.db.user('it.admin');
  // A third IT admin of its own, so it.admin keeps its device slots for the other specs.
  if (!(await db.selectFrom('users').select('id').where('username', '=', ADMIN).executeTakeFirst())) {
    await db.insertInto('users').values({
      id: 'user-e2e-it-admin-sso', username: ADMIN, display_name: '周洁（IT）', unit_id: it.unit_id, role_id: it.role_id, managed_unit_ids: '[]',
      status: 'active', password_hash: await hashPassword(DEMO_PASSWORD), totp_secret: demoTotpSecret(ADMIN), totp_pending_secret: null,
      failed_attempts: 0, locked_until: null, last_sign_in_at: null, last_totp_step: null, created_at: Date.now(),
    }).execute();
  }
  const idb = identityDb(db);
  try {
    await app.page.setViewportSize({ width: 1280, height: 720 });
    await signInAs(app, { serverUrl: server.url, username: ADMIN, totp });
    const zh = MESSAGES['zh-CN'].admin.identity;
    await app.shell.open('identity');
    await expect(app.page.getByRole('heading', { name: zh.title })).toBeVisible();

    // Add the provider through the form.
    await app.page.getByRole('button', { name: zh.add }).click();
    const dialog = app.page.getByRole('dialog');
    await dialog.getByLabel(zh.name).fill(PROVIDER);
    await dialog.getByLabel(zh.issuer).fill('https://login.microsoftonline.com/0f1e2d3c-acme/v2.0');
    await dialog.getByLabel(zh.clientId).fill('6c1f7d2a-salesvault-desktop');
    await dialog.getByLabel(zh.defaultUnit).click();
    await app.page.locator('.ant-select-tree-title').first().click();
    await dialog.getByLabel(zh.trustMfa).click();
    await shot(app.page, 'sso-admin-add-zh');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await expect(app.page.getByRole('cell', { name: PROVIDER, exact: true })).toBeVisible();
    const provider = await idb.selectFrom('identity_providers').selectAll().where('name', '=', PROVIDER).executeTakeFirstOrThrow();
    expect(provider).toMatchObject({ trust_mfa: 1, client_id: '6c1f7d2a-salesvault-desktop' });

    // The SCIM token: shown once, stored as a hash, and it authenticates SCIM.
    await app.page.getByRole('button', { name: zh.issue }).click();
    await app.page.getByRole('tooltip').getByRole('button', { name: zh.rotate }).click();
    const tokenText = (await app.page.getByTestId('scim-token').innerText()).trim();
    expect(tokenText).toMatch(/^svscim_[A-Za-z0-9_-]{43}$/);
    await expect(app.page.getByTestId('scim-base-url')).toContainText(`${server.url}/scim/v2`);
    await shot(app.page, 'sso-admin-token-zh');
    const stored = await idb.selectFrom('scim_tokens').selectAll().where('provider_id', '=', provider.id).execute();
    expect(stored.map((r) => r.token_hash)).toEqual([createHash('sha256').update(tokenText).digest('base64url')]);
    expect((await fetch(`${server.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${tokenText}` } })).status).toBe(200);
    await app.page.getByRole('button', { name: zh.tokenDone }).click();

    // A group rule: provider group → sales rep in a team.
    await app.page.getByRole('button', { name: /展开行|Expand row/ }).first().click();
    await app.page.getByPlaceholder(zh.group).fill('SV Shanghai Reps');
    await app.page.locator('.ant-select').filter({ hasText: zh.role }).click();
    await app.page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: MESSAGES['zh-CN'].roleNames.rep }).first().click();
    await app.page.locator('.ant-select').filter({ hasText: zh.unit }).click();
    await app.page.locator('.ant-select-dropdown:visible .ant-select-tree-title').first().click();
    await app.page.getByRole('button', { name: zh.addRule }).click();
    await expect(app.page.getByRole('cell', { name: 'SV Shanghai Reps', exact: true })).toBeVisible();
    const rules = await idb.selectFrom('scim_group_rules').selectAll().where('provider_id', '=', provider.id).execute();
    expect(rules).toMatchObject([{ group_name: 'SV Shanghai Reps', role_id: 'role-rep', allow_admin_role: 0 }]);
    await shot(app.page, 'sso-admin-providers-zh');

    await app.shell.switchLanguage('en', 'English');
    await expect(app.page.getByRole('heading', { name: MESSAGES.en.admin.identity.title })).toBeVisible();
    await expect(app.page.locator('.ant-select-dropdown:visible')).toHaveCount(0); // the language list has closed
    await shot(app.page, 'sso-admin-providers-en');

    // The sign-in screen of another device offers the provider, in both languages.
    const signedOut = await harnesses.launch('sso-admin-signin');
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(signedOut.url);
    const fresh = new App(page);
    await fresh.signIn.serverUrl.fill(server.url);
    await expect(page.getByRole('button', { name: fill(MESSAGES['zh-CN'].signIn.ssoWith, { provider: PROVIDER }) })).toBeVisible();
    await shot(page, 'sso-sign-in-zh');
    await fresh.shell.switchLanguage('en', 'English');
    await expect(page.getByRole('button', { name: fill(MESSAGES.en.signIn.ssoWith, { provider: PROVIDER }) })).toBeVisible();
    await shot(page, 'sso-sign-in-en');
  } finally {
    const ids = (await idb.selectFrom('identity_providers').select('id').where('name', '=', PROVIDER).execute()).map((r) => r.id);
    if (ids.length) {
      await idb.deleteFrom('scim_group_rules').where('provider_id', 'in', ids).execute();
      await idb.deleteFrom('scim_tokens').where('provider_id', 'in', ids).execute();
      await idb.deleteFrom('identity_providers').where('id', 'in', ids).execute();
    }
  }
});
