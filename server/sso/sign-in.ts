// Single sign-on with OpenID Connect. The desktop app runs the browser leg (system browser,
// PKCE, loopback redirect) and hands the ID token here; this module
//   1. issues the nonce the app must put into the authorization request (single use, 10 min),
//   2. verifies the ID token (./verify.ts) and uses up that nonce, so a token is accepted once,
//   3. maps (issuer, sub) to a SalesVault user — linking, at the first sign-in, a user that this
//      same provider provisioned by SCIM whose userName equals the configured claim,
//   4. continues exactly like a password sign-in: the TOTP step (verifyMfa), unless the provider
//      is trusted for MFA and the token asserts it, in which case enrollment follows directly.
// Device enrollment, grants and everything after are unchanged.

import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Selectable } from 'kysely';
import type { ServerContext } from '../context';
import type { UsersTable } from '../db/schema';
import { DomainError } from '../domain-error';
import { route, type RouteOptions } from '../http/route';
import { createAuthToken } from '../identity/auth-tokens';
import { lockState } from '../identity/throttle';
import { newTotpSecret, otpauthUri } from '../identity/totp';
import { loadProviderRow } from './providers';
import { identityDb, type IdentityProvidersTable } from './tables';
import { assertsMfa, verifyIdToken } from './verify';

export const SSO_NONCE_TTL_MS = 10 * 60 * 1000;
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

async function enabledProvider(ctx: ServerContext, id: string): Promise<Selectable<IdentityProvidersTable>> {
  const row = await loadProviderRow(ctx, id).catch(() => undefined);
  if (!row || row.enabled !== 1) throw new DomainError('not_found', 'this sign-in provider is not available');
  return row;
}

async function issueNonce(ctx: ServerContext, providerId: string): Promise<{ nonce: string; expiresAt: number }> {
  const nonce = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const db = identityDb(ctx.db);
  await db.deleteFrom('sso_nonces').where('expires_at', '<', now - SSO_NONCE_TTL_MS).execute();
  await db.insertInto('sso_nonces').values({ id: digest(nonce), provider_id: providerId, expires_at: now + SSO_NONCE_TTL_MS, used_at: null }).execute();
  return { nonce, expiresAt: now + SSO_NONCE_TTL_MS };
}

