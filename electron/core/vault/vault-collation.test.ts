// Lists in pinyin order (collation.ts, schema.ts migration 10): the customer list, a customer's
// contacts and the opportunity list's title and customer sorts interleave Chinese and Latin names
// by letter; keyset paging walks that order without losing or repeating a row; every write path
// stores the key (pull, first sync on the import worker, local create and edit, discard, field
// purge), and a vault from before the migration gets its keys at the next open.
// Real SQLCipher file, real keychain, real worker thread.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault/vault-collation.test.ts'

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault } from '.';
import { nameSortKey } from './collation';
import { MIGRATIONS } from './schema';
import { grantFor, mutation, page, tempDir, testKeychain, UNDO_MIGRATION_11, upsert } from '../../../test/support/vault';

let dir: string;
let path: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

beforeEach(() => {
  dir = tempDir('vault-collation');
  path = join(dir, 'vault.db');
  keychain = testKeychain('vault-collation');
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function rawOf(v: Vault): Database.Database {
  return (v as unknown as { db: { raw: Database.Database } }).db.raw;
}

/** Seven mixed names, given in an order that is neither pinyin nor binary order. */
const MIXED: [id: string, name: string][] = [
  ['c1', 'Zeta Ltd'],
  ['c2', '华为技术'],
  ['c3', 'Apex'],
  ['c4', '阿里巴巴'],
  ['c5', 'Huawei'],
  ['c6', '重庆钢铁'],
  ['c7', '3M中国'],
];
/** The same customers in pinyin order: 3m, a li ba ba, apex, chong qing, hua wei, huawei, zeta. */
const PINYIN_ORDER = ['3M中国', '阿里巴巴', 'Apex', '重庆钢铁', '华为技术', 'Huawei', 'Zeta Ltd'];

const customerUpserts = (rows: [string, string][]) =>
  rows.map(([id, name]) => upsert('customer', { id, name, ownerId: 'u-rep', city: '上海' }, ['o:u-rep']));

const names = (v: Vault, input: Partial<Parameters<Vault['searchCustomers']>[0]> = {}) =>
  v.searchCustomers({ query: '', offset: 0, limit: 100, ...input }).rows.map((r) => r.name);

/** Walk the whole list `size` rows at a time by keyset, as the renderer does. */
function walk(v: Vault, size: number): { names: string[]; pages: number } {
  const walked: string[] = [];
  let pages = 0;
  let rows = v.searchCustomers({ query: '', offset: 0, limit: size }).rows;
  while (rows.length) {
    pages += 1;
    walked.push(...rows.map((r) => r.name));
    const last = rows[rows.length - 1]!;
    rows = v.searchCustomers({ query: '', offset: 0, limit: size, after: { name: last.name, id: last.id } }).rows;
  }
  return { names: walked, pages };
}

/** Every stored key equals the key function of the stored name or title. */
function expectKeysInStep(v: Vault): void {
  for (const [table, field] of [['customers', 'name'], ['contacts', 'name'], ['opportunities', 'title']] as const) {
    const rows = rawOf(v).prepare(`SELECT id, record, sort_key FROM ${table}`).all() as { id: string; record: string; sort_key: string }[];
    for (const row of rows) {
      const record = JSON.parse(row.record) as Record<string, unknown>;
      expect(row.sort_key, `${table} ${row.id}`).toBe(nameSortKey(record[field]));
    }
  }
  const users = rawOf(v).prepare('SELECT id, display_name, sort_key FROM users').all() as { id: string; display_name: string; sort_key: string }[];
  expect(users.length).toBeGreaterThan(0);
  for (const user of users) expect(user.sort_key, `user ${user.id}`).toBe(nameSortKey(user.display_name));
}

describe('the customer list in pinyin order', () => {
  it('interleaves Chinese and Latin names by letter and pages by keyset across it, 2 rows at a time, losing and repeating none', async () => {
    vault = await Vault.create(path, keychain.secrets);
    vault.applyPullPage(page({ upserts: customerUpserts(MIXED) }), grantFor());
    expect(names(vault)).toEqual(PINYIN_ORDER);
    const walked = walk(vault, 2);
    expect(walked.names).toEqual(PINYIN_ORDER);
    expect(walked.pages).toBe(4);
    // Under a search and a filter the order is the same.
    expect(names(vault, { query: '华为' })).toEqual(['华为技术']);
    expect(names(vault, { city: '上海' })).toEqual(PINYIN_ORDER);
    // The list is read in the order of the (sort_key, id) index, not sorted afterwards.
    const plan = (rawOf(vault).prepare(`EXPLAIN QUERY PLAN SELECT c.id FROM customers c WHERE (c.sort_key, c.id) > (?, ?) ORDER BY c.sort_key, c.id LIMIT 2`).all('', '') as { detail: string }[]).map((p) => p.detail);
    expect(plan.join(' | ')).toContain('customers_sort');
    expect(plan.join(' | ')).not.toContain('TEMP B-TREE');
  });

  it('puts customers spelled alike together (ordered by the name) and pages across them; a customer without a name comes first', async () => {
    vault = await Vault.create(path, keychain.secrets);
    vault.applyPullPage(page({
      upserts: [
        ...customerUpserts([['w1', '王伟'], ['w2', '汪伟'], ['w3', '王伟'], ['w4', 'Wang Wei'], ['w5', '王伟明'], ['a1', 'Apex']]),
        upsert('customer', { id: 'n1', name: '', ownerId: 'u-rep' }, ['o:u-rep']),
        upsert('customer', { id: 'n2', ownerId: 'u-rep' }, ['o:u-rep']),
      ],
    }), grantFor());
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    const all = vault.searchCustomers({ query: '', offset: 0, limit: 100 });
    expect(ids(all.rows)).toEqual(['n1', 'n2', 'a1', 'w4', 'w2', 'w1', 'w3', 'w5']);
    for (const size of [1, 2, 3]) {
      const walkedIds: string[] = [];
      let rows = vault.searchCustomers({ query: '', offset: 0, limit: size }).rows;
      while (rows.length) {
        walkedIds.push(...ids(rows));
        const last = rows[rows.length - 1]!;
        rows = vault.searchCustomers({ query: '', offset: 0, limit: size, after: { name: last.name, id: last.id } }).rows;
      }
      expect(walkedIds, `page size ${size}`).toEqual(ids(all.rows));
    }
  });

  it('moves a customer when its name changes: by a pull, by a local edit, back when the edit is discarded, and places a new one', async () => {
    vault = await Vault.create(path, keychain.secrets);
    vault.applyPullPage(page({ upserts: customerUpserts(MIXED) }), grantFor());

    // The server renames Zeta Ltd to 北京银行 (bei jing): it moves among the B's.
    vault.applyPullPage(page({ upserts: customerUpserts([['c1', '北京银行']]) }), grantFor());
    expect(names(vault)).toEqual(['3M中国', '阿里巴巴', 'Apex', '北京银行', '重庆钢铁', '华为技术', 'Huawei']);

    // A local edit renames Apex to 中国银行 (zhong guo): last.
    const edit = mutation({ entity: 'customer', op: 'update', recordId: 'c3', fields: { name: '中国银行' }, baseValues: { name: 'Apex' } });
    vault.applyLocalMutation(edit, grantFor());
    expect(names(vault)).toEqual(['3M中国', '阿里巴巴', '北京银行', '重庆钢铁', '华为技术', 'Huawei', '中国银行']);

    // Discarding the edit brings the name, and its place, back.
    vault.discardMutation(edit.mutationId);
    expect(names(vault)).toEqual(['3M中国', '阿里巴巴', 'Apex', '北京银行', '重庆钢铁', '华为技术', 'Huawei']);

    // A customer created on this device takes its place at once.
    vault.applyLocalMutation(mutation({ entity: 'customer', op: 'create', recordId: 'c-new', fields: { name: '成都电子', type: 'company' } }), grantFor());
    expect(names(vault)).toEqual(['3M中国', '阿里巴巴', 'Apex', '北京银行', '成都电子', '重庆钢铁', '华为技术', 'Huawei']);
    expectKeysInStep(vault);
  });
});

describe("a customer's contacts and the opportunity list in pinyin order", () => {
  async function seeded(): Promise<Vault> {
    const v = await Vault.create(path, keychain.secrets);
    v.applyPullPage(page({
      upserts: [
        ...customerUpserts(MIXED),
        ...([['k1', '赵六'], ['k2', 'Alice'], ['k3', '张三'], ['k4', '李四'], ['k5', 'Bob'], ['k6', '曹操'], ['k7', 'Zed']] as const).map(([id, name]) =>
          upsert('contact', { id, customerId: 'c2', name }, ['o:u-rep'])),
        ...MIXED.map(([customerId], i) =>
          upsert('opportunity', { id: `o${i}`, customerId, title: ['续约', 'ERP 升级', '安防项目', '云服务', 'Backup', '智慧园区', '采购'][i], stage: 'proposal', amount: 100, ownerId: 'u-rep' }, ['o:u-rep'])),
        upsert('opportunity', { id: 'o-untitled', customerId: 'c3', stage: 'proposal', amount: 100, ownerId: 'u-rep' }, ['o:u-rep']),
      ],
    }), grantFor());
    return v;
  }

  it('lists contacts by keyset in pinyin order, and a renamed or purged name moves', async () => {
    vault = await seeded();
    const contactNames = (v: Vault, size: number) => {
      const out: string[] = [];
      let p = v.listChildren('contact', 'c2', undefined, size);
      out.push(...p.rows.map((r) => String(r.name)));
      while (p.next) {
        p = v.listChildren('contact', 'c2', p.next, size);
        out.push(...p.rows.map((r) => String(r.name)));
      }
      return out;
    };
    const order = ['Alice', 'Bob', '曹操', '李四', 'Zed', '张三', '赵六'];
    expect(vault.getCustomer('c2')!.contacts.map((c) => c.name)).toEqual(order);
    expect(contactNames(vault, 2)).toEqual(order);
    expect(contactNames(vault, 3)).toEqual(order);

    vault.applyLocalMutation(mutation({ entity: 'contact', op: 'update', recordId: 'k7', fields: { name: '安然' }, baseValues: { name: 'Zed' } }), grantFor());
    expect(contactNames(vault, 2)).toEqual(['Alice', '安然', 'Bob', '曹操', '李四', '张三', '赵六']);

    // The contact's name rises above the user's clearance: purged, the rows sort as unnamed (first), in rid order.
    vault.applyPullPage(page({ fieldPurges: [{ entity: 'contact', fields: ['name'] }] }), grantFor());
    expect(vault.listChildren('contact', 'c2', undefined, 10).rows.map((r) => r.id)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
    expectKeysInStep(vault);
  });

  it('sorts opportunities by title and by customer name in pinyin order, absent titles last both ways', async () => {
    vault = await seeded();
    const titles = (sort: 'title' | 'customer', order: 'asc' | 'desc') =>
      vault!.listOpportunities({ sort, order, limit: 50 }).rows.map((r) => (sort === 'title' ? r.title : r.customerName));
    expect(titles('title', 'asc')).toEqual(['安防项目', 'Backup', '采购', 'ERP 升级', '续约', '云服务', '智慧园区', null]);
    expect(titles('title', 'desc')).toEqual(['智慧园区', '云服务', '续约', 'ERP 升级', '采购', 'Backup', '安防项目', null]);
    expect(titles('customer', 'asc')).toEqual(['3M中国', '阿里巴巴', 'Apex', 'Apex', '重庆钢铁', '华为技术', 'Huawei', 'Zeta Ltd']);
    // Paged by offset, the same order.
    const paged = [0, 3, 6].flatMap((offset) => vault!.listOpportunities({ sort: 'title', order: 'asc', limit: 3, offset }).rows.map((r) => r.id));
    expect(paged).toEqual(vault.listOpportunities({ sort: 'title', order: 'asc', limit: 50 }).rows.map((r) => r.id));
    expectKeysInStep(vault);
  });
});

describe('sort keys on every way in', () => {
  it('are written by the first sync on the import worker', async () => {
    vault = await Vault.create(path, keychain.secrets);
    const importer = vault.openImporter();
    const many = Array.from({ length: 300 }, (_, i) => [`m${i}`, `${['华为', 'Apex', '重庆', '阿里', 'Zeta'][i % 5]}${i}`] as [string, string]);
    const contacts = many.slice(0, 50).map(([id], i) => upsert('contact', { id: `k-${id}`, customerId: id, name: ['张三', 'Bob', '曹操'][i % 3] }, ['o:u-rep']));
    const opportunities = many.slice(0, 50).map(([id], i) => upsert('opportunity', { id: `o-${id}`, customerId: id, title: ['续约', 'ERP', '安防'][i % 3], stage: 'proposal', ownerId: 'u-rep' }, ['o:u-rep']));
    await importer.apply(page({ upserts: [...customerUpserts(many.slice(0, 200)), ...contacts], hasMore: true, cursor: 'p1' }), grantFor());
    await importer.apply(page({ upserts: [...customerUpserts([...many.slice(200), ...MIXED]), ...opportunities], hasMore: false, cursor: 'p2' }), grantFor());
    await importer.close();
    expect(vault.getMeta('cursor')).toBe('p2');
    expect(vault.recordCounts()).toMatchObject({ customer: 307, contact: 50, opportunity: 50 });
    expectKeysInStep(vault);
    expect(rawOf(vault).prepare(`SELECT count(*) AS n FROM customers WHERE sort_key = ''`).get()).toEqual({ n: 0 });
    const first = names(vault).slice(0, 4);
    // 阿里 is every fifth name from 3 on (3, 8, …, 298); digits compare as text: a li 103, a li 108, a li 113, …, a li 13.
    expect(first).toEqual(['3M中国', '阿里103', '阿里108', '阿里113']);
    expect(walk(vault, 50).names).toEqual(names(vault, { limit: 500 }));
  });

  it('are filled at the first open after the migration, for a vault written before it', async () => {
    vault = await Vault.create(path, keychain.secrets);
    vault.rememberUserNames([{ id: 'u-z', displayName: '赵经理' }, { id: 'u-b', displayName: 'Bella' }]);
    vault.applyPullPage(page({
      upserts: [
        ...customerUpserts(MIXED),
        upsert('contact', { id: 'k1', customerId: 'c2', name: '张三' }, ['o:u-rep']),
        upsert('contact', { id: 'k2', customerId: 'c2', name: 'Alice' }, ['o:u-rep']),
        upsert('opportunity', { id: 'o1', customerId: 'c2', title: '云服务', stage: 'proposal', ownerId: 'u-rep' }, ['o:u-rep']),
      ],
    }), grantFor());
    // Back to the schema before migration 10: no key columns, the old indexes (and without 11, which runs again).
    rawOf(vault).exec(`${UNDO_MIGRATION_11} DROP INDEX customers_sort; DROP INDEX customers_last_activity; DROP INDEX contacts_customer;
      ALTER TABLE customers DROP COLUMN sort_key; ALTER TABLE contacts DROP COLUMN sort_key; ALTER TABLE opportunities DROP COLUMN sort_key; ALTER TABLE users DROP COLUMN sort_key;
      CREATE INDEX customers_name ON customers(name, id); CREATE INDEX customers_last_activity ON customers(last_activity_at, name, id);
      CREATE INDEX contacts_customer ON contacts(customer_id); PRAGMA user_version = 9;`);
    vault.close();

    vault = await Vault.open(path, keychain.secrets);
    expect(rawOf(vault).pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(rawOf(vault).prepare(`SELECT value FROM meta WHERE key = 'internal:sort-keys-fill'`).get()).toBeUndefined();
    expectKeysInStep(vault);
    expect(names(vault)).toEqual(PINYIN_ORDER);
    expect(walk(vault, 2).names).toEqual(PINYIN_ORDER);
    expect(vault.getCustomer('c2')!.contacts.map((c) => c.name)).toEqual(['Alice', '张三']);
    // The owner directory too: Bella, 王小明 (wang, the signed-in user), 赵经理 (zhao).
    expect(vault.facets().owners.map((o) => o.name)).toEqual(['Bella', '王小明', '赵经理']);
    const indexes = (rawOf(vault).prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`).all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toContain('customers_sort');
    expect(indexes).not.toContain('customers_name');
  });
});
