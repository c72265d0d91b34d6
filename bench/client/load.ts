// Server load: many concurrent clients doing signed delta syncs (POST /v1/sync/pull with their
// current cursor) through autocannon. Every request gets a fresh nonce, timestamp and Ed25519
// signature in setupRequest, round-robin over the enrolled devices, so the server does the full
// work of a real client's delta sync (signature, replay check, token, scope, log, audit).

import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import autocannon from 'autocannon';
import { canonicalRequest, SIGNATURE_HEADERS } from '../../shared/protocol/common';
import { ROUTES } from '../../shared/protocol/routes';

export interface LoadDevice {
  deviceId: string;
  /** PKCS#8 DER, base64 */
  privateKey: string;
  accessToken: string;
  cursor: string;
}

export interface LoadResult {
  connections: number;
  devices: number;
  durationS: number;
  requests: number;
  throughputRps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCounts: Record<string, number>;
  sampleError: string | null;
}

export async function runLoad(opts: { baseUrl: string; devices: LoadDevice[]; connections: number; durationS: number }): Promise<LoadResult> {
  if (opts.devices.length === 0) throw new Error('load: no devices');
  const path = ROUTES.pull.path;
  const devices = opts.devices.map((d) => ({
    ...d,
    key: createPrivateKey({ key: Buffer.from(d.privateKey, 'base64'), format: 'der', type: 'pkcs8' }) as KeyObject,
    body: JSON.stringify({ cursor: d.cursor, limit: 2000 }),
  }));
  let next = 0;
  const statusCounts: Record<string, number> = {};
  let sampleError: string | null = null;

  const result = await autocannon({
    url: opts.baseUrl,
    connections: opts.connections,
    duration: opts.durationS,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (req) => {
          const d = devices[next++ % devices.length] as (typeof devices)[number];
          const timestamp = String(Date.now());
          const nonce = randomBytes(16).toString('base64url');
          const message = canonicalRequest({
            method: 'POST', pathWithQuery: path, bodySha256Hex: createHash('sha256').update(d.body).digest('hex'),
            timestamp, nonce, deviceId: d.deviceId,
          });
          return {
            ...req,
            method: 'POST',
            path,
            body: d.body,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${d.accessToken}`,
              [SIGNATURE_HEADERS.device]: d.deviceId,
              [SIGNATURE_HEADERS.timestamp]: timestamp,
              [SIGNATURE_HEADERS.nonce]: nonce,
              [SIGNATURE_HEADERS.signature]: sign(null, Buffer.from(message), d.key).toString('base64url'),
            },
          };
        },
        onResponse: (status, body) => {
          statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          if ((status < 200 || status >= 300) && sampleError === null) sampleError = `${status} ${String(body).slice(0, 300)}`;
        },
      },
    ],
  });
  return {
    connections: opts.connections,
    devices: devices.length,
    durationS: opts.durationS,
    requests: result.requests.total,
    throughputRps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCounts,
    sampleError,
  };
}
