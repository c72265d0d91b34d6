// Device public keys: what enrollment accepts. A device key must be a canonically encoded point
// of the Ed25519 curve that generates the prime-order subgroup. Anything else is refused: a
// small-order key (the identity, 32 zero bytes and the other six torsion points) lets anyone
// forge signatures that verify for a large share of messages (R = identity, S = 0), and a
// mixed-order key (a real key plus a torsion component) verifies differently across libraries.

import { ed25519 } from '@noble/curves/ed25519.js';

const FIELD_PRIME = 2n ** 255n - 19n;

export type DeviceKeyProblem = 'encoding' | 'not_on_curve' | 'small_order' | 'not_prime_order';

/** Why `rawBase64Url` is not an acceptable device key; null when it is one. */
export function deviceKeyProblem(rawBase64Url: string): DeviceKeyProblem | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(rawBase64Url)) return 'encoding';
  const bytes = Buffer.from(rawBase64Url, 'base64url');
  // base64url of 32 bytes has 43 characters, the last carrying 4 spare bits: they must be zero.
  if (bytes.length !== 32 || bytes.toString('base64url') !== rawBase64Url) return 'encoding';
  // y (the low 255 bits, little-endian) must be reduced mod p = 2^255 - 19.
  const yBytes = Buffer.from(bytes);
  yBytes[31] = bytes[31]! & 0x7f;
  if (BigInt(`0x${yBytes.reverse().toString('hex')}`) >= FIELD_PRIME) return 'encoding';
  let point;
  try {
    point = ed25519.Point.fromHex(bytes.toString('hex'));
  } catch {
    return 'not_on_curve';
  }
  // A non-canonical encoding (y ≥ p, or "negative zero" x) decodes but re-encodes differently.
  if (point.toHex() !== bytes.toString('hex')) return 'encoding';
  if (point.isSmallOrder()) return 'small_order';
  if (!point.isTorsionFree()) return 'not_prime_order';
  return null;
}

export const DEVICE_KEY_PROBLEM_TEXT: Record<DeviceKeyProblem, string> = {
  encoding: 'not a canonical 32-byte Ed25519 public key',
  not_on_curve: 'not a point on the Ed25519 curve',
  small_order: 'a small-order point (signatures under it can be forged)',
  not_prime_order: 'not of full prime order (it has a torsion component)',
};
