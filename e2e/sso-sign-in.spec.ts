// A rep signs in with single sign-on. A real OpenID provider (oidc-provider, its own login page)
// runs on loopback; IT's configuration links the rep's identity there to the rep's SalesVault
// account. The spec plays the system browser: it opens the authorization URL the app asked to
// open in a SEPARATE page, fills the provider's own login form there, and the app's page ends
// signed in (after the TOTP step, the provider's MFA not being trusted) with the vault holding
// exactly the rep's customers.

import { identityDb } from '../server/sso/tables';
import { DESKTOP_CLIENT_ID, startTestOidcProvider, type TestOidcProvider } from '../test/oidc/test-provider';
import { fill } from './pages/messages';
import { expect, test } from './support/fixtures';
import { expectListMatchesServerScope } from './support/flows';

const REP = 'rep.sh1.3';
const REP_LOGIN = 'rep.sh1.3@acme.example';
const PROVIDER_ID = 'idp-e2e-acme';
const PROVIDER_NAME = 'Acme Entra ID';

let idp: TestOidcProvider;

test.beforeAll(async () => {
  idp = await startTestOidcProvider([{ sub: 'acme-oid-rep-sh1-3', preferred_username: REP_LOGIN, name: 'Rep Two' }]);
});
test.afterAll(async () => {
  await idp.close();
});

test('a rep signs in through the identity provider\'s page in the system browser and syncs only their customers', async ({ app, harness, server, totp, shot }) => {
  const db = identityDb(server.db.db);
  const rep = await server.db.user(REP);
  const now = Date.now();
  await db.insertInto('identity_providers').values({
    id: PROVIDER_ID, name: PROVIDER_NAME, issuer: idp.issuer, client_id: DESKTOP_CLIENT_ID, scopes: JSON.stringify(['openid', 'profile']),
    username_claim: 'preferred_username', trust_mfa: 0, mfa_values: JSON.stringify(['mfa']), password_role_ids: null,
    default_unit_id: rep.unit_id, enabled: 1, created_at: now, updated_at: now,
  }).execute();
  await db.insertInto('user_identities').values({ provider_id: PROVIDER_ID, subject: 'acme-oid-rep-sh1-3', user_id: rep.id, created_at: now }).execute();
  try {
    const m = app.ui.m;
    await app.signIn.serverUrl.fill(server.url);
    const ssoButton = app.page.getByTestId('sso').getByRole('button', { name: fill(m.signIn.ssoWith, { provider: PROVIDER_NAME }) });
    await expect(ssoButton).toBeVisible();
    await shot(app.page, 'sso-sign-in');
    await ssoButton.click();
    await expect(app.page.getByRole('status')).toContainText(PROVIDER_NAME);

    // The app asked the system browser to open the provider's authorization URL.
    let opened: string[] = [];
    await expect.poll(async () => {
      opened = ((await (await fetch(`${harness.url}/__harness/external`, { headers: { host: new URL(harness.url).host } })).json()) as { urls: string[] }).urls;
      return opened.length;
    }).toBe(1);
    const authorization = new URL(opened[0]!);
    expect(authorization.origin).toBe(idp.issuer);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

    // The "system browser": a separate page, on the provider's origin, with the provider's form.
    const browser = await app.page.context().newPage();
    await browser.goto(authorization.href);
    expect(new URL(browser.url()).origin).toBe(idp.issuer);
    await browser.locator('input[name="login"]').fill(REP_LOGIN);
    await browser.locator('input[name="password"]').fill('the provider checks this, not SalesVault');
    await shot(browser, 'sso-provider-login');
    await browser.getByRole('button').first().click();
    // A native app's loopback redirect can be claimed by any local program, so the provider asks
    // the person to confirm the authorization (RFC 8252 §8.6) — still on the provider's page.
    await expect(browser.getByRole('button', { name: 'Continue' })).toBeVisible();
    expect(new URL(browser.url()).origin).toBe(idp.issuer);
    await browser.getByRole('button', { name: 'Continue' }).click();
    // Redirected to the app's loopback listener, which tells the person to go back to the app.
    await expect(browser.locator('body')).toContainText('SalesVault');
    expect(new URL(browser.url()).hostname).toBe('127.0.0.1');
    expect(idp.logins).toEqual([REP_LOGIN]);
    // The app's own page never showed the provider's form, and never left the app.
    expect(new URL(app.page.url()).origin).toBe(new URL(harness.url).origin);
    await expect(app.page.locator('input[name="login"]')).toHaveCount(0);
    await browser.close();

    // Back in the app: the provider's MFA is not trusted, so TOTP is asked, then the first sync.
    await expect(app.signIn.mfaHeading).toBeVisible();
    await app.signIn.enterCode(await totp.freshCode(REP));
    await app.shell.expectReady();
    await expectListMatchesServerScope(app, server, REP);
    await shot(app.page, 'sso-signed-in');
  } finally {
    await db.deleteFrom('user_identities').where('provider_id', '=', PROVIDER_ID).execute();
    await db.deleteFrom('sso_nonces').where('provider_id', '=', PROVIDER_ID).execute();
    await db.deleteFrom('identity_providers').where('id', '=', PROVIDER_ID).execute();
  }
});
