import { z } from 'zod';
import { epochMsSchema, idSchema } from './common';

// Enterprise identity on the wire: OpenID Connect sign-in (the desktop app runs the browser leg,
// the server verifies the ID token) and IT's configuration of identity providers, SCIM tokens and
// group → role rules. Spread into ROUTES (./routes.ts).

const totpUri = z.string();

export const identityProviderViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  scopes: z.array(z.string()),
  /** the ID-token claim matched against a provisioned user's userName at first sign-in */
  usernameClaim: z.string(),
  /** true: an ID token asserting one of `mfaValues` (in amr, or as acr) replaces the TOTP step */
  trustMfa: z.boolean(),
  mfaValues: z.array(z.string()),
  /** roles whose linked users may still sign in with a password; null = no restriction */
  passwordRoleIds: z.array(z.string()).nullable(),
  /** where provisioned users sit until a group rule places them */
  defaultUnitId: z.string(),
  enabled: z.boolean(),
  scimTokenHint: z.string().nullable(),
  scimTokenCreatedAt: epochMsSchema.nullable(),
});
export type IdentityProviderView = z.infer<typeof identityProviderViewSchema>;

export const groupRuleViewSchema = z.object({
  id: z.string(),
  providerId: z.string(),
  groupName: z.string(),
  roleId: z.string(),
  unitId: z.string(),
  /** lower wins when a user is in several mapped groups */
  priority: z.number().int(),
  allowAdminRole: z.boolean(),
});
export type GroupRuleView = z.infer<typeof groupRuleViewSchema>;

const issuerUrl = z.string().trim().max(500).url().refine((v) => {
  // zod runs refinements after a failed url() check too: parse defensively.
  if (!URL.canParse(v)) return false;
  const u = new URL(v);
  if (u.search || u.hash) return false;
  if (u.protocol === 'https:') return true;
  // Plain HTTP only for a provider on this machine (a test or local provider).
  return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
}, 'an https:// issuer URL (http:// only on loopback), without query or fragment');
const claimName = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'a claim name');
const mfaValue = z.string().trim().min(1).max(200);

export const providerInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  issuer: issuerUrl,
  clientId: z.string().trim().min(1).max(200),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope token')).min(1).max(20).default(['openid', 'profile', 'email']),
  usernameClaim: claimName.default('preferred_username'),
  trustMfa: z.boolean().default(false),
  mfaValues: z.array(mfaValue).max(20).default(['mfa']),
  passwordRoleIds: z.array(idSchema).max(50).nullable().default(null),
  defaultUnitId: idSchema,
  enabled: z.boolean().default(true),
});

export const SSO_ROUTES = {
  /** The providers offered on the sign-in screen. */
  ssoProviders: {
    method: 'GET', path: '/v1/auth/sso/providers', auth: 'none',
    response: z.object({ providers: z.array(z.object({ id: z.string(), name: z.string() })) }),
  },
  /** Before the browser leg: what the app needs to build the authorization request, and a server-issued nonce. */
  ssoStart: {
    method: 'POST', path: '/v1/auth/sso/start', auth: 'none',
    body: z.object({ providerId: idSchema }),
    response: z.object({
      providerId: z.string(), issuer: z.string(), clientId: z.string(), scopes: z.array(z.string()),
      nonce: z.string(), expiresAt: epochMsSchema,
    }),
  },
  /** After the browser leg: the ID token; answers with the TOTP step or, when the IdP's MFA is trusted, enrollment. */
  ssoComplete: {
    method: 'POST', path: '/v1/auth/sso/complete', auth: 'none',
    body: z.object({ providerId: idSchema, idToken: z.string().min(10).max(16_384) }),
    response: z.discriminatedUnion('next', [
      z.object({ next: z.literal('mfa'), mfaToken: z.string(), mfaSetupRequired: z.boolean(), otpauthUri: totpUri.optional() }),
      z.object({ next: z.literal('enroll'), enrollmentToken: z.string() }),
    ]),
  },

  // ---- IT configuration (admin.users)
  listIdentityProviders: {
    method: 'GET', path: '/v1/admin/identity-providers', auth: 'token',
    response: z.object({ providers: z.array(identityProviderViewSchema) }),
  },
  createIdentityProvider: {
    method: 'POST', path: '/v1/admin/identity-providers', auth: 'token',
    body: providerInputSchema,
    response: z.object({ provider: identityProviderViewSchema }),
  },
  updateIdentityProvider: {
    method: 'PATCH', path: '/v1/admin/identity-providers/:id', auth: 'token',
    body: providerInputSchema.partial(),
    response: z.object({ provider: identityProviderViewSchema }),
  },
  /** Creates the provider's SCIM bearer token, revoking any previous one. The token is shown once. */
  rotateScimToken: {
    method: 'POST', path: '/v1/admin/identity-providers/:id/scim-token', auth: 'token',
    response: z.object({ token: z.string(), hint: z.string(), scimBaseUrlPath: z.string() }),
  },
  revokeScimToken: {
    method: 'DELETE', path: '/v1/admin/identity-providers/:id/scim-token', auth: 'token',
    response: z.object({ revoked: z.number().int() }),
  },
  listGroupRules: {
    method: 'GET', path: '/v1/admin/identity-providers/:id/group-rules', auth: 'token',
    response: z.object({ rules: z.array(groupRuleViewSchema) }),
  },
  createGroupRule: {
    method: 'POST', path: '/v1/admin/identity-providers/:id/group-rules', auth: 'token',
    body: z.object({
      groupName: z.string().trim().min(1).max(256),
      roleId: idSchema,
      unitId: idSchema,
      priority: z.number().int().min(0).max(10_000).default(100),
      allowAdminRole: z.boolean().default(false),
    }),
    response: z.object({ rule: groupRuleViewSchema }),
  },
  deleteGroupRule: {
    method: 'DELETE', path: '/v1/admin/identity-providers/:id/group-rules/:ruleId', auth: 'token',
    response: z.object({ ok: z.literal(true) }),
  },
} as const;
