// The desktop app's OpenID Connect sign-in, as a native app must run it (RFC 8252): the
// authorization request is opened in the SYSTEM browser through an injected `openExternal`
// (Electron main passes shell.openExternal; tests and the harness pass their own), never in a
// web view of the app; the code comes back on a loopback redirect; PKCE S256 (RFC 7636), `state`
// and the server-issued `nonce` protect the exchange. openid-client does discovery, the code
// exchange and the ID token checks; the SalesVault server verifies the ID token again itself.

import * as oidc from 'openid-client';
import { assertLoopbackRedirectUri, SsoFlowError, startLoopbackListener } from './loopback';

export interface SsoStart {
  issuer: string;
  clientId: string;
  scopes: string[];
  /** issued by the SalesVault server for this sign-in */
  nonce: string;
}

export type OpenExternal = (url: string) => Promise<void>;

export interface OidcFlowOptions {
  start: SsoStart;
  openExternal: OpenExternal;
  timeoutMs?: number;
  /** tests: a listener with a chosen redirect URI (still checked to be loopback) */
  listener?: { redirectUri: string; waitForCallback(timeoutMs: number): Promise<URL>; close(): Promise<void> };
}

export const SSO_BROWSER_TIMEOUT_MS = 5 * 60 * 1000;

function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

export async function discoverProvider(issuer: string, clientId: string): Promise<oidc.Configuration> {
  const url = new URL(issuer);
  // A public client (no secret): PKCE is its proof. Plain HTTP only for a provider on this machine.
  return oidc.discovery(url, clientId, undefined, oidc.None(), isLoopbackHttp(url) ? { execute: [oidc.allowInsecureRequests] } : undefined);
}

export interface PreparedAuthorization {
  url: URL;
  redirectUri: string;
  state: string;
  codeVerifier: string;
}

export async function prepareAuthorization(config: oidc.Configuration, start: SsoStart, redirectUri: string): Promise<PreparedAuthorization> {
  assertLoopbackRedirectUri(redirectUri);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: start.scopes.join(' '),
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce: start.nonce,
  });
  return { url, redirectUri, state, codeVerifier };
}

/** Exchanges the code from the callback; refuses a wrong state, a provider error and a bad ID token. */
export async function exchangeCallback(
  config: oidc.Configuration,
  callback: URL,
  prepared: Pick<PreparedAuthorization, 'state' | 'codeVerifier'>,
  nonce: string,
): Promise<string> {
  const error = callback.searchParams.get('error');
  if (error) throw new SsoFlowError('provider_error', `the identity provider refused: ${error} ${callback.searchParams.get('error_description') ?? ''}`.trim());
  if (callback.searchParams.get('state') !== prepared.state) {
    throw new SsoFlowError('state_mismatch', 'the browser returned an answer to another sign-in (state mismatch)');
  }
  let tokens;
  try {
    tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: prepared.codeVerifier,
      expectedState: prepared.state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    // openid-client's ResponseBodyError carries the provider's OAuth error code (e.g. invalid_grant).
    const code = (err as { error?: unknown }).error;
    const detail = typeof code === 'string' ? `${code}: ${(err as Error).message}` : (err as Error).message;
    throw new SsoFlowError('exchange_failed', `the identity provider did not accept the sign-in (${detail})`);
  }
  if (!tokens.id_token) throw new SsoFlowError('exchange_failed', 'the identity provider returned no ID token');
  return tokens.id_token;
}

/** The whole browser leg: resolves with the ID token to hand to the SalesVault server. */
export async function runOidcBrowserFlow(opts: OidcFlowOptions): Promise<string> {
  const config = await discoverProvider(opts.start.issuer, opts.start.clientId);
  const listener = opts.listener ?? (await startLoopbackListener());
  try {
    const prepared = await prepareAuthorization(config, opts.start, listener.redirectUri);
    // Only a web address goes to the system browser (never file:, a custom scheme, …).
    if (prepared.url.protocol !== 'https:' && !isLoopbackHttp(prepared.url)) {
      throw new SsoFlowError('provider_error', `the provider's authorization endpoint ${prepared.url.origin} is not an https address`);
    }
    await opts.openExternal(prepared.url.href);
    const callback = await listener.waitForCallback(opts.timeoutMs ?? SSO_BROWSER_TIMEOUT_MS);
    return await exchangeCallback(config, callback, prepared, opts.start.nonce);
  } finally {
    await listener.close();
  }
}
