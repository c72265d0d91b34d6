// Verifies an OpenID Connect ID token handed to the server by the desktop app. The provider's
// metadata comes from its discovery document (openid-client checks that the document names the
// configured issuer); its signing keys from the published JWKS (jose, cached and refreshed on an
// unknown `kid`). Checked: signature with an asymmetric algorithm only (`none` and the HMAC
// family are refused: an HMAC key would be the client secret, which the app cannot keep),
// issuer, audience (and `azp` when there are several audiences), expiry and issue time against
// the server clock, and that `sub` and `nonce` are present. The nonce itself is checked by the
// caller against the nonces the server issued.

import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { DomainError } from '../domain-error';

export const ALLOWED_ID_TOKEN_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CLOCK_TOLERANCE_S = 60;
const METADATA_TTL_MS = 10 * 60 * 1000;

export function isLoopbackUrl(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

interface ProviderKeys {
  fetchedAt: number;
  jwks: ReturnType<typeof createRemoteJWKSet>;
}

const cache = new Map<string, ProviderKeys>();

async function keysFor(issuer: string, clientId: string): Promise<ProviderKeys> {
  const key = `${issuer} ${clientId}`;
  const cached = cache.get(key);
  if (cached && Date.now() - cached.fetchedAt < METADATA_TTL_MS) return cached;
  const issuerUrl = new URL(issuer);
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(issuerUrl, clientId, undefined, undefined, {
      // Plain HTTP only for a provider on this machine (tests, a local provider).
      ...(issuerUrl.protocol === 'http:' && isLoopbackUrl(issuerUrl) ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: 10,
    });
  } catch (err) {
    throw new DomainError('provider_unavailable', `the identity provider's discovery document could not be used: ${(err as Error).message}`);
  }
  const jwksUri = config.serverMetadata().jwks_uri;
  if (!jwksUri) throw new DomainError('provider_unavailable', 'the identity provider publishes no jwks_uri');
  const entry = { fetchedAt: Date.now(), jwks: createRemoteJWKSet(new URL(jwksUri)) };
  cache.set(key, entry);
  return entry;
}

export interface VerifiedIdToken {
  sub: string;
  nonce: string;
  claims: JWTPayload & Record<string, unknown>;
}

function refusal(reason: string, message: string): DomainError {
  return new DomainError('invalid_credentials', message, { reason });
}

/** Why jose refused, as a reason code and a sentence (the message shown names the claim). */
function explain(err: unknown): DomainError {
  if (err instanceof joseErrors.JWTExpired) return refusal('expired', 'the ID token has expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    const claim = err.claim;
    if (claim === 'iss') return refusal('wrong_issuer', 'the ID token was issued by another provider');
    if (claim === 'aud') return refusal('wrong_audience', 'the ID token was issued for another application');
    return refusal(`bad_${claim}`, `the ID token's ${claim} claim is not acceptable`);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return refusal('alg_not_allowed', 'the ID token is signed with an algorithm that is not accepted');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) {
    return refusal('bad_signature', "the ID token is not signed by the provider's published keys");
  }
  return refusal('malformed', 'the ID token is not a valid signed JWT');
}

export async function verifyIdToken(
  idToken: string,
  expected: { issuer: string; clientId: string; now: number },
): Promise<VerifiedIdToken> {
  // Refuse unsigned and HMAC tokens before touching the network: no key lookup can make them valid.
  const alg = headerAlg(idToken);
  if (alg === null) throw refusal('malformed', 'the ID token is not a valid signed JWT');
  if (!ALLOWED_ID_TOKEN_ALGS.includes(alg)) throw refusal('alg_not_allowed', `the ID token's algorithm ${alg} is not accepted`);
  const { jwks } = await keysFor(expected.issuer, expected.clientId);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, jwks, {
      issuer: expected.issuer,
      audience: expected.clientId,
      algorithms: ALLOWED_ID_TOKEN_ALGS,
      currentDate: new Date(expected.now),
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (err) {
    throw explain(err);
  }
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expected.clientId) {
    throw refusal('wrong_audience', 'the ID token was issued for another application');
  }
  if (typeof payload.iat === 'number' && payload.iat * 1000 > expected.now + CLOCK_TOLERANCE_S * 1000) {
    throw refusal('bad_iat', 'the ID token is issued in the future');
  }
  if (typeof payload.nonce !== 'string' || payload.nonce.length === 0) throw refusal('missing_nonce', 'the ID token carries no nonce');
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw refusal('bad_sub', 'the ID token has no subject');
  return { sub: payload.sub, nonce: payload.nonce, claims: payload as JWTPayload & Record<string, unknown> };
}

function headerAlg(token: string): string | null {
  const [header] = token.split('.');
  if (!header || token.split('.').length !== 3) return null;
  try {
    const parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof parsed.alg === 'string' ? parsed.alg : null;
  } catch {
    return null;
  }
}

/** True when the token asserts multi-factor authentication by one of the provider's accepted values. */
export function assertsMfa(claims: Record<string, unknown>, mfaValues: readonly string[]): boolean {
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [];
  const acr = typeof claims.acr === 'string' ? claims.acr : null;
  return amr.some((v) => mfaValues.includes(v)) || (acr !== null && mfaValues.includes(acr));
}
