// Crypto-shred: make the vault unreadable by destroying its key, then remove the
// files. Order matters: the keychain entries go FIRST, so that from that instant on whatever is
// left on disk (the file, its WAL, a backup image of the disk) is ciphertext without a key.
//
// Crash safety: a marker file `<vault>.wiping` is written (and fsynced) before anything is
// destroyed and removed only when everything is gone. resumeInterruptedWipe() finishes any
// wipe whose marker exists; call it at every start before opening the vault. Every step is
// idempotent, so a wipe can be repeated or resumed any number of times.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT, VAULT_MARK_ACCOUNT, type SecretStore } from '../contracts';
import { openPrivateFile } from '../private-files';

export const WIPE_MARKER_SUFFIX = '.wiping';
/** SQLite's companion files of a database (WAL mode uses -wal/-shm; -journal if ever rollback mode). */
const SQLITE_COMPANIONS = ['', '-wal', '-shm', '-journal'];

export interface CryptoShredOptions {
  vaultPath: string;
  secrets: SecretStore;
  /** Caches and other files/directories derived from the vault (removed recursively). */
  extraPaths?: readonly string[];
  /** An open vault handle to close before its files are removed. */
  vault?: { close(): void; stopBackgroundReaders?(): Promise<void> } | null;
}

export interface WipeReport {
  /** false when the keychain could not be reached: the marker stays and the next start retries. */
  complete: boolean;
  keychainDeleted: string[];
  keychainError: string | null;
  removedPaths: string[];
  timings: { keychainMs: number; filesMs: number; totalMs: number };
}

interface MarkerContent {
  extraPaths: string[];
  startedAt: number;
}

export function wipeMarkerPath(vaultPath: string): string {
  return vaultPath + WIPE_MARKER_SUFFIX;
}

export async function cryptoShred(options: CryptoShredOptions): Promise<WipeReport> {
  const started = performance.now();
  const vaultPath = resolve(options.vaultPath);
  const marker = wipeMarkerPath(vaultPath);
  // Paths remembered by an interrupted wipe's marker count only inside the vault's directory,
  // so a doctored marker cannot make the app delete files elsewhere.
  const remembered = readMarker(marker).extraPaths.filter((p) => isInside(dirname(vaultPath), p));
  const extraPaths = [...new Set([...(options.extraPaths ?? []).map((p) => resolve(p)), ...remembered])];

  // 1. Intent, durably: if we die from here on, the next start finishes the job.
  writeDurably(marker, JSON.stringify({ extraPaths, startedAt: Date.now() } satisfies MarkerContent));
  await testPause('marker', vaultPath);

  // 2. The keys. Each delete is idempotent (deleting a missing entry is not an error).
  const keychainStarted = performance.now();
  const keychainDeleted: string[] = [];
  let keychainError: string | null = null;
  for (const account of [VAULT_KEY_ACCOUNT, DEVICE_KEY_ACCOUNT, VAULT_MARK_ACCOUNT]) {
    try {
      if (await options.secrets.delete(account)) keychainDeleted.push(account);
    } catch (err) {
      // Keep going: removing the files still takes the data off this disk. The marker stays
      // so the key deletion is retried at the next start.
      keychainError = err instanceof Error ? err.message : String(err);
    }
  }
  const keychainMs = performance.now() - keychainStarted;
  await testPause('keychain', vaultPath);

  // 3. The files.
  const filesStarted = performance.now();
  // A background reader (the integrity check) must not hold or recreate a -wal/-shm file.
  await options.vault?.stopBackgroundReaders?.().catch(() => undefined);
  try {
    options.vault?.close();
  } catch {
    // Closing can only fail if it is already closed or broken; the files go either way.
  }
  const removedPaths: string[] = [];
  for (const path of [...SQLITE_COMPANIONS.map((suffix) => vaultPath + suffix), ...extraPaths]) {
    if (!existsSync(path)) continue;
    rmSync(path, { recursive: true, force: true });
    removedPaths.push(path);
  }
  syncDirectory(dirname(vaultPath));
  const filesMs = performance.now() - filesStarted;
  await testPause('files', vaultPath);

  // 4. Done: only now does the marker go.
  const complete = keychainError === null;
  if (complete) {
    rmSync(marker, { force: true });
    syncDirectory(dirname(vaultPath));
  }
  return { complete, keychainDeleted, keychainError, removedPaths, timings: { keychainMs, filesMs, totalMs: performance.now() - started } };
}

/**
 * Finish every wipe that was interrupted (a `*.wiping` marker in `dir`). Returns one report per
 * resumed wipe; an empty array when there was nothing to do.
 */
export async function resumeInterruptedWipe(dir: string, secrets: SecretStore): Promise<WipeReport[]> {
  if (!existsSync(dir)) return [];
  const root = resolve(dir);
  const reports: WipeReport[] = [];
  for (const name of readdirSync(root)) {
    if (!name.endsWith(WIPE_MARKER_SUFFIX)) continue;
    // The vault path comes from the marker's own name; cryptoShred picks up the extra paths
    // the marker remembers.
    const vaultPath = join(root, name).slice(0, -WIPE_MARKER_SUFFIX.length);
    reports.push(await cryptoShred({ vaultPath, secrets }));
  }
  return reports;
}

function readMarker(marker: string): MarkerContent {
  try {
    const parsed = JSON.parse(readFileSync(marker, 'utf8')) as Partial<MarkerContent>;
    const extraPaths = Array.isArray(parsed.extraPaths) ? parsed.extraPaths.filter((p): p is string => typeof p === 'string') : [];
    return { extraPaths, startedAt: typeof parsed.startedAt === 'number' ? parsed.startedAt : 0 };
  } catch {
    // Missing, or torn by a crash while being written: the vault's own files are still known.
    return { extraPaths: [], startedAt: 0 };
  }
}

function writeDurably(path: string, content: string): void {
  const fd = openPrivateFile(path);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDirectory(dirname(path));
}

/** Make a create/unlink in `dir` durable. Not possible on every platform (Windows): best effort. */
function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Test hook for crash tests: with SV_TEST_WIPE_PAUSE_AFTER=<step> the wipe stops after that
 * step, creates `<vault>.wipe-paused` and waits until `<vault>.wipe-continue` exists, so a test
 * can SIGKILL the process at a known point. Inert unless the variable is set.
 */
async function testPause(step: 'marker' | 'keychain' | 'files', vaultPath: string): Promise<void> {
  if (process.env.SV_TEST_WIPE_PAUSE_AFTER !== step) return;
  writeDurably(`${vaultPath}.wipe-paused`, step);
  const proceed = `${vaultPath}.wipe-continue`;
  while (!existsSync(proceed)) await sleep(20);
  rmSync(proceed, { force: true });
  rmSync(`${vaultPath}.wipe-paused`, { force: true });
}

