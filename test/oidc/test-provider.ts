// A real OpenID Connect provider for tests: oidc-provider (a certified implementation) on
// 127.0.0.1:<ephemeral port>, with its own login page (devInteractions: any password is
// accepted, the login name picks the account). Clients:
//   salesvault-desktop  native public client, PKCE required, loopback redirect on any port
//   other-app           another application at the same provider (tokens for the wrong audience)
// Accounts are given by the test. An account marked `mfa` reports amr ["pwd","mfa"] after login,
// as a provider does when the person completed a second factor.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const DESKTOP_CLIENT_ID = 'salesvault-desktop';
export const OTHER_CLIENT_ID = 'other-app';
export const LOOPBACK_REDIRECT = 'http://127.0.0.1/callback';

export interface TestAccount {
  sub: string;
  preferred_username: string;
  email?: string;
  name?: string;
  mfa?: boolean;
}

export interface TestOidcProvider {
  issuer: string;
  accounts: Map<string, TestAccount>;
  /** login names (the form's login field) that completed a login */
  logins: string[];
  /** the provider's signing key (private JWK with kid): lets a test forge one claim at a time */
  signingJwk: Record<string, unknown>;
  close(): Promise<void>;
}

export async function startTestOidcProvider(accounts: TestAccount[]): Promise<TestOidcProvider> {
  const byLogin = new Map(accounts.map((a) => [a.preferred_username, a]));
  const bySub = new Map(accounts.map((a) => [a.sub, a]));
  const logins: string[] = [];
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(6).toString('hex'), use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: DESKTOP_CLIENT_ID, application_type: 'native', token_endpoint_auth_method: 'none',
        redirect_uris: [LOOPBACK_REDIRECT], grant_types: ['authorization_code'], response_types: ['code'],
      },
      {
        client_id: OTHER_CLIENT_ID, application_type: 'native', token_endpoint_auth_method: 'none',
        redirect_uris: [LOOPBACK_REDIRECT], grant_types: ['authorization_code'], response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub', 'amr', 'acr', 'auth_time'], profile: ['name', 'preferred_username'], email: ['email'] },
    features: { devInteractions: { enabled: true } },
    // Like Entra ID, Okta and Keycloak: the ID token carries the profile claims (preferred_username).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // The login name is the account: refuse names the test did not define.
    async findAccount(_ctx: unknown, id: string) {
      const account = bySub.get(id) ?? byLogin.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: account.sub, preferred_username: account.preferred_username, email: account.email, name: account.name };
        },
      };
    },
    // First-party application: no consent screen after the login page.
    async loadExistingGrant(ctx: { oidc: { client: { clientId: string }; session: { accountId: string; grantIdFor(c: string): string | undefined }; provider: { Grant: { new (init: { clientId: string; accountId: string }): { addOIDCScope(s: string): void; save(): Promise<string> }; find(id: string): Promise<unknown> } } } }) {
      const { client, session, provider: p } = ctx.oidc;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return p.Grant.find(existing);
      const grant = new p.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
    ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  });
  // The login step reports the methods used, like a real provider after a second factor.
  const finish = provider.interactionFinished.bind(provider);
  provider.interactionFinished = async (req, res, result, options) => {
    const login = result.login as { accountId: string; amr?: string[] } | undefined;
    if (login) {
      logins.push(login.accountId);
      const account = byLogin.get(login.accountId);
      if (account) {
        login.accountId = account.sub;
        login.amr = account.mfa ? ['pwd', 'mfa'] : ['pwd'];
      }
    }
    return finish(req, res, result, options);
  };
  server.on('request', provider.callback());
  return {
    issuer,
    accounts: bySub,
    logins,
    signingJwk: signingKey,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
