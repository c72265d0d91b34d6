// A test client that does what the desktop app does: sign in (password → TOTP → enroll an
// Ed25519 device key) and then sign every request. Shared by the server, sync and client tests.
//
// Signature format (see canonicalRequest in shared/protocol/common.ts): x-sv-timestamp is epoch
// milliseconds as a decimal string, x-sv-nonce 16+ random bytes base64url, x-sv-signature the
// 64-byte Ed25519 signature base64url.

import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { canonicalRequest, SIGNATURE_HEADERS } from '../../shared/protocol/common';
import { totpCode, TOTP_PERIOD_S } from '../identity/totp';

export interface SignOptions {
  /** sign with this key instead of the device's own (forgery tests) */
  privateKey?: KeyObject;
  deviceId?: string;
  timestamp?: string;
  nonce?: string;
  /** false = send no access token; a string = send that token */
  accessToken?: string | false;
  contentType?: string;
  /** send these exact bytes as the body (raw body tests) */
  rawBody?: string | Buffer;
}

export interface TestDevice {
  deviceId: string;
  privateKey: KeyObject;
  publicKey: string;
  grant: string;
  /** updated by refresh() */
  accessToken: string;
  /** headers for a signed request (for callers using their own HTTP client, e.g. SSE) */
  signedHeaders(method: string, pathWithQuery: string, body?: string | Buffer, opts?: SignOptions): Record<string, string>;
  signedFetch(method: string, path: string, body?: unknown, opts?: SignOptions): Promise<Response>;
  /** POST /v1/session/refresh; stores the new access token and grant */
  refresh(appVersion?: string): Promise<Response>;
}

export function newDeviceKey(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: (publicKey.export({ format: 'jwk' }) as { x: string }).x };
}

async function postJson(baseUrl: string, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Password + TOTP → enrollment token. Retries on the next time step when this one was used. */
export async function signInWithMfa(
  baseUrl: string,
  username: string,
  password: string,
  totpSecret: string,
  now: () => number = Date.now,
): Promise<string> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const signIn = await postJson(baseUrl, '/v1/auth/sign-in', { username, password });
    if (signIn.status !== 200) throw new Error(`sign-in failed: ${signIn.status} ${JSON.stringify(signIn.json)}`);
    // The current step may already be used by an earlier sign-in of the same user: try the next.
    for (const offset of [0, TOTP_PERIOD_S * 1000]) {
      const mfa = await postJson(baseUrl, '/v1/auth/mfa', {
        mfaToken: signIn.json.mfaToken,
        code: totpCode(totpSecret, now() + offset),
      });
      if (mfa.status === 200) return mfa.json.enrollmentToken as string;
      if ((mfa.json.error as { code?: string } | undefined)?.code !== 'mfa_invalid') {
        throw new Error(`mfa failed: ${mfa.status} ${JSON.stringify(mfa.json)}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, TOTP_PERIOD_S * 1000 - (now() % (TOTP_PERIOD_S * 1000)) + 50));
  }
  throw new Error('mfa kept failing');
}

export async function enrollTestDevice(
  baseUrl: string,
  username: string,
  password: string,
  totpSecret: string,
  device: {
    name?: string;
    platform?: string;
    appVersion?: string;
    installId?: string;
    hostName?: string;
    osVersion?: string;
    /** the server's clock when it is not real time (TOTP codes and signature timestamps follow it) */
    now?: () => number;
  } = {},
): Promise<TestDevice> {
  const now = device.now ?? Date.now;
  const enrollmentToken = await signInWithMfa(baseUrl, username, password, totpSecret, now);
  const key = newDeviceKey();
  const enrolled = await postJson(baseUrl, '/v1/devices/enroll', {
    enrollmentToken,
    publicKey: key.publicKey,
    name: device.name ?? `${username}'s test laptop`,
    platform: device.platform ?? 'linux',
    appVersion: device.appVersion ?? '0.1.0',
    installId: device.installId,
    hostName: device.hostName,
    osVersion: device.osVersion,
  });
  if (enrolled.status !== 200) throw new Error(`enroll failed: ${enrolled.status} ${JSON.stringify(enrolled.json)}`);

  const self: TestDevice = {
    deviceId: enrolled.json.deviceId as string,
    privateKey: key.privateKey,
    publicKey: key.publicKey,
    grant: enrolled.json.grant as string,
    accessToken: enrolled.json.accessToken as string,
    signedHeaders(method, pathWithQuery, body, opts = {}) {
      const deviceId = opts.deviceId ?? self.deviceId;
      const timestamp = opts.timestamp ?? String(now());
      const nonce = opts.nonce ?? randomBytes(18).toString('base64url');
      const bodyHash = createHash('sha256').update(body ?? '').digest('hex');
      const signed = canonicalRequest({ method, pathWithQuery, bodySha256Hex: bodyHash, timestamp, nonce, deviceId });
      const signature = sign(null, Buffer.from(signed), opts.privateKey ?? self.privateKey).toString('base64url');
      const headers: Record<string, string> = {
        [SIGNATURE_HEADERS.device]: deviceId,
        [SIGNATURE_HEADERS.timestamp]: timestamp,
        [SIGNATURE_HEADERS.nonce]: nonce,
        [SIGNATURE_HEADERS.signature]: signature,
      };
      const token = opts.accessToken === undefined ? self.accessToken : opts.accessToken;
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
      return headers;
    },
    async signedFetch(method, path, body, opts = {}) {
      const payload = opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
      return fetch(baseUrl + path, { method, headers: self.signedHeaders(method, path, payload, opts), body: payload as BodyInit | undefined });
    },
    async refresh(appVersion = '0.1.0') {
      const res = await self.signedFetch('POST', '/v1/session/refresh', { appVersion });
      if (res.status === 200) {
        const json = (await res.clone().json()) as { accessToken: string; grant: string };
        self.accessToken = json.accessToken;
        self.grant = json.grant;
      }
      return res;
    },
  };
  return self;
}
