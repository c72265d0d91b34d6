// Request signing for the fleet's devices, outside the server process (the same canonical
// request every client signs: method, path, body hash, timestamp, nonce, device id).

import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { canonicalRequest, SIGNATURE_HEADERS } from '../../shared/protocol/common';

/** A fleet device as it travels to the other processes. */
export interface FleetDevice {
  id: string;
  /** Ed25519 private key, PKCS#8 DER base64 */
  key: string;
  token: string;
}

const keys = new Map<string, KeyObject>();

export function signedHeaders(device: FleetDevice, method: string, path: string, body?: string): Record<string, string> {
  let key = keys.get(device.id);
  if (!key) {
    key = createPrivateKey({ key: Buffer.from(device.key, 'base64'), format: 'der', type: 'pkcs8' });
    keys.set(device.id, key);
  }
  const timestamp = String(Date.now());
  const nonce = randomBytes(18).toString('base64url');
  const bodySha256Hex = createHash('sha256').update(body ?? '').digest('hex');
  const signature = sign(null, Buffer.from(canonicalRequest({ method, pathWithQuery: path, bodySha256Hex, timestamp, nonce, deviceId: device.id })), key).toString('base64url');
  return {
    [SIGNATURE_HEADERS.device]: device.id,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signature,
    authorization: `Bearer ${device.token}`,
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
}
