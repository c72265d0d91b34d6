// Opening the vault: the raw 256-bit key (random, kept only in the OS keychain), SQLCipher 4
// format, the connection's pragmas and the numbered migrations. A key that does not decrypt or a
// damaged file is a VaultCorruptError; a missing keychain entry is a VaultKeyMissingError.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
import { VAULT_KEY_ACCOUNT, type SecretStore } from '../contracts';
import { prepareDatabaseFile } from '../private-files';
import { isVaultDamage, VaultCorruptError, VaultDamagedError, VaultError, VaultKeyMissingError } from './errors';
import { MIGRATIONS } from './schema';

const KEY_HEX = /^[0-9a-f]{64}$/i;
/** Internal meta: the CREATE INDEX statements a bulk import dropped, to run once it ends. */
export const DEFERRED_INDEXES = 'deferred-indexes';

/**
 * First enrollment: a fresh random key goes into the keychain BEFORE the file exists, so
 * there is never a vault on disk whose key could be lost by a crash in between.
 */
export async function createVaultFile(path: string, secrets: SecretStore): Promise<Db> {
  if (existsSync(path)) throw new VaultError('vault_exists', 'A vault file already exists at this path; wipe it before enrolling again.');
  const keyHex = randomBytes(32).toString('hex');
  await secrets.set(VAULT_KEY_ACCOUNT, keyHex);
  return openWithKey(path, keyHex, false);
}

/** Open an existing vault with the key from the keychain. */
export async function openVaultFile(path: string, secrets: SecretStore): Promise<Db> {
  const keyHex = await secrets.get(VAULT_KEY_ACCOUNT);
  if (!existsSync(path)) throw new VaultError('vault_missing', 'There is no vault file at this path.');
  if (!keyHex) throw new VaultKeyMissingError();
  return openWithKey(path, keyHex, true);
}

function openWithKey(path: string, keyHex: string, mustExist: boolean): Db {
  if (!KEY_HEX.test(keyHex)) throw new VaultCorruptError('The vault key in the keychain is malformed.');
  let db: Db;
  try {
    // 0600 before SQLite writes a byte (its -wal/-shm inherit the database file's mode).
    prepareDatabaseFile(path, { create: !mustExist });
    db = new Database(path, { fileMustExist: mustExist });
  } catch (cause) {
    throw new VaultCorruptError(`The vault file cannot be opened: ${messageOf(cause)}`, { cause });
  }
  keyConnection(db, keyHex);
  try {
    db.pragma('journal_mode = WAL');
    connectionPragmas(db);
    // Before the migrations, so they always see the schema the previous run left.
    restoreDeferredIndexes(db);
    migrate(db);
  } catch (cause) {
    db.close();
    if (cause instanceof VaultError) throw cause;
    if (isVaultDamage(cause)) throw new VaultDamagedError(`The vault is damaged: ${messageOf(cause)}`, { cause });
    throw new VaultCorruptError(`The vault could not be prepared: ${messageOf(cause)}`, { cause });
  }
  return db;
}

/** Key a fresh connection; a key that does not decrypt closes it and is a VaultCorruptError. */
function keyConnection(db: Db, keyHex: string): void {
  try {
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    // Raw key (x'…'): no passphrase KDF. Validated as 64 hex chars by the callers, so nothing can be injected.
    db.pragma(`key="x'${keyHex}'"`);
    // The first real read: a wrong key or a damaged first page fails here.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (cause) {
    db.close();
    // The cause is SQLite's message ("file is not a database"): it never contains the key.
    throw new VaultCorruptError(`The vault cannot be decrypted with the keychain key (wrong key or damaged file): ${messageOf(cause)}`, { cause });
  }
}

/** SQLite page cache of each connection to the vault, in KiB (PRAGMA cache_size, negative = KiB). */
export const VAULT_CACHE_KIB = 65_536;

