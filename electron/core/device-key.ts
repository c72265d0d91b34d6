// The device's Ed25519 identity: every request to the server is signed with the device key, so a
// stolen access token is useless without the device.
// The private key lives only in the SecretStore (the OS keychain) and in this process's memory;
// it is never written to disk, never logged and never crosses to the renderer.

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { DEVICE_KEY_ACCOUNT, type SecretStore } from './contracts';

export class DeviceKeyMissingError extends Error {
  constructor() {
    super('The device key is not in the keychain; this device must be enrolled again.');
    this.name = 'DeviceKeyMissingError';
  }
}

export class DeviceKey {
  private constructor(private readonly privateKey: KeyObject) {}

  /** Generate a fresh key pair and store the private key in the keychain (enrollment). */
  static async create(secrets: SecretStore): Promise<DeviceKey> {
    const { privateKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    await secrets.set(DEVICE_KEY_ACCOUNT, der.toString('base64'));
    return new DeviceKey(privateKey);
  }

  /** The enrolled device's key, or DeviceKeyMissingError when the keychain has none. */
  static async load(secrets: SecretStore): Promise<DeviceKey> {
    const stored = await secrets.get(DEVICE_KEY_ACCOUNT);
    if (!stored) throw new DeviceKeyMissingError();
    try {
      return new DeviceKey(createPrivateKey({ key: Buffer.from(stored, 'base64'), format: 'der', type: 'pkcs8' }));
    } catch {
      // Do not echo the stored value: it is the secret.
      throw new DeviceKeyMissingError();
    }
  }

  /** Raw 32-byte Ed25519 public key, base64url (what the server registers). */
  publicKeyBase64Url(): string {
    const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' });
    if (typeof jwk.x !== 'string') throw new Error('Ed25519 public key export failed');
    return jwk.x;
  }

  /** Ed25519 signature over the UTF-8 bytes of `message`, base64url. */
  sign(message: string): string {
    return sign(null, Buffer.from(message, 'utf8'), this.privateKey).toString('base64url');
  }

  /** Never let the key material reach a log line through accidental serialisation. */
  toJSON(): string {
    return '[DeviceKey]';
  }
}