/** Uses up a nonce this server issued for this provider; false when unknown, expired or used. */
async function consumeNonce(ctx: ServerContext, providerId: string, nonce: string): Promise<boolean> {
  const now = ctx.now();
  const result = await identityDb(ctx.db).updateTable('sso_nonces').set({ used_at: now })
    .where('id', '=', digest(nonce)).where('provider_id', '=', providerId)
    .where('used_at', 'is', null).where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The user behind (provider, sub); links a user this provider provisioned on first sign-in. */
async function userFor(
  ctx: ServerContext,
  provider: Selectable<IdentityProvidersTable>,
  sub: string,
  claims: Record<string, unknown>,
): Promise<{ user: Selectable<UsersTable>; linkedNow: boolean } | null> {
  const db = identityDb(ctx.db);
  const link = await db.selectFrom('user_identities').select('user_id')
    .where('provider_id', '=', provider.id).where('subject', '=', sub).executeTakeFirst();
  if (link) {
    const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', link.user_id).executeTakeFirst();
    return user ? { user, linkedNow: false } : null;
  }
  const claimed = claims[provider.username_claim];
  if (typeof claimed !== 'string' || claimed.length === 0) return null;
  // Only a user provisioned by this same provider can be claimed by name: a provider cannot take
  // over a local account (an IT admin's, say) by asserting its username.
  const candidate = await db.selectFrom('users').innerJoin('scim_users', 'scim_users.user_id', 'users.id')
    .selectAll('users')
    .where('scim_users.provider_id', '=', provider.id)
    .where((eb) => eb(eb.fn('lower', ['users.username']), '=', claimed.toLowerCase()))
    .executeTakeFirst();
  if (!candidate) return null;
  const alreadyLinked = await db.selectFrom('user_identities').select('subject')
    .where('provider_id', '=', provider.id).where('user_id', '=', candidate.id).executeTakeFirst();
  if (alreadyLinked) return null;
  await db.insertInto('user_identities').values({ provider_id: provider.id, subject: sub, user_id: candidate.id, created_at: ctx.now() }).execute();
  return { user: candidate, linkedNow: true };
}

/**
 * Password sign-in is refused for a user linked to a provider that keeps passwords only for some
 * roles (e.g. a break-glass admin). Called by the password step after the password checked out.
 */
export async function passwordSignInRefusal(ctx: ServerContext, user: Pick<Selectable<UsersTable>, 'id' | 'role_id'>): Promise<string | null> {
  const rows = await identityDb(ctx.db).selectFrom('user_identities')
    .innerJoin('identity_providers', 'identity_providers.id', 'user_identities.provider_id')
    .select(['identity_providers.name', 'identity_providers.password_role_ids'])
    .where('user_identities.user_id', '=', user.id)
    .where('identity_providers.enabled', '=', 1)
    .where('identity_providers.password_role_ids', 'is not', null)
    .execute();
  const refusing = rows.find((r) => !(JSON.parse(r.password_role_ids as string) as string[]).includes(user.role_id));
  return refusing ? refusing.name : null;
}

export function registerSsoSignInRoutes(app: FastifyInstance, ctx: ServerContext, limits: RouteOptions): void {
  route(app, ctx, 'ssoProviders', async () => {
    const rows = await identityDb(ctx.db).selectFrom('identity_providers').select(['id', 'name'])
      .where('enabled', '=', 1).orderBy('name').execute();
    return { providers: rows };
  });

  route(app, ctx, 'ssoStart', async ({ body }) => {
    const provider = await enabledProvider(ctx, body.providerId);
    const { nonce, expiresAt } = await issueNonce(ctx, provider.id);
    return {
      providerId: provider.id, issuer: provider.issuer, clientId: provider.client_id,
      scopes: JSON.parse(provider.scopes) as string[], nonce, expiresAt,
    };
  }, limits);

  route(app, ctx, 'ssoComplete', async ({ body, request }) => {
    const provider = await enabledProvider(ctx, body.providerId);
    const fail = async (reason: string, target: string | null, actorId: string | null = null) => {
      await ctx.audit.append({
        actorId, deviceId: null, action: 'auth.sso', target, outcome: 'failed',
        details: { provider: provider.name, providerId: provider.id, reason, ip: request.ip },
      });
    };
    let verified;
    try {
      verified = await verifyIdToken(body.idToken, { issuer: provider.issuer, clientId: provider.client_id, now: ctx.now() });
    } catch (err) {
      if (err instanceof DomainError) await fail(String((err.details as { reason?: string } | undefined)?.reason ?? err.code), null);
      throw err;
    }
    if (!(await consumeNonce(ctx, provider.id, verified.nonce))) {
      await fail('wrong_nonce', verified.sub);
      throw new DomainError('invalid_credentials', 'the ID token answers no sign-in this server started (wrong or reused nonce)', {
        reason: 'wrong_nonce',
      });
    }
    const found = await userFor(ctx, provider, verified.sub, verified.claims);
    if (!found) {
      await fail('not_linked', verified.sub);
      throw new DomainError('forbidden', `no SalesVault account is linked to this ${provider.name} identity: ask IT to provision it`);
    }
    const { user, linkedNow } = found;
    const lock = await lockState(ctx, user.username, request.ip);
    if (lock.locked) {
      await fail('account_locked', user.username, user.id);
      throw new DomainError('account_locked', 'too many failed attempts: sign-in is locked for 15 minutes', { lockedUntil: lock.lockedUntil });
    }
    if (user.status !== 'active') {
      await fail('user_deactivated', user.username, user.id);
      throw new DomainError('user_deactivated', 'this account has been deactivated');
    }

    const mfaByProvider = provider.trust_mfa === 1 && assertsMfa(verified.claims, JSON.parse(provider.mfa_values) as string[]);
    const details = { provider: provider.name, providerId: provider.id, subject: verified.sub, linkedNow, mfa: mfaByProvider ? 'provider' : 'totp' };
    if (mfaByProvider) {
      await ctx.db.updateTable('users').set({ failed_attempts: 0, last_sign_in_at: ctx.now() }).where('id', '=', user.id).execute();
      const enrollmentToken = await createAuthToken(ctx, 'enroll', user.id);
      await ctx.audit.append({ actorId: user.id, deviceId: null, action: 'auth.sso', target: user.username, outcome: 'ok', details });
      return { next: 'enroll' as const, enrollmentToken };
    }
    let setupSecret: string | null = null;
    if (user.totp_secret === null) {
      setupSecret = user.totp_pending_secret ?? newTotpSecret();
      if (setupSecret !== user.totp_pending_secret) {
        await ctx.db.updateTable('users').set({ totp_pending_secret: setupSecret }).where('id', '=', user.id).execute();
      }
    }
    const mfaToken = await createAuthToken(ctx, 'mfa', user.id);
    await ctx.audit.append({ actorId: user.id, deviceId: null, action: 'auth.sso', target: user.username, outcome: 'ok', details });
    return setupSecret === null
      ? { next: 'mfa' as const, mfaToken, mfaSetupRequired: false }
      : { next: 'mfa' as const, mfaToken, mfaSetupRequired: true, otpauthUri: otpauthUri(setupSecret, user.username) };
  }, limits);
}
