// Test support: configures single sign-on on the REAL server the client core's integration
// tests start (./real-server.ts).

import { createProvider } from '../../server/sso/providers';
import { identityDb } from '../../server/sso/tables';
import type { RealServer } from './real-server';
import { DESKTOP_CLIENT_ID } from '../oidc/test-provider';

/** Adds the test provider (MFA trusted or not) and links `subject` there to `userId`. */
export async function configureSso(server: RealServer, issuer: string, opts: { trustMfa: boolean; subject: string; userId: string }): Promise<string> {
  const provider = await createProvider(server.ctx, {
    name: 'Acme Okta', issuer, clientId: DESKTOP_CLIENT_ID, scopes: ['openid', 'profile'], usernameClaim: 'preferred_username',
    trustMfa: opts.trustMfa, mfaValues: ['mfa'], passwordRoleIds: null, defaultUnitId: server.fixture.units.company.id, enabled: true,
  }, { userId: null, deviceId: null });
  await identityDb(server.ctx.db).insertInto('user_identities')
    .values({ provider_id: provider.id, subject: opts.subject, user_id: opts.userId, created_at: Date.now() }).execute();
  return provider.id;
}
