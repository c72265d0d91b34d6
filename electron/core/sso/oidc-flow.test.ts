// The desktop app's browser leg against a real OpenID provider (oidc-provider on loopback, the
// test playing the system browser): PKCE S256 + state + nonce on a loopback redirect, and the
// refusals — a redirect to a non-loopback address (by the app, and by the provider), a state
// that answers another sign-in, a replayed code and a mismatched PKCE verifier (both refused by
// the provider at the token endpoint).

import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playSystemBrowser } from '../../../test/oidc/browser';
import { DESKTOP_CLIENT_ID, startTestOidcProvider, type TestOidcProvider } from '../../../test/oidc/test-provider';
import { assertLoopbackRedirectUri, startLoopbackListener, SsoFlowError } from './loopback';
import { discoverProvider, exchangeCallback, prepareAuthorization, runOidcBrowserFlow, type SsoStart } from './oidc-flow';

describe('OIDC browser flow (RFC 8252 + PKCE)', () => {
  let idp: TestOidcProvider;
  let start: SsoStart;
  beforeAll(async () => {
    idp = await startTestOidcProvider([{ sub: 'sub-1', preferred_username: 'li.rep@acme.example' }]);
    start = { issuer: idp.issuer, clientId: DESKTOP_CLIENT_ID, scopes: ['openid', 'profile'], nonce: 'server-issued-nonce-1234567890' };
  });
  afterAll(async () => {
    await idp.close();
  });

  /** Runs the browser up to the redirect, without delivering it: the test holds the callback URL. */
  async function authorize(redirectUri: string) {
    const config = await discoverProvider(start.issuer, start.clientId);
    const prepared = await prepareAuthorization(config, start, redirectUri);
    const run = await playSystemBrowser(prepared.url.href, 'li.rep@acme.example', { deliverCallback: false });
    return { config, prepared, callback: run.callbackUrl };
  }

  it('opens the system browser with PKCE S256, state and the server\'s nonce, and returns the ID token', async () => {
    const opened: string[] = [];
    let browser: ReturnType<typeof playSystemBrowser> | undefined;
    const idToken = await runOidcBrowserFlow({
      start,
      openExternal: async (url) => {
        opened.push(url);
        browser = playSystemBrowser(url, 'li.rep@acme.example');
      },
      timeoutMs: 20_000,
    });
    expect((await browser!).submittedLogin).toBe(true);
    const params = new URL(opened[0]!).searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toBeTruthy();
    expect(params.get('nonce')).toBe(start.nonce);
    expect(decodeJwt(idToken)).toMatchObject({ sub: 'sub-1', nonce: start.nonce, aud: DESKTOP_CLIENT_ID, iss: idp.issuer });
  });

  it('refuses to use a redirect that is not on the loopback interface', async () => {
    for (const uri of ['http://evil.example/callback', 'https://127.0.0.1:4000/callback', 'http://localhost:4000/callback', 'http://192.0.2.10:4000/callback', 'http://127.0.0.1/callback']) {
      expect(() => assertLoopbackRedirectUri(uri), uri).toThrow(SsoFlowError);
    }
    const config = await discoverProvider(start.issuer, start.clientId);
    await expect(prepareAuthorization(config, start, 'http://evil.example/callback')).rejects.toMatchObject({ reason: 'not_loopback' });
    // The provider refuses it as well: no redirect to an unregistered, non-loopback address.
    const url = new URL(`${idp.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: DESKTOP_CLIENT_ID, response_type: 'code', scope: 'openid', redirect_uri: 'http://evil.example/callback',
      code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', state: 's', nonce: 'n',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('refuses a callback whose state answers another sign-in', async () => {
    const listener = await startLoopbackListener();
    try {
      const { config, prepared, callback } = await authorize(listener.redirectUri);
      callback.searchParams.set('state', 'another-sign-in');
      await expect(exchangeCallback(config, callback, prepared, start.nonce)).rejects.toMatchObject({ reason: 'state_mismatch' });
    } finally {
      await listener.close();
    }
  });

  it('a replayed authorization code is refused by the provider', async () => {
    const listener = await startLoopbackListener();
    try {
      const { config, prepared, callback } = await authorize(listener.redirectUri);
      expect(await exchangeCallback(config, callback, prepared, start.nonce)).toMatch(/^ey/);
      await expect(exchangeCallback(config, callback, prepared, start.nonce)).rejects.toMatchObject({
        reason: 'exchange_failed', message: expect.stringContaining('invalid_grant'),
      });
    } finally {
      await listener.close();
    }
  });

  it('a mismatched PKCE verifier is refused by the provider', async () => {
    const listener = await startLoopbackListener();
    try {
      const { config, prepared, callback } = await authorize(listener.redirectUri);
      const wrong = { ...prepared, codeVerifier: `${prepared.codeVerifier.slice(0, -4)}AAAA` };
      await expect(exchangeCallback(config, callback, wrong, start.nonce)).rejects.toMatchObject({
        reason: 'exchange_failed', message: expect.stringContaining('invalid_grant'),
      });
      // The refusal was about the verifier alone: the app's own verifier still redeems the code.
      expect(await exchangeCallback(config, callback, prepared, start.nonce)).toMatch(/^ey/);
    } finally {
      await listener.close();
    }
  });

  it('refuses an ID token whose nonce is not the server\'s (openid-client checks it at the exchange)', async () => {
    const listener = await startLoopbackListener();
    try {
      const { config, prepared, callback } = await authorize(listener.redirectUri);
      await expect(exchangeCallback(config, callback, prepared, 'another-nonce')).rejects.toMatchObject({ reason: 'exchange_failed' });
    } finally {
      await listener.close();
    }
  });
});
