// The physical limits the import stage is compared with, from the SAME rows the first sync
// stored (read back from the vault):
//   raw insert   – the rows into a bare 4-table schema (id, customer_id, record JSON, writable),
//                  one transaction, prepared statements: SQLCipher (the vault's cipher settings)
//                  and plain SQLite;
//   vault replay – the rows as pull pages through the real Vault.applyPullPage into a fresh
//                  encrypted vault and into the same Vault code on plain SQLite (the cipher
//                  pragmas suppressed for that one open), so the encryption overhead of the
//                  import stage is measured on identical work.

import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
import type { EntityType } from '../../shared/domain/model';
import type { GrantClaims } from '../../shared/protocol/grant';
import type { PullResponse } from '../../shared/protocol/sync';
import { VAULT_KEY_ACCOUNT } from '../../electron/core/contracts';
import { MemorySecretStore } from '../../electron/core/keychain';
import { Vault } from '../../electron/core/vault';

/** One stored record: entity, id, customer id, projected record JSON, writable, buckets JSON. */
type Row = [EntityType, string, string, string, number, string];

const TABLES: Record<EntityType, string> = { customer: 'customers', contact: 'contacts', opportunity: 'opportunities', activity: 'activities' };
const PAGE_SIZE = 2000;

function applyCipher(db: Db, keyHex: string): void {
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
  db.pragma(`key="x'${keyHex}'"`);
}

/** The vault's durability and cache settings (vault.ts), so only the cipher differs. */
function applyVaultSettings(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('secure_delete = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -65536');
}

/** Every record of the vault in page order: a customer followed by its children. */
export function readVaultRows(vaultPath: string, keyHex: string): Row[] {
  const db = new Database(vaultPath, { readonly: true, fileMustExist: true });
  try {
    applyCipher(db, keyHex);
    const buckets = new Map<string, string[]>();
    for (const r of db.prepare(`SELECT id, bucket FROM record_buckets WHERE entity = 'customer'`).iterate() as Iterable<{ id: string; bucket: string }>) {
      const list = buckets.get(r.id);
      if (list) list.push(r.bucket);
      else buckets.set(r.id, [r.bucket]);
    }
    const children = new Map<string, Row[]>();
    for (const entity of ['contact', 'opportunity', 'activity'] as const) {
      for (const r of db.prepare(`SELECT id, customer_id, record, writable FROM ${TABLES[entity]} ORDER BY customer_id, id`).iterate() as Iterable<{ id: string; customer_id: string; record: string; writable: number }>) {
        const list = children.get(r.customer_id) ?? [];
        list.push([entity, r.id, r.customer_id, r.record, r.writable, '']);
        children.set(r.customer_id, list);
      }
    }
    const rows: Row[] = [];
    for (const c of db.prepare('SELECT id, record, writable FROM customers ORDER BY id').iterate() as Iterable<{ id: string; record: string; writable: number }>) {
      const b = JSON.stringify(buckets.get(c.id) ?? []);
      rows.push(['customer', c.id, c.id, c.record, c.writable, b]);
      for (const child of children.get(c.id) ?? []) {
        child[5] = b; // the server sends a child with its customer's buckets
        rows.push(child);
      }
    }
    return rows;
  } finally {
    db.close();
  }
}

function rawInsert(path: string, rows: readonly Row[], keyHex: string | null): number {
  const db = new Database(path);
  try {
    if (keyHex) applyCipher(db, keyHex);
    applyVaultSettings(db);
    for (const table of Object.values(TABLES)) {
      db.exec(`CREATE TABLE ${table} (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, record TEXT NOT NULL, writable INTEGER NOT NULL)`);
    }
    const insert = Object.fromEntries(
      Object.entries(TABLES).map(([entity, table]) => [entity, db.prepare(`INSERT INTO ${table} (id, customer_id, record, writable) VALUES (?, ?, ?, ?)`)]),
    ) as Record<EntityType, Database.Statement>;
    const started = performance.now();
    db.transaction(() => {
      for (const [entity, id, customerId, record, writable] of rows) insert[entity].run(id, customerId, record, writable);
    })();
    return performance.now() - started;
  } finally {
    db.close();
  }
}

