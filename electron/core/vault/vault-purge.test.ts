// The clustered layout (schema.ts, migration 3): a customer's rows and its children's take rids
// in their owner's cluster, so a scope shrink that drops an owner removes one contiguous run of
// rows per table; and after that purge no removed name is in the vault file or in its WAL
// (secure_delete zeroes the freed pages, the WAL is checkpointed and truncated).
// A scope shrink above BULK_SEARCH_PURGE_ROWS takes the set-based path (per-row delete triggers
// suspended, aggregates subtracted grouped, search indexes rewritten with FTS5 merging paused):
// afterwards every aggregate equals a recomputation from the records, the triggers and the index
// settings are as before, and no removed name is in the file or the WAL.
// Real SQLCipher file, real keychain; the file and the WAL are read by an independent decryptor.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault'

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VAULT_KEY_ACCOUNT } from '../contracts';
import { Vault } from '.';
import type { VaultDb } from './db';
import { keptActivityWeeks, keptFacetCounts, scanActivityWeeks, scanFacetCounts } from './facet-counts';
import { BULK_SEARCH_PURGE_ROWS, SEARCH_TABLES } from './search-index';
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

  it('a bulk scope shrink leaves every aggregate equal to a recomputation, the triggers and index settings as they were, and no removed name in the file or the WAL', async () => {
    vault = await Vault.create(path, keychain.secrets);
    const v = vault;
    const db = dbOf(v);
    const vdb = (v as unknown as { db: VaultDb }).db;
    const NOW = Date.parse('2026-11-26T15:00:00Z');
    const DAY = 86_400_000;
    const TEAM = BULK_SEARCH_PURGE_ROWS + 150;
    const REP = 200;
    const cities = ['杭州', '上海', 'Shenzhen', ''];
    /** Customer i of an owner with a contact, an opportunity and three activities (logged, an open plan, a done plan; some without an author). */
    function customerRows(i: number, owner: string, buckets: string[]) {
      const id = `${owner}-c${i}`;
      const team = owner === 'u-team';
      const tags = i % 5 === 0 ? [] : i % 7 === 0 ? ['VIP', 'VIP', 42] : [`tag-${i % 9}`, team && i % 3 === 0 ? `只在团队${i % 4}` : 'export'];
      const at = (j: number) => NOW - ((i * 3 + j) % 60) * DAY;
      return [
        upsert('customer', {
          id, name: team ? gone(i) : kept(i), ownerId: owner, city: team && i % 13 === 0 ? `团队城市${i % 2}` : cities[i % cities.length],
          industry: team && i % 17 === 0 ? `团队行业${i}` : ['制造', 'Retail', '金融'][i % 3], tags,
        }, buckets),
        upsert('contact', { id: `${id}-k`, customerId: id, name: team ? `GoneContact${i}` : `KeptContact${i}`, phone: `${team ? '138' : '139'}0000${String(i).padStart(4, '0')}` }, buckets),
        upsert('opportunity', { id: `${id}-o`, customerId: id, title: team ? `GoneDeal${i}` : `KeptDeal${i}`, stage: 'proposal', amount: 1000 + i, ownerId: owner }, buckets),
        upsert('activity', { id: `${id}-a0`, customerId: id, kind: 'call', at: at(0), text: team ? `GoneNote${i}` : `KeptNote${i}`, ...(i % 4 ? { authorId: owner } : {}) }, buckets),
        upsert('activity', { id: `${id}-a1`, customerId: id, kind: 'visit', at: at(1), dueAt: at(1), authorId: owner }, buckets),
        upsert('activity', { id: `${id}-a2`, customerId: id, kind: 'visit', at: at(2), dueAt: at(2), doneAt: at(2), authorId: 'u-other' }, buckets),
      ];
    }
    // The first sync (bulk import), then a delta adding to both owners (the per-row triggers keep the counts).
    const first = [
      ...Array.from({ length: TEAM }, (_, i) => customerRows(i, 'u-team', ['o:u-team', ...(i === 1 ? ['s:share-1'] : [])])).flat(),
      ...Array.from({ length: REP }, (_, i) => customerRows(i, 'u-rep', ['o:u-rep'])).flat(),
    ];
    for (let i = 0; i < first.length; i += 2000) v.applyPullPage(page({ upserts: first.slice(i, i + 2000), hasMore: i + 2000 < first.length }), grantFor());
    v.applyPullPage(page({ upserts: [...customerRows(TEAM, 'u-team', ['o:u-team']), ...customerRows(REP, 'u-rep', ['o:u-rep'])] }), grantFor());
    v.recordView('u-team-c2', NOW);
    v.recordView('u-team-c1', NOW - 1);
    v.recordView('u-rep-c2', NOW - 2);

    const schemaOf = () => db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') ORDER BY name`).all();
    const mergeSettings = () => SEARCH_TABLES.map((t) => db.prepare(`SELECT k, v FROM ${t}_config WHERE k IN ('automerge', 'deletemerge') ORDER BY k`).all() as { k: string; v: number }[]);
    const schemaBefore = schemaOf();
    const leavingRids = (db.prepare(`SELECT rid FROM customers WHERE owner_id = 'u-team' AND id <> 'u-team-c1'`).all() as { rid: number }[]).map((r) => r.rid);
    expect(leavingRids.length).toBe(TEAM);

    const result = v.applyPullPage(page({ droppedBuckets: ['o:u-team'] }), grantFor());
    // All team customers but u-team-c1 (still shared with me) go, each with its six records.
    expect(result.removed).toBe(TEAM * 6);
    expect(v.recordCounts()).toEqual({ customer: REP + 2, contact: REP + 2, opportunity: REP + 2, activity: (REP + 2) * 3 });

    // Every kept aggregate equals a recomputation from what is left.
    expect(keptFacetCounts(vdb)).toEqual(scanFacetCounts(vdb));
    expect(keptFacetCounts(vdb).some((c) => c.value.startsWith('团队城市') || c.value.startsWith('只在团队'))).toBe(false);
    expect(keptActivityWeeks(vdb)).toEqual(scanActivityWeeks(vdb));
    const lastActivityOff = db.prepare(
      `SELECT count(*) AS n FROM customers c WHERE c.last_activity_at IS NOT
         (SELECT max(a.at) FROM activities a WHERE a.customer_id = c.id AND (a.due_at IS NULL OR a.done_at IS NOT NULL))`,
    ).get() as { n: number };
    expect(lastActivityOff.n).toBe(0);
    expect(v.recentCustomers(10).map((c) => c.id)).toEqual(['u-team-c1', 'u-rep-c2']);
    // The search indexes hold a row for each customer left and no entry of a removed one.
    for (const table of SEARCH_TABLES) {
      db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.${table}_terms USING fts5vocab(main, ${table}, instance)`);
      const entries = db.prepare(`SELECT count(*) AS n FROM temp.${table}_terms WHERE doc IN (SELECT value FROM json_each(?))`).get(JSON.stringify(leavingRids)) as { n: number };
      expect(entries.n, `${table}: entries of removed customers`).toBe(0);
    }
    expect(v.searchCustomers({ query: 'gone', offset: 0, limit: 1 }).total).toBe(1);
    expect(v.searchCustomers({ query: 'kept', offset: 0, limit: 1 }).total).toBe(REP + 1);
    // The suspended triggers are back, unchanged, and so are the indexes' merge settings.
    expect(schemaOf()).toEqual(schemaBefore);
    for (const settings of mergeSettings()) for (const { v: value } of settings) expect(value).toBeGreaterThan(0);

    // Read while the vault is still open: the file as it is now and whatever the WAL holds.
    const key = (await keychain.secrets.get(VAULT_KEY_ACCOUNT)) as string;
    const file = readFileSync(path);
    const plain = decryptSqlcipher4(file, key);
    const walPath = `${path}-wal`;
    const wal = existsSync(walPath) ? decryptSqlcipher4Wal(readFileSync(walPath), file, key) : Buffer.alloc(0);
    for (const name of [gone(0), gone(TEAM - 1), gone(TEAM), 'GoneContact2', 'GoneDeal3', 'GoneNote4', '团队城市0', '只在团队3', '13800000008']) {
      expect(plain.includes(Buffer.from(name)), `${name} in the file`).toBe(false);
      expect(wal.includes(Buffer.from(name)), `${name} in the WAL`).toBe(false);
    }
    expect(plain.includes(Buffer.from(kept(1)))).toBe(true); // the decryptor does see what stays
    expect(plain.includes(Buffer.from(gone(1)))).toBe(true); // and the shared customer that stays
  });
});
