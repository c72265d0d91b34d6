import { z } from 'zod';
import { ALL_ACTIONS, DATA_SCOPES, FIELD_LEVELS, type Action } from '../domain/model';

// Server-signed tokens. All are compact JWS with alg EdDSA (Ed25519), signed by the server key
// whose public JWK is served at GET /v1/server-key and pinned by the client at first enrollment.

export const GRANT_TYP = 'sv-grant+jwt';
export const WIPE_TYP = 'sv-wipe+jwt';
export const ACCESS_TYP = 'sv-access+jwt';
export const ISSUER = 'salesvault';

const fieldLevel = z.enum(FIELD_LEVELS);

export const offlinePolicySchema = z.object({
  offlineAllowed: z.boolean(),
  leaseHours: z.number().positive().max(24 * 365),
  wipeAfterHours: z.number().positive().max(24 * 365),
  exportAllowed: z.boolean(),
  maxDevices: z.number().int().min(1).max(100),
});

export const classificationSchema = z.object({
  customer: z.record(z.string(), fieldLevel),
  contact: z.record(z.string(), fieldLevel),
  opportunity: z.record(z.string(), fieldLevel),
  activity: z.record(z.string(), fieldLevel),
});

/** Payload of a scope grant (JWS header typ = GRANT_TYP). */
export const grantClaimsSchema = z.object({
  iss: z.literal(ISSUER),
  /** user id */
  sub: z.string(),
  /** device id */
  did: z.string(),
  username: z.string(),
  displayName: z.string(),
  unitId: z.string(),
  role: z.object({ id: z.string(), key: z.string().nullable(), name: z.string() }),
  actions: z.array(z.enum(ALL_ACTIONS as [Action, ...Action[]])),
  dataScope: z.enum(DATA_SCOPES),
  readClearance: fieldLevel,
  writeClearance: fieldLevel,
  offline: offlinePolicySchema,
  /** The sync buckets this grant covers (see shared/permissions). */
  buckets: z.array(z.string()),
  /** Increases whenever anything that shapes this user's scope changes. */
  scopeVersion: z.number().int().nonnegative(),
  classification: classificationSchema,
  /** seconds, as JWT */
  iat: z.number().int(),
  /** epoch ms: the client locks when now passes this without a newer grant */
  leaseUntil: z.number().int(),
  /** epoch ms: the client crypto-wipes when now passes this without a newer grant */
  wipeAfter: z.number().int(),
});
export type GrantClaims = z.infer<typeof grantClaimsSchema>;

/** Payload of a wipe directive (typ = WIPE_TYP). */
export const wipeClaimsSchema = z.object({
  iss: z.literal(ISSUER),
  sub: z.string(),
  did: z.string(),
  reason: z.enum(['device_revoked', 'user_deactivated', 'wipe_after_expired']),
  iat: z.number().int(),
});
export type WipeClaims = z.infer<typeof wipeClaimsSchema>;

/** Payload of a short-lived access token (typ = ACCESS_TYP), bound to one device. */
export const accessClaimsSchema = z.object({
  iss: z.literal(ISSUER),
  sub: z.string(),
  did: z.string(),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type AccessClaims = z.infer<typeof accessClaimsSchema>;

/** Access tokens live this long; the device refreshes with a signed request. */
export const ACCESS_TOKEN_TTL_S = 15 * 60;
