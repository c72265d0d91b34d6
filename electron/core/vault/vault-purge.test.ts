// The clustered layout (schema.ts, migration 3): a customer's rows and its children's take rids
// in their owner's cluster, so a scope shrink that drops an owner removes one contiguous run of
// rows per table; and after that purge no removed name is in the vault file or in its WAL
// (secure_delete zeroes the freed pages, the WAL is checkpointed and truncated).
// Real SQLCipher file, real keychain; the file and the WAL are read by an independent decryptor.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault'

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VAULT_KEY_ACCOUNT } from '../contracts';
import { Vault } from '.';
import { decryptSqlcipher4, decryptSqlcipher4Wal, grantFor, page, tempDir, testKeychain, upsert } from '../../../test/support/vault';

let dir: string;
let path: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

beforeEach(() => {
  dir = tempDir('vault-purge');
  path = join(dir, 'vault.db');
  keychain = testKeychain('vault-purge');
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function dbOf(v: Vault): Database.Database {
  return (v as unknown as { db: { raw: Database.Database } }).db.raw;
}

const CUSTOMERS = 1200;
const gone = (i: number) => `离开客户Gone${String(i).padStart(4, '0')}`;
const kept = (i: number) => `留下客户Kept${String(i).padStart(4, '0')}`;

/** Two owners' customers interleaved, as a server pages them (by change sequence), children after their customers. */
function interleavedPages() {
  const pages = [];
  for (let from = 0; from < CUSTOMERS; from += 300) {
    const upserts = [];
    for (let i = from; i < from + 300; i++) {
      const team = i % 2 === 0;
      const owner = team ? 'u-team' : 'u-rep';
      const id = `c${i}`;
      upserts.push(
        upsert('customer', { id, name: team ? gone(i) : kept(i), ownerId: owner, city: '杭州' }, [`o:${owner}`]),
        upsert('contact', { id: `k${i}`, customerId: id, name: team ? `GoneContact${i}` : `KeptContact${i}` }, [`o:${owner}`]),
        upsert('activity', { id: `a${i}`, customerId: id, kind: 'call', at: 1_700_000_000_000 + i, authorId: owner, text: team ? `GoneNote${i}` : `KeptNote${i}` }, [`o:${owner}`]),
      );
    }
    pages.push(page({ upserts, hasMore: from + 300 < CUSTOMERS }));
  }
  return pages;
}

describe('clustered purge', () => {
  it('lays each owner’s rows out contiguously, and a dropped owner leaves no name in the file or the WAL', async () => {
    vault = await Vault.create(path, keychain.secrets);
    for (const p of interleavedPages()) vault.applyPullPage(p, grantFor());
    // A later delta (not a bulk import) adds rows too: they join their owner's cluster.
    vault.applyPullPage(page({ upserts: [
      upsert('customer', { id: 'late-team', name: gone(9999), ownerId: 'u-team' }, ['o:u-team']),
      upsert('contact', { id: 'late-k', customerId: 'late-team', name: 'GoneContactLate' }, ['o:u-team']),
    ] }), grantFor());
    const db = dbOf(vault);

    // Layout: per table, the team's rids form one run that no rep row falls into.
    for (const table of ['customers', 'contacts', 'activities']) {
      const rows = db.prepare(
        `SELECT t.rid, c.owner_id AS owner FROM ${table} t JOIN customers c ON c.id = ${table === 'customers' ? 't.id' : 't.customer_id'} ORDER BY t.rid`,
      ).all() as { rid: number; owner: string }[];
      const owners = rows.map((r) => r.owner);
      const runs = owners.filter((o, i) => i === 0 || owners[i - 1] !== o).length;
      expect(runs, `${table}: owners form one run each`).toBe(2);
    }

    const result = vault.applyPullPage(page({ droppedBuckets: ['o:u-team'] }), grantFor());
    expect(result.removed).toBe((CUSTOMERS / 2 + 1) * 3 - 1);
    expect(vault.recordCounts()).toEqual({ customer: CUSTOMERS / 2, contact: CUSTOMERS / 2, opportunity: 0, activity: CUSTOMERS / 2 });
    expect(vault.searchCustomers({ query: 'gone', offset: 0, limit: 1 }).total).toBe(0);

    // Read while the vault is still open: the file as it is now and whatever the WAL holds.
    const key = (await keychain.secrets.get(VAULT_KEY_ACCOUNT)) as string;
    const file = readFileSync(path);
    const plain = decryptSqlcipher4(file, key);
    const walPath = `${path}-wal`;
    const wal = existsSync(walPath) ? decryptSqlcipher4Wal(readFileSync(walPath), file, key) : Buffer.alloc(0);
    for (const name of [gone(0), gone(598), gone(9999), 'GoneContact2', 'GoneContactLate', 'GoneNote4']) {
      expect(plain.includes(Buffer.from(name)), `${name} in the file`).toBe(false);
      expect(wal.includes(Buffer.from(name)), `${name} in the WAL`).toBe(false);
    }
    expect(plain.includes(Buffer.from(kept(1)))).toBe(true); // the decryptor does see what stays
    expect(vault.searchCustomers({ query: 'kept', offset: 0, limit: 1 }).total).toBe(CUSTOMERS / 2);
  });

  it('the WAL reader sees names before the checkpoint (so the check above can fail)', async () => {
    vault = await Vault.create(path, keychain.secrets);
    dbOf(vault).pragma('wal_autocheckpoint = 0');
    vault.applyPullPage(page({ upserts: [upsert('customer', { id: 'x1', name: gone(1), ownerId: 'u-team' }, ['o:u-team'])] }), grantFor());
    const key = (await keychain.secrets.get(VAULT_KEY_ACCOUNT)) as string;
    const wal = decryptSqlcipher4Wal(readFileSync(`${path}-wal`), readFileSync(path), key);
    expect(wal.includes(Buffer.from(gone(1)))).toBe(true);
  });
});
