// Enrollment, the server conversation: password → TOTP → device key pair → server key checked
// against the pin → device registered. What comes back (device id, first grant, a client that
// signs as the device) becomes a session in session/enroll-session.ts, which verifies the grant,
// creates the encrypted vault and saves the pin.

import { platform } from 'node:os';
import { DEVICE_KEY_ACCOUNT, type SecretStore } from '../contracts';
import { DeviceKey } from '../device-key';
import type { LocalSettingsFile } from '../local-settings';
import { installIdOf, serverPinId } from '../local-settings';
import { hostFacts } from '../host-facts';
import { clearPendingEnrollment, enrollTestPause, retireEnrollment, writePendingEnrollment } from '../session/pending-enrollment';
import { ServerKeyMismatchError } from './errors';
import { ServerClient } from './server-client';
import { sameServerKey, type PinnedKey } from './tokens';

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
 * imaged machine pool would look the same; the host name comes first (how IT finds a laptop), the
 * app, platform and signing-in user tell them apart.
 */
export function defaultDeviceName(os: string, username: string, hostName = ''): string {
  return (hostName ? `${hostName} · SalesVault on ${os} (${username})` : `SalesVault on ${os} (${username})`).slice(0, 100);
}

export interface Enrollment {
  client: ServerClient;
  deviceId: string;
  /** the first grant, as the server sent it (verified by the session before anything is stored) */
  grant: string;
  pinnedKey: PinnedKey;
  /** the pin id of this server, and whether this enrollment pins it for the first time */
  pinId: string;
  firstPin: boolean;
}

/**
 * Steps 2–5: TOTP, device key, pin check, enroll. The device key stays in the keychain for the
 * session to use; the caller deletes it (crypto-shred) if what follows fails.
 */
export async function completeEnrollment(opts: {
  pending: PendingSignIn;
  code: string;
  secrets: SecretStore;
  settings: LocalSettingsFile;
  appVersion: string;
  fetch?: typeof fetch;
  deviceName?: string;
  /** where the pending-enrollment record goes (session/pending-enrollment.ts) */
  dataDir: string;
}): Promise<Enrollment> {
  const { pending, secrets } = opts;
  const client = new ServerClient({ baseUrl: pending.serverUrl, appVersion: opts.appVersion, fetch: opts.fetch });
  const { enrollmentToken } = pending.enrollmentToken
    ? { enrollmentToken: pending.enrollmentToken }
    : await client.call('verifyMfa', { mfaToken: pending.mfaToken, code: opts.code });

  const key = await DeviceKey.create(secrets);
  let asked = false;
  try {
    // Key and record are saved before the server hears of this device: a kill from here on is
    // settled at the next start (the device is retired, the key deleted).
    writePendingEnrollment(opts.dataDir, { serverUrl: pending.serverUrl, publicKey: key.publicKeyBase64Url(), startedAt: Date.now() });
    await enrollTestPause('key-saved', opts.dataDir);
    const pinId = serverPinId(pending.serverUrl);
    const served = await client.call('serverKey');
    const pinnedBefore = opts.settings.read().pinnedServerKeys[pinId];
    if (pinnedBefore && !sameServerKey(pinnedBefore, served.jwk)) throw new ServerKeyMismatchError();
    const pinnedKey = pinnedBefore ?? served.jwk;

    const facts = hostFacts();
    asked = true;
    const enrolled = await client.call('enrollDevice', {
      enrollmentToken,
      publicKey: key.publicKeyBase64Url(),
      name: (opts.deviceName?.trim() || defaultDeviceName(platform(), pending.username, facts.hostName)).slice(0, 100),
      platform: platform().slice(0, 40),
      appVersion: opts.appVersion.slice(0, 40),
      ...facts,
      installId: installIdOf(opts.settings),
    });
    // The key in the enrollment answer must be the one we pinned (same server, no swap mid-flow).
    if (!sameServerKey(pinnedKey, enrolled.serverKey.jwk)) throw new ServerKeyMismatchError();
    await enrollTestPause('registered', opts.dataDir);

    client.setIdentity({ deviceId: enrolled.deviceId, key, pinnedKey });
    client.setAccessToken(enrolled.accessToken, enrolled.accessExpiresAt);
    return { client, deviceId: enrolled.deviceId, grant: enrolled.grant, pinnedKey, pinId, firstPin: !pinnedBefore };
  } catch (err) {
    // A half-finished enrollment must not leave a device behind on the server (retired, when it
    // may have been registered) nor a key that no vault refers to.
    if (asked) await retireEnrollment(pending.serverUrl, key, opts).catch(() => undefined);
    await secrets.delete(DEVICE_KEY_ACCOUNT).catch(() => false);
    clearPendingEnrollment(opts.dataDir);
    throw err;
  }
}
