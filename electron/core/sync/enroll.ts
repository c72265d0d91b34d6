// Enrollment (PRODUCT §4): password → TOTP → device key pair → server key pinned → device
// registered → encrypted vault created with the first grant.

import { platform } from 'node:os';
import { DEVICE_KEY_ACCOUNT, type SecretStore, type VaultStore } from '../contracts';
import { DeviceKey } from '../device-key';
import { ServerKeyMismatchError } from './errors';
import type { LocalSettingsFile} from './local-settings';
import { serverPinId } from './local-settings';
import { ServerClient } from './server-client';
import { sameServerKey, verifyGrant, type PinnedKey } from './tokens';
import type { GrantClaims } from '../../../shared/protocol/grant';

export interface PendingSignIn {
  serverUrl: string;
  username: string;
  mfaToken: string;
  mfaSetupRequired: boolean;
  otpauthUri: string | null;
  /** single sign-on with the provider's MFA trusted: enrollment needs no TOTP step */
  enrollmentToken?: string;
}

/** Step 1: the password. Resolves with the MFA token for step 2. */
export async function beginSignIn(opts: {
  serverUrl: string;
  username: string;
  password: string;
  appVersion: string;
  fetch?: typeof fetch;
}): Promise<PendingSignIn> {
  const client = new ServerClient({ baseUrl: opts.serverUrl, appVersion: opts.appVersion, fetch: opts.fetch });
  const res = await client.call('signIn', { username: opts.username, password: opts.password });
  return {
    serverUrl: client.baseUrl,
    username: opts.username,
    mfaToken: res.mfaToken,
    mfaSetupRequired: res.mfaSetupRequired,
    otpauthUri: res.otpauthUri ?? null,
  };
}

/**
 * The name an admin sees for a new device. Not the hostname alone: every device of a shared or
 * imaged machine pool would look the same; the app, platform and signing-in user tell them apart.
 */
export function defaultDeviceName(os: string, username: string): string {
  return `SalesVault on ${os} (${username})`.slice(0, 100);
}

export interface Enrollment {
  vault: VaultStore;
  client: ServerClient;
  deviceId: string;
  grant: string;
  claims: GrantClaims;
  pinnedKey: PinnedKey;
}

/** Steps 2–6: TOTP, device key, pin, enroll, vault. Cleans up the device key if it fails. */
export async function completeEnrollment(opts: {
  pending: PendingSignIn;
  code: string;
  secrets: SecretStore;
  settings: LocalSettingsFile;
  vaultPath: string;
  createVault: (path: string, secrets: SecretStore) => Promise<VaultStore>;
  appVersion: string;
  now: number;
  fetch?: typeof fetch;
  deviceName?: string;
}): Promise<Enrollment> {
  const { pending, secrets } = opts;
  const client = new ServerClient({ baseUrl: pending.serverUrl, appVersion: opts.appVersion, fetch: opts.fetch });
  const { enrollmentToken } = pending.enrollmentToken
    ? { enrollmentToken: pending.enrollmentToken }
    : await client.call('verifyMfa', { mfaToken: pending.mfaToken, code: opts.code });

  const key = await DeviceKey.create(secrets);
  let vault: VaultStore | null = null;
  try {
    const pinId = serverPinId(pending.serverUrl);
    const served = await client.call('serverKey');
    const pinnedBefore = opts.settings.read().pinnedServerKeys[pinId];
    if (pinnedBefore && !sameServerKey(pinnedBefore, served.jwk)) throw new ServerKeyMismatchError();
    const pinnedKey = pinnedBefore ?? served.jwk;

    const enrolled = await client.call('enrollDevice', {
      enrollmentToken,
      publicKey: key.publicKeyBase64Url(),
      name: (opts.deviceName?.trim() || defaultDeviceName(platform(), pending.username)).slice(0, 100),
      platform: platform().slice(0, 40),
      appVersion: opts.appVersion.slice(0, 40),
    });
    // The key in the enrollment answer must be the one we pinned (same server, no swap mid-flow).
    if (!sameServerKey(pinnedKey, enrolled.serverKey.jwk)) throw new ServerKeyMismatchError();
    const claims = await verifyGrant(enrolled.grant, pinnedKey, enrolled.deviceId);

    if (!pinnedBefore) {
      opts.settings.update((s) => ({ ...s, pinnedServerKeys: { ...s.pinnedServerKeys, [pinId]: pinnedKey } }));
    }
    opts.settings.update((s) => ({ ...s, lastServerUrl: pending.serverUrl, lastWipe: null }));

    vault = await opts.createVault(opts.vaultPath, secrets);
    vault.setMeta('serverUrl', pending.serverUrl);
    vault.setMeta('deviceId', enrolled.deviceId);
    vault.setMeta('serverKey', JSON.stringify(pinnedKey));
    vault.setMeta('grant', enrolled.grant);
    vault.setMeta('lastTrustedTime', String(opts.now));

    client.setIdentity({ deviceId: enrolled.deviceId, key, pinnedKey });
    client.setAccessToken(enrolled.accessToken, enrolled.accessExpiresAt);
    return { vault, client, deviceId: enrolled.deviceId, grant: enrolled.grant, claims, pinnedKey };
  } catch (err) {
    // A half-finished enrollment must not leave a key behind that no vault refers to.
    vault?.close();
    await secrets.delete(DEVICE_KEY_ACCOUNT).catch(() => false);
    throw err;
  }
}
