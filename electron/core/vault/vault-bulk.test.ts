// The vault's fast paths (the benchmark's first-sync and scope-shrink figures) keep its guarantees: the secondary indexes a first sync
// defers come back (also after a crash mid-import), and customers.last_activity_at, kept by
// triggers for the dashboard, is right on every write path. Real SQLCipher file, real keychain.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault'

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VAULT_KEY_ACCOUNT } from '../contracts';
import { Vault } from '.';
import { VAULT_CACHE_KIB } from './open';
import { MIGRATIONS } from './schema';
import { SEARCH_REBUILD_BATCH } from './search-index';
import { grantFor, page, tempDir, testKeychain, upsert } from '../../../test/support/vault';

let dir: string;
let path: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

beforeEach(() => {
  dir = tempDir('vault-bulk');
  path = join(dir, 'vault.db');
  keychain = testKeychain('vault-bulk');
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 4, 15, 12);

function dbOf(v: Vault): Database.Database {
  return (v as unknown as { db: { raw: Database.Database } }).db.raw;
}

function indexNames(v: Vault): string[] {
  return (dbOf(v).prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
}

/** The import's bookkeeping flags (the data version is a permanent counter, not one of them). */
function internalMeta(v: Vault): string[] {
  return (dbOf(v).prepare(`SELECT key FROM meta WHERE key LIKE 'internal:%' AND key <> 'internal:data-version' ORDER BY key`).all() as { key: string }[]).map((r) => r.key);
}

/** A customer with one contact, one opportunity and one activity, as the server pages them. */
function customerWithChildren(n: number, at: number) {
  const id = `c${n}`;
  return [
    upsert('customer', { id, name: `客户${n} Trading`, ownerId: 'u-rep', city: '上海', industry: '零售', tags: ['VIP'] }, ['o:u-rep']),
    upsert('contact', { id: `k${n}`, customerId: id, name: `联系人${n}` }, ['o:u-rep']),
    upsert('opportunity', { id: `o${n}`, customerId: id, title: `o${n}`, stage: 'proposal', amount: 100 * n, expectedCloseDate: '2024-06-01', ownerId: 'u-rep' }, ['o:u-rep']),
    upsert('activity', { id: `a${n}`, customerId: id, kind: 'visit', at, authorId: 'u-rep', text: '.' }, ['o:u-rep']),
  ];
}

/** customer id → last activity time, from the dashboard (with a `now` far enough ahead that every customer is listed). */
function lastActivities(v: Vault): Record<string, number | null> {
  const board = v.teamDashboard(Date.UTC(2100, 0, 1));
  return Object.fromEntries(board.notContacted30d.map((r) => [r.customerId, r.lastActivityAt]));
}

describe('Vault first sync (bulk import)', () => {
  it('defers the secondary indexes until the last page, restores them after a crash mid-import, and leaves the usual settings', async () => {
    vault = await Vault.create(path, keychain.secrets);
    const schemaIndexes = indexNames(vault);
    expect(schemaIndexes).toContain('customers_sort');
    expect(schemaIndexes).toContain('customers_last_activity');

    vault.applyPullPage(page({ upserts: [...customerWithChildren(1, NOW - DAY), ...customerWithChildren(2, NOW - 40 * DAY)], hasMore: true }), grantFor());
    // Mid-import: the lookup indexes are gone, the ones triggers seek by stay.
    expect(indexNames(vault)).not.toContain('customers_sort');
    expect(indexNames(vault)).not.toContain('opportunities_stage');
    // The dashboard's indexes (migration 12) too: built once at the end, not row by row.
    for (const name of ['customers_owner_activity', 'opportunities_owner', 'opportunities_close']) {
      expect(schemaIndexes).toContain(name);
      expect(indexNames(vault)).not.toContain(name);
    }
    expect(indexNames(vault)).toEqual(expect.arrayContaining(['activities_customer_at', 'contacts_customer', 'opportunities_customer']));
    // Partial indexes (open follow-ups) are kept up to date instead: they hold few rows.
    expect(indexNames(vault)).toEqual(expect.arrayContaining(['activities_open_due', 'activities_open_author_due', 'activities_open_reminder']));
    // The connection is back to its durable settings between pages.
    expect(dbOf(vault).pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(dbOf(vault).pragma('cache_size', { simple: true })).toBe(-VAULT_CACHE_KIB); // the bulk pages' smaller cache is undone

    // A crash (the process ends between pages): the next open brings every index back.
    vault.close();
    vault = await Vault.open(path, keychain.secrets);
    expect(indexNames(vault)).toEqual(schemaIndexes);
    expect(internalMeta(vault)).toEqual(['internal:search-stale']);

    // The import goes on (in bulk again) and ends: indexes, search and dashboard are complete.
    vault.applyPullPage(page({ upserts: customerWithChildren(3, NOW - 2 * DAY), hasMore: true }), grantFor());
    expect(indexNames(vault)).not.toContain('customers_sort');
    vault.applyPullPage(page({ upserts: customerWithChildren(4, NOW - 50 * DAY), hasMore: false }), grantFor());
    expect(indexNames(vault)).toEqual(schemaIndexes);
    expect(internalMeta(vault)).toEqual([]);
    expect(vault.searchCustomers({ query: 'trading', offset: 0, limit: 10 }).rows.map((r) => r.id)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(vault.searchCustomers({ query: '联系', offset: 0, limit: 10 }).total).toBe(4);
    expect(vault.teamDashboard(NOW).notContacted30d.map((r) => r.customerId)).toEqual(['c4', 'c2']);
    expect(vault.teamDashboard(NOW).pipelineByStage.find((s) => s.stage === 'proposal')).toEqual({ stage: 'proposal', count: 4, amount: 1000 });

    // A later page is a delta: indexes stay in place.
    vault.applyPullPage(page({ upserts: customerWithChildren(5, NOW), hasMore: false }), grantFor());
    expect(indexNames(vault)).toEqual(schemaIndexes);
  });

  it('indexes every customer of a first sync larger than one search-rebuild batch, with its contacts and pinyin', async () => {
    vault = await Vault.create(path, keychain.secrets);
    const count = 2 * SEARCH_REBUILD_BATCH + 7; // three batches, the last one short
    const customers = Array.from({ length: count }, (_, i) => i + 1);
    for (let start = 0; start < count; start += 1_000) {
      const chunk = customers.slice(start, start + 1_000);
      vault.applyPullPage(page({ upserts: chunk.flatMap((n) => customerWithChildren(n, NOW)), hasMore: start + 1_000 < count }), grantFor());
    }
    expect(internalMeta(vault)).toEqual([]);
    expect(vault.searchCustomers({ query: 'trading', offset: 0, limit: 1 }).total).toBe(count);
    expect(vault.searchCustomers({ query: '联系人', offset: 0, limit: 1 }).total).toBe(count);
    expect(vault.searchCustomers({ query: 'kehu', offset: 0, limit: 1 }).total).toBe(count); // 客户, in pinyin
    // One inside the first batch, those on each side of a batch boundary, and the last one
    // (numbers no other customer's number starts with, so each query finds exactly one).
    for (const n of [SEARCH_REBUILD_BATCH / 2, SEARCH_REBUILD_BATCH, SEARCH_REBUILD_BATCH + 1, 2 * SEARCH_REBUILD_BATCH + 1, count]) {
      expect(vault.searchCustomers({ query: `客户${n}`, offset: 0, limit: 10 }).rows.map((r) => r.id), `customer ${n}`).toEqual([`c${n}`]);
      expect(vault.searchCustomers({ query: `联系人${n}`, offset: 0, limit: 10 }).rows.map((r) => r.id), `contact of ${n}`).toEqual([`c${n}`]);
    }
  });

  it('rolls a failing first page back completely, indexes included', async () => {
    vault = await Vault.create(path, keychain.secrets);
    const schemaIndexes = indexNames(vault);
    const bad = upsert('contact', { id: 'k-bad', name: 'no customer id' }, ['o:u-rep']);
    delete (bad as { customerId?: string }).customerId;
    expect(() => vault!.applyPullPage(page({ upserts: [...customerWithChildren(1, NOW), bad], hasMore: true }), grantFor())).toThrow();
    expect(indexNames(vault)).toEqual(schemaIndexes);
    expect(internalMeta(vault)).toEqual([]);
    expect(vault.recordCounts().customer).toBe(0);
    expect(dbOf(vault).pragma('synchronous', { simple: true })).toBe(2);
  });
});

describe('Vault last activity per customer (dashboard "not contacted")', () => {
  it('follows inserts, late parents, changed and moved activities, removals, local edits and purges', async () => {
    vault = await Vault.create(path, keychain.secrets);
      const v = vault;
    const activity = (id: string, customerId: string, at: number) => upsert('activity', { id, customerId, kind: 'call', at, authorId: 'u-rep', text: '.' }, ['o:u-rep']);
    v.applyPullPage(page({ upserts: [...customerWithChildren(1, NOW - 10 * DAY), ...customerWithChildren(2, NOW - 20 * DAY)] }), grantFor());
    expect(lastActivities(v)).toEqual({ c1: NOW - 10 * DAY, c2: NOW - 20 * DAY });

    // A newer activity raises the value; an older one leaves it.
    v.applyPullPage(page({ upserts: [activity('a1b', 'c1', NOW - 5 * DAY), activity('a1c', 'c1', NOW - 30 * DAY)] }), grantFor());
    expect(lastActivities(v).c1).toBe(NOW - 5 * DAY);

    // An activity whose customer arrives on a later page.
    v.applyPullPage(page({ upserts: [activity('a9', 'c9', NOW - 3 * DAY)], hasMore: true }), grantFor());
    v.applyPullPage(page({ upserts: [upsert('customer', { id: 'c9', name: 'Late', ownerId: 'u-rep' }, ['o:u-rep'])] }), grantFor());
    expect(lastActivities(v).c9).toBe(NOW - 3 * DAY);

    // The latest activity moves back in time; then it moves to another customer.
    v.applyPullPage(page({ upserts: [activity('a1b', 'c1', NOW - 40 * DAY)] }), grantFor());
    expect(lastActivities(v).c1).toBe(NOW - 10 * DAY);
    v.applyPullPage(page({ upserts: [activity('a1', 'c2', NOW - 10 * DAY)] }), grantFor());
    expect(lastActivities(v)).toMatchObject({ c1: NOW - 30 * DAY, c2: NOW - 10 * DAY });

    // Removing the latest falls back to the one before; removing the last one leaves none.
    v.applyPullPage(page({ removals: [{ entity: 'activity', id: 'a1', reason: 'deleted' }] }), grantFor());
    expect(lastActivities(v).c2).toBe(NOW - 20 * DAY);
    v.applyPullPage(page({ removals: [{ entity: 'activity', id: 'a2', reason: 'deleted' }] }), grantFor());
    expect(lastActivities(v).c2).toBeNull();

    // An activity logged offline counts at once.
    v.applyLocalMutation({
      mutationId: randomUUID(), entity: 'activity', op: 'create', recordId: 'a-local', baseVersion: null, baseValues: {}, createdAt: NOW,
      fields: { customerId: 'c2', kind: 'visit', at: NOW - DAY, text: '拜访' },
    }, grantFor());
    expect(lastActivities(v).c2).toBe(NOW - DAY);

    // A purge by bucket removes customers with all their children (counted) and leaves the rest as they were.
    v.applyPullPage(page({ upserts: [{ ...customerWithChildren(7, NOW - 2 * DAY)[0]!, buckets: ['o:u-team'] }, { ...customerWithChildren(7, NOW - 2 * DAY)[3]!, buckets: ['o:u-team'] }] }), grantFor());
    const before = lastActivities(v);
    const result = v.applyPullPage(page({ droppedBuckets: ['o:u-team'] }), grantFor());
    expect(result.removed).toBe(2);
    const { c7, ...rest } = before;
    expect(c7).toBe(NOW - 2 * DAY);
    expect(lastActivities(v)).toEqual(rest);
  });

  it('is filled in by the migration for a vault written before the column existed', async () => {
    // A schema-1 vault, written directly, with its key in the keychain.
    const keyHex = randomUUID().replaceAll('-', '') + randomUUID().replaceAll('-', '');
    await keychain.secrets.set(VAULT_KEY_ACCOUNT, keyHex);
    const old = new Database(path);
    old.pragma(`cipher='sqlcipher'`);
    old.pragma('legacy=4');
    old.pragma(`key="x'${keyHex}'"`);
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    old.prepare('INSERT INTO customers(id, record) VALUES (?, ?)').run('c1', JSON.stringify({ id: 'c1', name: 'Old', ownerId: 'u-rep' }));
    old.prepare('INSERT INTO customers(id, record) VALUES (?, ?)').run('c2', JSON.stringify({ id: 'c2', name: 'Quiet', ownerId: 'u-rep' }));
    for (const [id, at] of [['a1', NOW - 9 * DAY], ['a2', NOW - 4 * DAY]] as const) {
      old.prepare('INSERT INTO activities(id, customer_id, record) VALUES (?, ?, ?)').run(id, 'c1', JSON.stringify({ id, customerId: 'c1', at }));
    }
    old.close();

    vault = await Vault.open(path, keychain.secrets);
    expect(dbOf(vault).pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(lastActivities(vault)).toEqual({ c2: null, c1: NOW - 4 * DAY });
  });
});
