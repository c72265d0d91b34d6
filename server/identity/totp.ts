// TOTP (RFC 6238) as SalesVault uses it: SHA-1, 6 digits, 30 s steps, ±1 step of clock drift,
// and each accepted time step usable once (users.last_totp_step).

import { Secret, TOTP } from 'otpauth';

export const TOTP_ISSUER = 'SalesVault';
export const TOTP_PERIOD_S = 30;
const TOTP_DIGITS = 6;
const TOTP_WINDOW = 1;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secretBase32: string, username: string): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label: username,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The otpauth:// URI an authenticator app scans (as a QR code) to enrol. */
export function otpauthUri(secretBase32: string, username: string): string {
  return totpFor(secretBase32, username).toString();
}

/** The current code (tests, and the demo seed's "how to get a code" helper). */
export function totpCode(secretBase32: string, nowMs: number): string {
  return totpFor(secretBase32, 'x').generate({ timestamp: nowMs });
}

/**
 * The time step a code is valid for (within ±1 step of `nowMs`), or null when it is wrong or the
 * step was already used (`lastUsedStep`).
 */
export function acceptedTotpStep(secretBase32: string, code: string, nowMs: number, lastUsedStep: number | null): number | null {
  const delta = totpFor(secretBase32, 'x').validate({ token: code, timestamp: nowMs, window: TOTP_WINDOW });
  if (delta === null) return null;
  const step = Math.floor(nowMs / 1000 / TOTP_PERIOD_S) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return null;
  return step;
}