function* pages(rows: readonly Row[]): Generator<PullResponse> {
  for (let i = 0; i < rows.length; i += PAGE_SIZE) {
    const slice = rows.slice(i, i + PAGE_SIZE);
    yield {
      droppedBuckets: [], fieldPurges: [], removals: [], cursor: `replay-${i}`, hasMore: i + PAGE_SIZE < rows.length, serverTime: Date.now(),
      upserts: slice.map(([entity, , customerId, record, writable, buckets]) => ({
        entity, record: JSON.parse(record) as PullResponse['upserts'][number]['record'], buckets: JSON.parse(buckets) as string[],
        writable: writable === 1, ...(entity === 'customer' ? {} : { customerId }),
      })),
    };
  }
}

const CIPHER_PRAGMA = /^\s*(cipher|legacy|key)\s*=/i;

/** Opens a Vault with the cipher pragmas suppressed: the same Vault code over plain SQLite. */
async function createPlainVault(path: string): Promise<Vault> {
  const proto = Database.prototype as unknown as { pragma: (source: string, options?: unknown) => unknown };
  const original = proto.pragma;
  proto.pragma = function (this: Db, source: string, options?: unknown) {
    return CIPHER_PRAGMA.test(source) ? undefined : original.call(this, source, options);
  };
  try {
    return await Vault.create(path, new MemorySecretStore());
  } finally {
    proto.pragma = original;
  }
}

function replay(vault: Vault, rows: readonly Row[], grant: GrantClaims): number {
  let ms = 0;
  for (const page of pages(rows)) {
    // Only the import is timed: building the page (JSON.parse) stands in for the network.
    const started = performance.now();
    vault.applyPullPage(page, grant);
    ms += performance.now() - started;
  }
  return ms;
}

function isPlainSqlite(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(16);
    readSync(fd, header, 0, 16, 0);
    return header.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

export interface BaselineTimes {
  rows: number;
  trials: number;
  rawSqlcipherMs: number;
  rawPlainMs: number;
  replayEncryptedMs: number;
  replayPlainMs: number;
}

/**
 * `trials` runs of each measurement, interleaved (encrypted, plain, encrypted, …) so a burst of
 * load from other processes hits both sides alike; the best time of each side is kept (the
 * least disturbed run is the closest to the machine's real cost).
 */
export async function runBaselines(opts: { vaultPath: string; vaultKeyHex: string; workDir: string; grant: GrantClaims; trials: number }): Promise<BaselineTimes> {
  mkdirSync(opts.workDir, { recursive: true });
  const rows = readVaultRows(opts.vaultPath, opts.vaultKeyHex);
  const best = { rawSqlcipherMs: Infinity, rawPlainMs: Infinity, replayEncryptedMs: Infinity, replayPlainMs: Infinity };
  for (let trial = 0; trial < opts.trials; trial++) {
    const dir = join(opts.workDir, `trial-${trial}`);
    mkdirSync(dir, { recursive: true });
    const rawEncPath = join(dir, 'raw-sqlcipher.db');
    const rawPlainPath = join(dir, 'raw-plain.db');
    best.rawSqlcipherMs = Math.min(best.rawSqlcipherMs, rawInsert(rawEncPath, rows, randomBytes(32).toString('hex')));
    best.rawPlainMs = Math.min(best.rawPlainMs, rawInsert(rawPlainPath, rows, null));

    const encPath = join(dir, 'replay-encrypted.db');
    const encSecrets = new MemorySecretStore();
    const encVault = await Vault.create(encPath, encSecrets);
    best.replayEncryptedMs = Math.min(best.replayEncryptedMs, replay(encVault, rows, opts.grant));
    encVault.close();
    const plainPath = join(dir, 'replay-plain.db');
    const plainVault = await createPlainVault(plainPath);
    best.replayPlainMs = Math.min(best.replayPlainMs, replay(plainVault, rows, opts.grant));
    plainVault.close();

    // The comparison is only honest if the files really differ in the one way intended.
    if (isPlainSqlite(rawEncPath) || isPlainSqlite(encPath)) throw new Error('baseline: an encrypted database is plain SQLite');
    if (!isPlainSqlite(rawPlainPath) || !isPlainSqlite(plainPath)) throw new Error('baseline: a plain database is not plain SQLite');
    if (!(await encSecrets.get(VAULT_KEY_ACCOUNT))) throw new Error('baseline: the encrypted replay vault has no key');
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows: rows.length, trials: opts.trials, ...best };
}
