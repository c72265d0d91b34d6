// Shared set-up of the single sign-on tests: a real SalesVault server (fixture org), a real
// OpenID provider on loopback, the provider configured in SalesVault, and the desktop app's own
// browser-flow code driving a sign-in with the test playing the system browser.

import { createHash, randomBytes, sign } from 'node:crypto';
import { canonicalRequest, SIGNATURE_HEADERS } from '../../shared/protocol/common';
import { newDeviceKey, type TestDevice } from '../../server/test/client';
import type { TestServer } from '../../server/test/server';
import { createProvider, type ProviderInput } from '../../server/sso/providers';
import { identityDb } from '../../server/sso/tables';
import { runOidcBrowserFlow, type SsoStart } from '../../electron/core/sso/oidc-flow';
import { playSystemBrowser, type BrowserRun } from '../oidc/browser';
import { DESKTOP_CLIENT_ID, type TestOidcProvider } from '../oidc/test-provider';

export const CLI: { userId: null; deviceId: null } = { userId: null, deviceId: null };

export async function post(s: TestServer, path: string, body: unknown): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(s.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

export async function configureProvider(s: TestServer, idp: TestOidcProvider, extra: Partial<ProviderInput> = {}): Promise<string> {
  const view = await createProvider(s.ctx, {
    name: 'Acme Entra', issuer: idp.issuer, clientId: DESKTOP_CLIENT_ID, scopes: ['openid', 'profile', 'email'],
    usernameClaim: 'preferred_username', trustMfa: false, mfaValues: ['mfa'], passwordRoleIds: null,
    defaultUnitId: s.fixture.units.company.id, enabled: true, ...extra,
  }, CLI);
  return view.id;
}

/** What IT's linking (or a SCIM provisioning followed by a first sign-in) leaves behind. */
export async function linkIdentity(s: TestServer, providerId: string, subject: string, userId: string): Promise<void> {
  await identityDb(s.ctx.db).insertInto('user_identities').values({ provider_id: providerId, subject, user_id: userId, created_at: Date.now() }).execute();
}

export async function ssoStart(s: TestServer, providerId: string): Promise<SsoStart & { providerId: string }> {
  const res = await post(s, '/v1/auth/sso/start', { providerId });
  if (res.status !== 200) throw new Error(`sso start: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** The browser leg with the app's real code; the test is the system browser and logs in as `login`. */
export async function browserSignIn(start: SsoStart, login: string): Promise<{ idToken: string; browser: BrowserRun; opened: string[] }> {
  const opened: string[] = [];
  let run: Promise<BrowserRun> | undefined;
  const idToken = await runOidcBrowserFlow({
    start,
    openExternal: async (url) => {
      opened.push(url);
      run = playSystemBrowser(url, login);
    },
    timeoutMs: 20_000,
  });
  return { idToken, browser: await run!, opened };
}

/** A signing device from an enrollment token (the step after SSO), for the event stream and check-ins. */
export async function enrollFromToken(baseUrl: string, enrollmentToken: string): Promise<Pick<TestDevice, 'deviceId' | 'signedHeaders' | 'refresh'>> {
  const key = newDeviceKey();
  const res = await fetch(`${baseUrl}/v1/devices/enroll`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ enrollmentToken, publicKey: key.publicKey, name: 'sso test laptop', platform: 'linux', appVersion: '0.1.0' }),
  });
  const json = (await res.json()) as { deviceId: string; accessToken: string };
  if (res.status !== 200) throw new Error(`enroll: ${res.status} ${JSON.stringify(json)}`);
  let accessToken = json.accessToken;
  const signedHeaders = (method: string, pathWithQuery: string, body?: string | Buffer) => {
    const timestamp = String(Date.now());
    const nonce = randomBytes(18).toString('base64url');
    const bodySha256Hex = createHash('sha256').update(body ?? '').digest('hex');
    const signed = canonicalRequest({ method, pathWithQuery, bodySha256Hex, timestamp, nonce, deviceId: json.deviceId });
    return {
      [SIGNATURE_HEADERS.device]: json.deviceId, [SIGNATURE_HEADERS.timestamp]: timestamp, [SIGNATURE_HEADERS.nonce]: nonce,
      [SIGNATURE_HEADERS.signature]: sign(null, Buffer.from(signed), key.privateKey).toString('base64url'),
      authorization: `Bearer ${accessToken}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    };
  };
  return {
    deviceId: json.deviceId,
    signedHeaders,
    async refresh() {
      const body = JSON.stringify({ appVersion: '0.1.0' });
      const r = await fetch(`${baseUrl}/v1/session/refresh`, { method: 'POST', headers: signedHeaders('POST', '/v1/session/refresh', body), body });
      if (r.status === 200) accessToken = ((await r.clone().json()) as { accessToken: string }).accessToken;
      return r;
    },
  };
}
