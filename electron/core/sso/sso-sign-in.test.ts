// The app service's single sign-on against the REAL server and a REAL OpenID provider, into a
// REAL vault (run inside dbus-run-session with gnome-keyring): with the provider's MFA trusted
// and asserted, the sign-in goes from the browser straight to enrollment and the first sync;
// without a system browser the app refuses instead of opening anything itself.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playSystemBrowser, type BrowserRun } from '../../../test/oidc/browser';
import { startTestOidcProvider, type TestOidcProvider } from '../../../test/oidc/test-provider';
import { newTestApp, stateOf, unwrap, waitFor, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';
import { configureSso } from '../../../test/support/sso-server';

describe('signInWithSso (real server, real provider, real vault)', () => {
  let server: RealServer;
  let idp: TestOidcProvider;
  let t: TestApp;
  let providerId: string;
  const browserRuns: Promise<BrowserRun>[] = [];

  beforeAll(async () => {
    server = await startRealServer();
    idp = await startTestOidcProvider([{ sub: 'okta-00u-rep', preferred_username: 'li@acme.example', mfa: true }]);
    providerId = await configureSso(server, idp.issuer, { trustMfa: true, subject: 'okta-00u-rep', userId: server.fixture.users.rep.id });
    t = await newTestApp('sso', {
      openExternal: async (url) => {
        browserRuns.push(playSystemBrowser(url, 'li@acme.example'));
      },
    });
  });
  afterAll(async () => {
    await t?.cleanup();
    await idp?.close();
    await server?.cleanup();
  });

  it('offers the provider, then signs in through the browser without a TOTP step and syncs the rep\'s customers', async () => {
    expect(unwrap(await t.app.ssoProviders({ serverUrl: server.url }))).toEqual([{ id: providerId, name: 'Acme Okta' }]);
    const result = unwrap(await t.app.signInWithSso({ serverUrl: server.url, providerId }), 'signInWithSso');
    expect(result.mfaRequired).toBe(false);
    expect((await browserRuns[0]!).submittedLogin).toBe(true);
    unwrap(await t.app.syncNow(), 'syncNow');
    const state = await waitFor(async () => {
      const s = await stateOf(t.app);
      return s.phase === 'ready' ? s : null;
    }, 'ready');
    expect(state.user?.id).toBe(server.fixture.users.rep.id);
    const names = unwrap(await t.app.searchCustomers({ query: '' })).rows.map((r) => r.name);
    const { repOwn, repOwn2, sharedWithRep, otherRep } = server.customers;
    expect(names.sort()).toEqual([repOwn.name, repOwn2.name, sharedWithRep.name].sort());
    expect(names).not.toContain(otherRep.name);
    // A second SSO sign-in on a device that already has a vault is refused, like a password one.
    const again = await t.app.signInWithSso({ serverUrl: server.url, providerId });
    expect(again.ok ? null : again.error.code).toBe('validation_failed');
  });

  it('refuses single sign-on where no system browser was provided', async () => {
    const bare = await newTestApp('sso-bare');
    try {
      const r = await bare.app.signInWithSso({ serverUrl: server.url, providerId });
      expect(r.ok ? null : r.error.code).toBe('validation_failed');
    } finally {
      await bare.cleanup();
    }
  });
});
