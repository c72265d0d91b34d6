// The demo users' credentials (the password and each user's fixed TOTP secret), apart from the
// demo organisation's generator (demo.ts): what signs a demo user in — the benchmark's client
// process, tests, `npm run server -- totp <username>` — loads no data generator with it.

import { createHash } from 'node:crypto';
import { Secret } from 'otpauth';
import { totpCode } from '../identity/totp';

export const DEMO_PASSWORD = 'demo-pass-2026';

/** The fixed TOTP secret of a demo user (base32). Deterministic so docs can explain it. */
export function demoTotpSecret(username: string): string {
  return new Secret({ buffer: createHash('sha1').update(`salesvault-demo:${username}`).digest().buffer }).base32;
}

/** The current TOTP code of a demo user: `npm run server -- totp <username>`. */
export function totpFor(username: string, nowMs = Date.now()): string {
  return totpCode(demoTotpSecret(username), nowMs);
}
