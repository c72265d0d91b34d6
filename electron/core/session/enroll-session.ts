// Enrollment to a running session: the server conversation (sync/enroll.ts), then the vault is
// created and the first grant goes through the session's one door (verify, store, trusted time,
// lease). The server key is pinned only once that grant verified. Anything failing after the
// device key exists leaves nothing behind: the keys and any vault this attempt created are shredded.

import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEVICE_KEY_ACCOUNT, type SecretStore } from '../contracts';
import type { LeaseEvaluation } from '../lease';
import type { LocalSettingsFile } from '../local-settings';
import { DeviceKey } from '../device-key';
import { ensurePrivateDir } from '../private-files';
import { completeEnrollment, type PendingSignIn } from '../sync/enroll';
import { Vault } from '../vault';
import { cryptoShred } from '../wipe';
import { clearPendingEnrollment, enrollTestPause, retireEnrollment } from './pending-enrollment';
import { ClientSession, type SessionOptions, type SessionOwner } from './session';

export interface EnrollSessionArgs {
  pending: PendingSignIn;
  code: string;
  secrets: SecretStore;
  settings: LocalSettingsFile;
  vaultPath: string;
  options: SessionOptions;
  owner: SessionOwner;
  deviceName?: string;
}

export async function enrollSession(args: EnrollSessionArgs): Promise<{ session: ClientSession; verdict: LeaseEvaluation }> {
  const { pending, secrets, settings, vaultPath, options } = args;
  const vaultExisted = existsSync(vaultPath);
  const dataDir = dirname(vaultPath);
  // On failure this removes its own device key.
  const enrollment = await completeEnrollment({
    pending,
    code: args.code,
    secrets,
    settings,
    appVersion: options.appVersion,
    fetch: options.fetch,
    deviceName: args.deviceName,
    dataDir,
  });
  let vault: Vault | null = null;
  try {
    ensurePrivateDir(dirname(vaultPath));
    vault = await Vault.create(vaultPath, secrets, { clock: options.clock });
    vault.setMeta('serverUrl', pending.serverUrl);
    vault.setMeta('deviceId', enrollment.deviceId);
    vault.setMeta('serverKey', JSON.stringify(enrollment.pinnedKey));
    await enrollTestPause('vault-created', dataDir);
    const identity = { deviceId: enrollment.deviceId, serverUrl: pending.serverUrl, pinnedKey: enrollment.pinnedKey };
    const session = new ClientSession(vault, identity, enrollment.client, options, args.owner);
    const verdict = await session.acceptGrant(enrollment.grant);
    if (enrollment.firstPin) {
      settings.update((s) => ({ ...s, pinnedServerKeys: { ...s.pinnedServerKeys, [enrollment.pinId]: enrollment.pinnedKey } }));
    }
    settings.update((s) => ({ ...s, lastServerUrl: pending.serverUrl, lastWipe: null }));
    await enrollTestPause('grant-accepted', dataDir);
    // The vault holds the device id and the accepted grant: the enrollment is complete.
    clearPendingEnrollment(dataDir);
    return { session, verdict };
  } catch (err) {
    // A half-written enrollment: only a vault this attempt created is discarded.
    vault?.close();
    const key = await DeviceKey.load(secrets).catch(() => null);
    if (key) await retireEnrollment(pending.serverUrl, key, options).catch(() => undefined);
    if (vaultExisted) await secrets.delete(DEVICE_KEY_ACCOUNT).catch(() => false);
    else await cryptoShred({ vaultPath, secrets }).catch(() => undefined);
    clearPendingEnrollment(dataDir);
    throw err;
  }
}