/**
 * The page cache while a first sync's bulk pages are applied (pull-apply.ts), in KiB. The import
 * worker's connection is a second cache beside the UI's, and during a first sync it is the one
 * that fills; the same figure also caps how much of a sort SQLite keeps as one in-memory list
 * before it writes a sorted run (to memory too: temp_store), so it counts twice at the end of the
 * import, when the deferred indexes are built. Client peak RSS over a 700k-record first sync:
 * 352 MB at 64 MB, 332 MB at 32 MB, 284–318 MB at 16 MB, 248–285 MB at 4 MB (the peak falls at
 * the index builds), with no measurable change in the import's CPU time — the import appends to
 * one owner cluster after another, so only the right edge of each B-tree is hot. Other pages
 * (deltas, purges, which rewrite pages all over the file) keep VAULT_CACHE_KIB: a medium-scale
 * purge measured 20–60 % slower at 16 MB.
 */
export const BULK_IMPORT_CACHE_KIB = 4_096;

/** The per-connection settings every connection to the vault uses (the UI's and the import worker's). */
function connectionPragmas(db: Db): void {
  // Purged rows are overwritten with zeros, not just unlinked.
  db.pragma('secure_delete = ON');
  db.pragma('foreign_keys = ON');
  // Temp tables and sort spills stay in memory: SQLite temp files would be unencrypted.
  db.pragma('temp_store = MEMORY');
  // An acknowledged edit must survive power loss, not only a process crash.
  db.pragma('synchronous = FULL');
  // Every page read from disk is decrypted and verified: a larger cache avoids doing that
  // over and over for index pages during big syncs, purges and dashboards. (A first sync's bulk
  // pages use a smaller one: BULK_IMPORT_CACHE_KIB.)
  db.pragma(`cache_size = -${VAULT_CACHE_KIB}`);
}

/**
 * A second connection to an open vault, for the import worker (import-worker.ts): same key and
 * settings, no migrations (the UI's connection ran them when it opened the file). WAL lets the
 * UI's connection keep reading while this one writes.
 */
export function openImportConnection(path: string, keyHex: string): Db {
  if (!KEY_HEX.test(keyHex)) throw new VaultCorruptError('The vault key is malformed.');
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: true });
  } catch (cause) {
    throw new VaultCorruptError(`The vault file cannot be opened: ${messageOf(cause)}`, { cause });
  }
  keyConnection(db, keyHex);
  try {
    connectionPragmas(db);
  } catch (cause) {
    db.close();
    throw cause;
  }
  return db;
}

/**
 * The integrity check (what integrity.ts runs on a worker after every open): `quick_check` walks
 * every b-tree page, and each page read from disk is decrypted and its HMAC verified by the
 * cipher, so a damaged page anywhere in use fails (SQLITE_CORRUPT). SQLite3MultipleCiphers has
 * no `cipher_integrity_check`; free pages hold nothing and are not read. Its cost on the
 * benchmark vault is the "integrity" stage of `bench/`.
 */
export function checkIntegrity(db: Db): void {
  let rows: { quick_check: string }[];
  try {
    rows = db.pragma('quick_check') as { quick_check: string }[];
  } catch (cause) {
    if (isVaultDamage(cause)) throw new VaultDamagedError(`The vault failed its integrity check: ${messageOf(cause)}`, { cause });
    throw cause;
  }
  if (rows.length !== 1 || rows[0]?.quick_check !== 'ok') {
    throw new VaultDamagedError(`The vault failed its integrity check: ${rows.slice(0, 3).map((r) => r.quick_check).join('; ')}`);
  }
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new VaultError('vault_corrupt', `The vault was written by a newer app version (schema ${version}); update the app.`);
  }
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i] as string);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

/**
 * Recreate the indexes a bulk import deferred: at its end, and at the next open after a crash
 * in the middle of it, so no query runs without them outside an import. No-op when none are.
 */
export function restoreDeferredIndexes(db: Db): void {
  if ((db.pragma('user_version', { simple: true }) as number) === 0) return; // a new file: no meta table yet
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(`internal:${DEFERRED_INDEXES}`) as { value: string } | undefined;
  if (!row) return;
  db.transaction(() => {
    for (const sql of JSON.parse(row.value) as string[]) db.exec(sql);
    db.prepare('DELETE FROM meta WHERE key = ?').run(`internal:${DEFERRED_INDEXES}`);
  })();
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
