import { z } from 'zod';

// Wire-level conventions shared by the server and every client.

/** Largest request body the server accepts (bytes). A push of 500 mutations fits well inside. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Device proof-of-possession. Every request after enrollment carries these headers; the
 * signature is Ed25519 by the device key over `canonicalRequest(...)`.
 */
export const SIGNATURE_HEADERS = {
  device: 'x-sv-device',
  timestamp: 'x-sv-timestamp',
  nonce: 'x-sv-nonce',
  signature: 'x-sv-signature',
} as const;

/** A signed request older or newer than this (vs server clock) is refused as stale. */
export const SIGNATURE_MAX_SKEW_MS = 5 * 60 * 1000;

/**
 * The exact bytes a device signs. `pathWithQuery` is the request target as sent
 * (e.g. `/v1/sync/pull?x=1`); `bodySha256Hex` is the hex SHA-256 of the raw body
 * (of the empty string when there is no body).
 */
export function canonicalRequest(parts: {
  method: string;
  pathWithQuery: string;
  bodySha256Hex: string;
  timestamp: string;
  nonce: string;
  deviceId: string;
}): string {
  return [
    'SV1',
    parts.method.toUpperCase(),
    parts.pathWithQuery,
    parts.bodySha256Hex,
    parts.timestamp,
    parts.nonce,
    parts.deviceId,
  ].join('\n');
}

export const ERROR_CODES = [
  'validation_failed',
  'payload_too_large',
  'not_found',
  'unauthorized',
  'invalid_credentials',
  'account_locked',
  'mfa_required',
  'mfa_invalid',
  'rate_limited',
  'token_expired',
  'signature_invalid',
  'replayed_request',
  'stale_timestamp',
  'unknown_device',
  'device_revoked',
  'user_deactivated',
  'device_limit',
  'device_key_invalid',
  'wipe_not_allowed',
  'forbidden',
  // separation of duties: a role mixing administration and record work (or an administering
  // role with a data scope); a change to one's own user or role; approving one's own request
  'separation_of_duties',
  'self_change',
  'own_request',
  'conflict',
  'offline_not_allowed',
  // single sign-on: the identity provider's discovery document or keys could not be fetched
  'provider_unavailable',
  // the app is older than the minimum version IT set for its platform (details: platform, minimum, current)
  'app_update_required',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Every non-2xx response body. `wipe` is present when the device must crypto-shred itself. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.unknown().optional(),
  }),
  /** A wipe directive (JWS signed by the server key, see grant.ts) */
  wipe: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, _ and -');
export const epochMsSchema = z.number().int().nonnegative();
