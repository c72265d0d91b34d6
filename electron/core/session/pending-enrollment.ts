// Enrollment that cannot leak a device. Before the server is asked to register a new device, the
// device key is in the keychain and `<dataDir>/pending-enrollment.json` (0600: the server URL and
// the device's PUBLIC key, nothing secret) is on disk. The record is removed only once the vault
// holds the device id and the first accepted grant. A start that finds the record knows the
// enrollment did not finish: it retires that device on the server with a request signed by the
// device key (ROUTES.abandonEnrollment) and then shreds the key and any vault the attempt made.
// Should the server be unreachable, the record stays and the next start (or sign-in) tries again;
// the server also retires a device that never checks in within its window.

import { closeSync, existsSync, fsyncSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { abandonEnrollmentMessage } from '../../../shared/protocol/routes';
import { DEVICE_KEY_ACCOUNT, type SecretStore } from '../contracts';
import { DeviceKey } from '../device-key';
import { ensurePrivateDir, openPrivateFile } from '../private-files';
import { ServerUnreachableError } from '../sync/errors';
import { ServerClient } from '../sync/server-client';
import { cryptoShred } from '../wipe';

export const PENDING_ENROLLMENT_FILE = 'pending-enrollment.json';

const recordSchema = z.object({ serverUrl: z.string(), publicKey: z.string(), startedAt: z.number() });
export type PendingEnrollment = z.infer<typeof recordSchema>;

export function pendingEnrollmentPath(dataDir: string): string {
  return join(dataDir, PENDING_ENROLLMENT_FILE);
}

/** Durably (write, fsync, rename) before the server is asked. */
export function writePendingEnrollment(dataDir: string, record: PendingEnrollment): void {
  ensurePrivateDir(dataDir);
  const path = pendingEnrollmentPath(dataDir);
  const fd = openPrivateFile(`${path}.tmp`);
  try {
    writeSync(fd, JSON.stringify(recordSchema.parse(record)));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(`${path}.tmp`, path);
}

export function readPendingEnrollment(dataDir: string): PendingEnrollment | null {
  const path = pendingEnrollmentPath(dataDir);
  if (!existsSync(path)) return null;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : { serverUrl: '', publicKey: '', startedAt: 0 };
  } catch {
    return { serverUrl: '', publicKey: '', startedAt: 0 }; // torn: still an unfinished enrollment
  }
}

export function clearPendingEnrollment(dataDir: string): void {
  rmSync(pendingEnrollmentPath(dataDir), { force: true });
}

/**
 * Ask the server to retire the device of an unfinished enrollment, signed with its key. Resolves
 * when the server answered (retired, or nothing to retire); rejects with ServerUnreachableError.
 */
export async function retireEnrollment(serverUrl: string, key: DeviceKey, opts: { appVersion: string; fetch?: typeof fetch }): Promise<void> {
  const client = new ServerClient({ baseUrl: serverUrl, appVersion: opts.appVersion, fetch: opts.fetch });
  const publicKey = key.publicKeyBase64Url();
  try {
    await client.call('abandonEnrollment', { publicKey, signature: key.sign(abandonEnrollmentMessage(publicKey)) });
  } catch (err) {
    if (err instanceof ServerUnreachableError) throw err;
    // Any answer of the server is final for this device (nothing to retire, or refused): go on.
  }
}

/**
 * At start (and before a new sign-in): settle an enrollment a kill interrupted. 'kept' when the
 * server could not be reached (the record and key stay for the next try).
 */
export async function settlePendingEnrollment(opts: {
  dataDir: string;
  vaultPath: string;
  secrets: SecretStore;
  appVersion: string;
  fetch?: typeof fetch;
}): Promise<'none' | 'retired' | 'kept'> {
  const record = readPendingEnrollment(opts.dataDir);
  if (!record) return 'none';
  const key = await DeviceKey.load(opts.secrets).catch(() => null);
  if (key && record.serverUrl && key.publicKeyBase64Url() === record.publicKey) {
    try {
      await retireEnrollment(record.serverUrl, key, opts);
    } catch (err) {
      if (err instanceof ServerUnreachableError) return 'kept';
      // an unusable server URL: nothing can be sent; clean up locally
    }
  }
  // The device key and whatever vault the attempt created go (keychain entries first).
  await cryptoShred({ vaultPath: opts.vaultPath, secrets: opts.secrets });
  await opts.secrets.delete(DEVICE_KEY_ACCOUNT).catch(() => false);
  clearPendingEnrollment(opts.dataDir);
  return 'retired';
}

/** Before a new sign-in: settle as above; if the server still cannot be reached, drop it locally
 * (the server retires a device that never checks in within its window). */
export async function settleBeforeSignIn(opts: Parameters<typeof settlePendingEnrollment>[0]): Promise<void> {
  if ((await settlePendingEnrollment(opts)) !== 'kept') return;
  await cryptoShred({ vaultPath: opts.vaultPath, secrets: opts.secrets });
  clearPendingEnrollment(opts.dataDir);
}

/**
 * Test hook for fault tests: with SV_TEST_ENROLL_PAUSE_AT=<step> enrollment stops there, writes
 * `<dataDir>/enroll-paused` and waits to be killed. Inert unless the variable is set.
 */
export async function enrollTestPause(step: 'key-saved' | 'registered' | 'vault-created' | 'grant-accepted', dataDir: string): Promise<void> {
  if (process.env.SV_TEST_ENROLL_PAUSE_AT !== step) return;
  writePausedMarker(join(dataDir, 'enroll-paused'), step);
  for (;;) await sleep(1000);
}

function writePausedMarker(path: string, step: string): void {
  const fd = openPrivateFile(path);
  try {
    writeSync(fd, step);
  } finally {
    closeSync(fd);
  }
}
