// The data directory and every file the client writes in it are readable by the user alone:
// the directory 0700, files 0600 (the vault and its -wal/-shm/-journal, settings.json, wipe
// markers). The vault is encrypted, but its size and timing, the pinned server keys and the
// wipe state are nobody else's business either, and a world-readable -wal of a future plaintext
// bug must not become a leak. Modes are enforced when a file or directory is created (before
// anything is written to it, whatever the process umask) and repaired at start when something
// on disk is looser (an older version, a restored backup, a copied profile).
//
// On Windows these calls are skipped: Node's chmod there only toggles the read-only flag, and
// access is governed by the ACLs the user profile directory already restricts to its owner.

import { chmodSync, closeSync, existsSync, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const ENFORCED = process.platform !== 'win32';

/** The files SQLite keeps beside a database. */
const SQLITE_COMPANIONS = ['-wal', '-shm', '-journal'];

/** Group or other may do anything at all. */
function isLooser(mode: number): boolean {
  return (mode & 0o077) !== 0;
}

/** Tighten one path (never through a symbolic link: chmod would follow it out of the directory). */
function restrict(path: string, mode: number): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st || st.isSymbolicLink() || !isLooser(st.mode)) return false;
  return chmodUnlessGone(path, mode);
}

/** chmod, except that a file removed in the meantime (SQLite drops its -wal/-shm on close) is fine. */
function chmodUnlessGone(path: string, mode: number): boolean {
  try {
    chmodSync(path, mode);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Create the directory (and missing parents) as 0700, and tighten it if it already existed. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (ENFORCED) restrict(dir, PRIVATE_DIR_MODE);
}

/**
 * At start: the data directory 0700, and everything inside it — files 0600, subdirectories
 * 0700, recursively. Returns the paths that were tightened (for a log line and tests).
 */
export function repairPrivateDir(dir: string): string[] {
  ensurePrivateDir(dir);
  if (!ENFORCED) return [];
  const tightened: string[] = [];
  const walk = (current: string): void => {
    let names: string[];
    try {
      names = readdirSync(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && current !== dir) return;
      throw err;
    }
    for (const name of names) {
      const path = join(current, name);
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (!st || st.isSymbolicLink()) continue;
      if (st.isDirectory()) {
        if (isLooser(st.mode) && chmodUnlessGone(path, PRIVATE_DIR_MODE)) tightened.push(path);
        walk(path);
      } else if (st.isFile() && isLooser(st.mode) && chmodUnlessGone(path, PRIVATE_FILE_MODE)) {
        tightened.push(path);
      }
    }
  };
  walk(dir);
  return tightened;
}

/**
 * Open `path` for writing as 0600: created with that mode, and chmod-ed through the open file
 * descriptor right away (the umask may have taken bits away, and a file left by a crash may
 * be looser) — before the caller writes a byte. The caller closes the descriptor.
 */
export function openPrivateFile(path: string, flags: 'w' | 'wx' | 'a' = 'w'): number {
  const fd = openSync(path, flags, PRIVATE_FILE_MODE);
  if (ENFORCED) {
    try {
      fchmodSync(fd, PRIVATE_FILE_MODE);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }
  return fd;
}

/**
 * Before SQLite opens a database: create it empty as 0600 when it does not exist yet (SQLite
 * then gives its -wal/-shm/-journal files the database file's mode), and tighten the database
 * and any companion file left looser on disk.
 */
export function prepareDatabaseFile(path: string, opts: { create: boolean }): void {
  if (opts.create && !existsSync(path)) closeSync(openPrivateFile(path, 'wx'));
  if (!ENFORCED) return;
  for (const file of [path, ...SQLITE_COMPANIONS.map((suffix) => path + suffix)]) restrict(file, PRIVATE_FILE_MODE);
}
