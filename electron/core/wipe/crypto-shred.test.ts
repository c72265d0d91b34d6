// Crypto-shred against the REAL keychain and a REAL vault file, including a SIGKILL mid-wipe.
// dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/wipe'

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../contracts';
import { MemorySecretStore } from '../keychain';
import { Vault } from '../vault';
import { grantFor, page, tempDir, testKeychain, upsert } from '../../../test/support/vault';
import { cryptoShred, resumeInterruptedWipe, wipeMarkerPath } from '.';

let dir: string;
let vaultPath: string;
let cachePath: string;
let keychain: ReturnType<typeof testKeychain>;

beforeEach(async () => {
  dir = tempDir('wipe');
  vaultPath = join(dir, 'vault.db');
  cachePath = join(dir, 'cache');
  keychain = testKeychain('wipe');
  // A real enrolled state: vault key + device key in the keychain, a vault with WAL, a cache dir.
  await keychain.secrets.set(DEVICE_KEY_ACCOUNT, 'device-private-key');
  const vault = await Vault.create(vaultPath, keychain.secrets);
  vault.applyPullPage(page({ upserts: [upsert('customer', { id: 'c1', name: '深圳华为技术有限公司', ownerId: 'u-rep' }, ['o:u-rep'])] }), grantFor());
  vault.close();
  mkdirSync(cachePath);
  writeFileSync(join(cachePath, 'export.csv'), 'cached');
});

afterEach(async () => {
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function keychainEntries(): Promise<(string | null)[]> {
  return [await keychain.secrets.get(VAULT_KEY_ACCOUNT), await keychain.secrets.get(DEVICE_KEY_ACCOUNT)];
}

describe('cryptoShred', () => {
  it('deletes the keychain entries, the database, WAL, SHM and caches; a second wipe is a no-op', async () => {
    const vault = await Vault.open(vaultPath, keychain.secrets);
    vault.setMeta('cursor', 'x'); // the open vault has -wal and -shm files now
    expect(existsSync(`${vaultPath}-wal`)).toBe(true);
    expect(existsSync(`${vaultPath}-shm`)).toBe(true);

    const report = await cryptoShred({ vaultPath, secrets: keychain.secrets, vault, extraPaths: [cachePath] });
    expect(report.complete).toBe(true);
    expect(report.keychainDeleted).toEqual([VAULT_KEY_ACCOUNT, DEVICE_KEY_ACCOUNT]);
    // Closing the vault folds the WAL in and removes -wal/-shm; the kill test below covers them left behind.
    expect(report.removedPaths.sort()).toEqual([vaultPath, cachePath].sort());
    expect(report.timings.totalMs).toBeGreaterThanOrEqual(0);
    expect(await keychainEntries()).toEqual([null, null]);
    expect(readdirSync(dir)).toEqual([]);
    expect(vault.isOpen).toBe(false);

    const again = await cryptoShred({ vaultPath, secrets: keychain.secrets, extraPaths: [cachePath] });
    expect(again).toMatchObject({ complete: true, keychainDeleted: [], removedPaths: [] });
    expect(readdirSync(dir)).toEqual([]);
    expect(await resumeInterruptedWipe(dir, keychain.secrets)).toEqual([]);
  });

  it('with the keychain unreachable it still removes the files and keeps the marker for a retry', async () => {
    const secrets = new MemorySecretStore();
    await secrets.set(VAULT_KEY_ACCOUNT, 'k');
    secrets.unavailable = true;
    const report = await cryptoShred({ vaultPath, secrets, extraPaths: [cachePath] });
    expect(report.complete).toBe(false);
    expect(report.keychainError).toMatch(/unavailable/);
    expect(existsSync(vaultPath)).toBe(false);
    expect(existsSync(cachePath)).toBe(false);
    expect(existsSync(wipeMarkerPath(vaultPath))).toBe(true);

    secrets.unavailable = false;
    const [resumed] = await resumeInterruptedWipe(dir, secrets);
    expect(resumed).toMatchObject({ complete: true, keychainDeleted: [VAULT_KEY_ACCOUNT] });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a wipe killed (SIGKILL) between the keychain and the files completes at the next start', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../../test/support/children/wipe-child.ts', import.meta.url))], {
      env: {
        ...process.env,
        SV_TEST_WIPE_PAUSE_AFTER: 'keychain',
        SV_TEST_VAULT_PATH: vaultPath,
        SV_TEST_CACHE_PATH: cachePath,
        SV_TEST_KEYCHAIN_SERVICE: keychain.service,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    const paused = `${vaultPath}.wipe-paused`;
    for (let i = 0; i < 1500 && !existsSync(paused); i++) {
      if (child.exitCode !== null) throw new Error(`wipe child exited early: ${stderr}`);
      await sleep(20);
    }
    expect(existsSync(paused), stderr).toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The crash left: no keys (they went first), the files, and the marker.
    expect(await keychainEntries()).toEqual([null, null]);
    expect(existsSync(vaultPath)).toBe(true);
    expect(existsSync(`${vaultPath}-wal`)).toBe(true); // the killed process still had the vault open
    expect(existsSync(`${vaultPath}-shm`)).toBe(true);
    expect(existsSync(cachePath)).toBe(true);
    expect(existsSync(wipeMarkerPath(vaultPath))).toBe(true);
    rmSync(paused, { force: true });

    // Next start.
    const reports = await resumeInterruptedWipe(dir, keychain.secrets);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.complete).toBe(true);
    expect(reports[0]!.removedPaths).toEqual(expect.arrayContaining([vaultPath, `${vaultPath}-wal`, `${vaultPath}-shm`]));
    expect(reports[0]!.removedPaths).toContain(cachePath); // remembered through the marker
    expect(readdirSync(dir)).toEqual([]);
    expect(await keychainEntries()).toEqual([null, null]);
  });

  it('a doctored marker cannot make the resume delete files outside the data directory', async () => {
    const outside = tempDir('wipe-outside');
    const victim = join(outside, 'keep.txt');
    writeFileSync(victim, 'keep');
    writeFileSync(wipeMarkerPath(vaultPath), JSON.stringify({ extraPaths: [victim, outside], startedAt: 1 }));
    await resumeInterruptedWipe(dir, keychain.secrets);
    expect(existsSync(victim)).toBe(true);
    expect(existsSync(vaultPath)).toBe(false);
    rmSync(outside, { recursive: true, force: true });
  });
});
