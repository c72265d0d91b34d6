// Single sign-on end to end over real HTTP: the desktop app's browser-flow code, a real OpenID
// provider (oidc-provider, with its own login page) and the SalesVault server. Proves the happy
// paths (TOTP still asked; skipped only for a trusted provider asserting MFA) and that the server
// refuses ID tokens from another issuer, for another audience, expired, with a wrong or reused
// nonce, unsigned or HMAC-signed; and that password sign-in can be kept for some roles only.

import { randomBytes } from 'node:crypto';
import { SignJWT, importJWK, decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../../server/identity/totp';
import { newDeviceKey } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';
import { DEFAULT_ROLE_IDS } from '../../shared/permissions/default-roles';
import { DESKTOP_CLIENT_ID, OTHER_CLIENT_ID, startTestOidcProvider, type TestOidcProvider } from '../oidc/test-provider';
import { browserSignIn, configureProvider, linkIdentity, post, ssoStart } from './sso-kit';

const ACCOUNTS = [
  { sub: 'entra-sub-rep-li', preferred_username: 'li.rep@acme.example', email: 'li.rep@acme.example' },
  { sub: 'entra-sub-admin', preferred_username: 'it.admin@acme.example', mfa: true },
  { sub: 'entra-sub-rep-mfa', preferred_username: 'wang.rep@acme.example', mfa: true },
];

describe('OIDC sign-in through a real provider', () => {
  let idp: TestOidcProvider;
  let otherIdp: TestOidcProvider;
  let s: TestServer;
  let providerId: string;

  beforeAll(async () => {
    idp = await startTestOidcProvider(ACCOUNTS);
    otherIdp = await startTestOidcProvider(ACCOUNTS);
  });
  afterAll(async () => {
    await idp.close();
    await otherIdp.close();
  });
  beforeEach(async () => {
    s = await startTestServer();
    providerId = await configureProvider(s, idp);
    await linkIdentity(s, providerId, 'entra-sub-rep-li', s.fixture.users.rep.id);
    await linkIdentity(s, providerId, 'entra-sub-rep-mfa', s.fixture.users.rep2.id);
    await linkIdentity(s, providerId, 'entra-sub-admin', s.fixture.users.itAdmin.id);
  });
  afterEach(async () => {
    await s.close();
  });

  it('signs a rep in on the provider\'s login page, still asks for TOTP, then enrolls the device', async () => {
    const start = await ssoStart(s, providerId);
    const { idToken, browser, opened } = await browserSignIn(start, 'li.rep@acme.example');
    // The login happened on the provider's page, opened through openExternal (the system browser).
    expect(browser.submittedLogin).toBe(true);
    expect(new URL(opened[0]!).origin).toBe(idp.issuer);
    const auth = new URL(opened[0]!).searchParams;
    expect(auth.get('code_challenge_method')).toBe('S256');
    expect(auth.get('nonce')).toBe(start.nonce);
    expect(auth.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(browser.callbackStatus).toBe(200);

    const done = await post(s, '/v1/auth/sso/complete', { providerId, idToken });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ next: 'mfa', mfaSetupRequired: false });
    const mfa = await post(s, '/v1/auth/mfa', { mfaToken: done.json.mfaToken, code: totpCode(s.fixture.users.rep.totpSecret, Date.now()) });
    expect(mfa.status).toBe(200);
    const enrolled = await post(s, '/v1/devices/enroll', {
      enrollmentToken: mfa.json.enrollmentToken, publicKey: newDeviceKey().publicKey, name: 'sso laptop', platform: 'linux', appVersion: '0.1.0',
    });
    expect(enrolled.status).toBe(200);
    expect(decodeJwt(enrolled.json.grant)).toMatchObject({ sub: s.fixture.users.rep.id, dataScope: 'own' });
    const audit = await s.ctx.db.selectFrom('audit_log').select(['action', 'outcome', 'details']).where('action', '=', 'auth.sso').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ provider: 'Acme Entra', subject: 'entra-sub-rep-li', mfa: 'totp' });
  });

  it('skips TOTP only when the provider is trusted for MFA AND the token asserts it', async () => {
    // Asserted but not trusted: TOTP.
    let start = await ssoStart(s, providerId);
    let { idToken } = await browserSignIn(start, 'wang.rep@acme.example');
    expect(decodeJwt(idToken).amr).toEqual(['pwd', 'mfa']);
    expect((await post(s, '/v1/auth/sso/complete', { providerId, idToken })).json.next).toBe('mfa');

    await post(s, '/v1/auth/sso/start', { providerId }); // (a start that is never completed does no harm)
    const { updateProvider } = await import('../../server/sso/providers');
    await updateProvider(s.ctx, providerId, { trustMfa: true }, { userId: null, deviceId: null });
    // Trusted and asserted: straight to enrollment.
    start = await ssoStart(s, providerId);
    ({ idToken } = await browserSignIn(start, 'wang.rep@acme.example'));
    const trusted = await post(s, '/v1/auth/sso/complete', { providerId, idToken });
    expect(trusted.json.next).toBe('enroll');
    const enrolled = await post(s, '/v1/devices/enroll', {
      enrollmentToken: trusted.json.enrollmentToken, publicKey: newDeviceKey().publicKey, name: 'x', platform: 'linux', appVersion: '0.1.0',
    });
    expect(enrolled.status).toBe(200);
    // Trusted but not asserted (password only at the provider): TOTP again.
    start = await ssoStart(s, providerId);
    ({ idToken } = await browserSignIn(start, 'li.rep@acme.example'));
    expect((await post(s, '/v1/auth/sso/complete', { providerId, idToken })).json.next).toBe('mfa');
  });

  it('refuses a token for another audience (another app at the same provider)', async () => {
    const start = await ssoStart(s, providerId);
    const { idToken } = await browserSignIn({ ...start, clientId: OTHER_CLIENT_ID }, 'li.rep@acme.example');
    expect(decodeJwt(idToken).aud).toBe(OTHER_CLIENT_ID);
    const res = await post(s, '/v1/auth/sso/complete', { providerId, idToken });
    expect(res.status).toBe(401);
    expect(res.json.error.details.reason).toBe('wrong_audience');
  });

  it('refuses a token from another provider, and one signed with the right key but naming another issuer', async () => {
    const start = await ssoStart(s, providerId);
    const { idToken } = await browserSignIn({ ...start, issuer: otherIdp.issuer }, 'li.rep@acme.example');
    const res = await post(s, '/v1/auth/sso/complete', { providerId, idToken });
    expect(res.status).toBe(401);
    expect(res.json.error.details.reason).toBe('bad_signature');

    const forged = await forge(idp, { iss: otherIdp.issuer, nonce: (await ssoStart(s, providerId)).nonce });
    const res2 = await post(s, '/v1/auth/sso/complete', { providerId, idToken: forged });
    expect(res2.status).toBe(401);
    expect(res2.json.error.details.reason).toBe('wrong_issuer');
  });

  it('accepts the provider key\'s own forgery of valid claims (so the refusals below are about the one claim changed)', async () => {
    const forged = await forge(idp, { nonce: (await ssoStart(s, providerId)).nonce });
    const res = await post(s, '/v1/auth/sso/complete', { providerId, idToken: forged });
    expect(res.status).toBe(200);
  });

  it('refuses an expired token (server clock past exp)', async () => {
    const start = await ssoStart(s, providerId);
    const { idToken } = await browserSignIn(start, 'li.rep@acme.example');
    s.clock.advance(2 * 60 * 60 * 1000);
    const res = await post(s, '/v1/auth/sso/complete', { providerId, idToken });
    expect(res.status).toBe(401);
    expect(res.json.error.details.reason).toBe('expired');
  });

  it('refuses a nonce the server did not issue, and a token presented a second time', async () => {
    const { idToken: foreign } = await browserSignIn(
      { ...(await ssoStart(s, providerId)), nonce: randomBytes(32).toString('base64url') }, 'li.rep@acme.example',
    );
    const wrong = await post(s, '/v1/auth/sso/complete', { providerId, idToken: foreign });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.details.reason).toBe('wrong_nonce');

    const { idToken } = await browserSignIn(await ssoStart(s, providerId), 'li.rep@acme.example');
    expect((await post(s, '/v1/auth/sso/complete', { providerId, idToken })).status).toBe(200);
    const replay = await post(s, '/v1/auth/sso/complete', { providerId, idToken });
    expect(replay.status).toBe(401);
    expect(replay.json.error.details.reason).toBe('wrong_nonce');
  });

  it('refuses unsigned (alg none) and HS256 tokens carrying otherwise valid claims', async () => {
    const nonce = (await ssoStart(s, providerId)).nonce;
    const claims = validClaims(idp, { nonce });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const none = await post(s, '/v1/auth/sso/complete', { providerId, idToken: unsigned });
    expect(none.status).toBe(401);
    expect(none.json.error.details.reason).toBe('alg_not_allowed');
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a client secret anyone could know'));
    const hmac = await post(s, '/v1/auth/sso/complete', { providerId, idToken: hs });
    expect(hmac.status).toBe(401);
    expect(hmac.json.error.details.reason).toBe('alg_not_allowed');
    // The nonce was not used up by the refused tokens: the right token still works with it.
    expect((await post(s, '/v1/auth/sso/complete', { providerId, idToken: await forge(idp, { nonce }) })).status).toBe(200);
  });

  it('refuses an identity nobody linked or provisioned', async () => {
    const forged = await forge(idp, { sub: 'entra-sub-stranger', preferred_username: 'rep.li', nonce: (await ssoStart(s, providerId)).nonce });
    const res = await post(s, '/v1/auth/sso/complete', { providerId, idToken: forged });
    // A provider asserting a local username does not get that local account.
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('forbidden');
  });

  it('keeps password sign-in only for the roles IT allows (break-glass admin)', async () => {
    const { updateProvider } = await import('../../server/sso/providers');
    await updateProvider(s.ctx, providerId, { passwordRoleIds: [DEFAULT_ROLE_IDS.it_admin] }, { userId: null, deviceId: null });
    const rep = s.fixture.users.rep;
    const refused = await post(s, '/v1/auth/sign-in', { username: rep.username, password: rep.password });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toContain('Acme Entra');
    const admin = s.fixture.users.itAdmin;
    expect((await post(s, '/v1/auth/sign-in', { username: admin.username, password: admin.password })).status).toBe(200);
    // Users not linked to the provider keep their passwords.
    const svc = s.fixture.users.service;
    expect((await post(s, '/v1/auth/sign-in', { username: svc.username, password: svc.password })).status).toBe(200);
  });
});

function validClaims(idp: TestOidcProvider, extra: Record<string, unknown>): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: idp.issuer, aud: DESKTOP_CLIENT_ID, sub: 'entra-sub-rep-li', iat: now, exp: now + 300, ...extra };
}

async function forge(idp: TestOidcProvider, extra: Record<string, unknown>): Promise<string> {
  const key = await importJWK(idp.signingJwk, 'RS256');
  return new SignJWT(validClaims(idp, extra)).setProtectedHeader({ alg: 'RS256', kid: idp.signingJwk.kid as string }).sign(key);
}
