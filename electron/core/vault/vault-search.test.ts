// Search by pinyin and initials, and by contacts' phone, e-mail and WeChat fragments only where
// the user may read them; the index of a vault written before these keys is rebuilt at open.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VAULT_KEY_ACCOUNT } from '../contracts';
import { Vault } from '.';
import { pinyinIndex, pinyinKeys } from './pinyin';
import { nameSortKey } from './collation';
import { DENSE_MATCHES } from './queries';
import { grantFor, page, tempDir, testKeychain, upsert } from '../../../test/support/vault';

let dir: string;
let path: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

beforeEach(() => {
  dir = tempDir('vault-search');
  path = join(dir, 'vault.db');
  keychain = testKeychain('vault-search');
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function seed() {
  return page({
    upserts: [
      upsert('customer', { id: 'sh1', name: '上海电气集团', ownerId: 'u-rep', city: '上海', industry: '制造', tags: [] }, ['o:u-rep']),
      upsert('customer', { id: 'sh2', name: '汇丰银行', ownerId: 'u-rep', city: '上海', industry: '金融', tags: [] }, ['o:u-rep']),
      upsert('customer', { id: 'hw', name: '深圳华为技术有限公司', ownerId: 'u-rep', city: '深圳', industry: '通信', tags: [] }, ['o:u-rep']),
      upsert('customer', { id: 'cq', name: '重庆长安汽车', ownerId: 'u-rep', city: '重庆', industry: '汽车', tags: [] }, ['o:u-rep']),
      upsert('customer', { id: 'nw', name: 'Northwind Traders', ownerId: 'u-rep', city: 'Beijing', industry: 'Retail', tags: [] }, ['o:u-rep']),
      upsert('contact', { id: 'k1', customerId: 'nw', name: '吕文', title: 'CTO', phone: '+86 139-0755-1234', email: 'lv.wen@northwind.example', wechat: 'lvwen_nw' }, ['o:u-rep']),
      upsert('contact', { id: 'k2', customerId: 'cq', name: '周杰', title: '采购', phone: '021 6234 5678', email: null, wechat: null }, ['o:u-rep']),
    ],
  });
}

const ids = (query: string) => vault!.searchCustomers({ query, offset: 0, limit: 100 }).rows.map((r) => r.id).sort();

describe('pinyin keys', () => {
  it('spells Han runs toneless, together, with initials, and polyphones from their word', () => {
    expect(pinyinKeys('上海电气')).toEqual({ full: ['shanghaidianqi'], initials: ['shdq'] });
    expect(pinyinKeys('华为 ABC 技术')).toEqual({ full: ['huawei', 'jishu'], initials: ['hw', 'js'] });
    expect(pinyinKeys('汇丰银行').full).toEqual(['huifengyinhang']);
    expect(pinyinKeys('重庆').full).toEqual(['chongqing']);
    expect(pinyinKeys('吕文').full).toEqual(['lvwen']);
    expect(pinyinKeys('Northwind')).toEqual({ full: [], initials: [] });
    expect(pinyinIndex(['Northwind', null])).toEqual({ head: null, tail: null, initials: null });
    // Tokens start at every syllable (prefix queries), never inside one.
    expect(pinyinIndex(['上海电气', '上海'])).toEqual({ head: 'shanghaidianqi shanghai', tail: 'haidianqi dianqi qi hai', initials: 'shdq hdq dq q sh h' });
    expect(pinyinIndex(['上'.repeat(30)]).head).toHaveLength(40); // a long run's tokens are capped
  });
});

describe('Vault search by pinyin and initials', () => {
  beforeEach(async () => {
    vault = await Vault.create(path, keychain.secrets);
    vault.applyPullPage(seed(), grantFor());
  });

  it('finds 上海 by shanghai, sh and 上海; 华为 by hw and huawei', () => {
    expect(ids('shanghai')).toEqual(['sh1', 'sh2']); // name of one, city of both
    expect(ids('sh')).toEqual(['hw', 'sh1', 'sh2']); // 上海 initials; 深圳 is shenzhen (sh…) too
    expect(ids('上海')).toEqual(['sh1', 'sh2']);
    expect(ids('SHANGHAI')).toEqual(['sh1', 'sh2']);
    expect(ids('shdq')).toEqual(['sh1']);
    expect(ids('hw')).toEqual(['hw', 'nw']); // 华为's initials; NortHWind contains them as letters
    expect(ids('huawei')).toEqual(['hw']);
    expect(ids('chongqing')).toEqual(['cq']);
    expect(ids('huifeng yinhang')).toEqual(['sh2']);
    expect(ids('lvwen')).toEqual(['nw']); // a contact's name
    expect(ids('hfyh')).toEqual(['sh2']);
    expect(ids('beijing')).toEqual(['nw']); // Latin text still matches as itself
    expect(ids('xyz')).toEqual([]);
    expect(ids('dianqi')).toEqual(['sh1']); // from a later syllable on
    expect(ids('anghai')).toEqual([]); // not from inside a syllable
    expect(ids('qi')).toEqual([]); // 1–2 letters: a run's start or initials only
  });

  it('keeps pinyin in step with renames, and drops it with the customer', () => {
    vault!.applyPullPage(page({ upserts: [upsert('customer', { id: 'sh1', name: '杭州电气', ownerId: 'u-rep', city: '杭州', industry: '制造', tags: [], version: 2 }, ['o:u-rep'])] }), grantFor());
    expect(ids('shdq')).toEqual([]);
    expect(ids('hangzhou')).toEqual(['sh1']);
    vault!.applyPullPage(page({ removals: [{ entity: 'customer', id: 'sh1', reason: 'deleted' }] }), grantFor());
    expect(ids('hangzhou')).toEqual([]);
  });
});

describe('Vault search: both page plans (queries.ts DENSE_MATCHES)', () => {
  it('a search matching few or many customers gives the same total and order as its definition, on both sides of the threshold', async () => {
    vault = await Vault.create(path, keychain.secrets);
    // 1,500 customers named 华为… (over DENSE_MATCHES), 300 named 中兴… in 上海 and elsewhere.
    const cities = ['上海', '北京', '深圳'];
    const upserts = [
      ...Array.from({ length: 1_500 }, (_, i) => upsert('customer', { id: `hw-${i}`, name: `华为${['电子', '技术', '软件'][i % 3]}${(i * 7919) % 1_500}号`, ownerId: 'u-rep', city: cities[i % 3], tags: [] }, ['o:u-rep'])),
      ...Array.from({ length: 300 }, (_, i) => upsert('customer', { id: `zx-${i}`, name: `中兴通讯${(i * 31) % 300}`, ownerId: 'u-rep', city: cities[i % 3], tags: [] }, ['o:u-rep'])),
    ];
    vault.applyPullPage(page({ upserts }), grantFor());
    expect(DENSE_MATCHES).toBeLessThan(1_500);
    expect(DENSE_MATCHES).toBeGreaterThan(300);
    const everything = (input: { query: string; city?: string }) => {
      const rows = [];
      let next = vault!.searchCustomers({ ...input, offset: 0, limit: 500 });
      const total = next.total;
      rows.push(...next.rows);
      while (next.rows.length === 500) {
        const last = next.rows.at(-1)!;
        next = vault!.searchCustomers({ ...input, offset: 0, limit: 500, after: { name: last.name, id: last.id } });
        rows.push(...next.rows);
      }
      return { total, ids: rows.map((r) => r.id) };
    };
    // The definition: every customer whose name holds the text (and in the city), by sort key then id.
    const expected = (text: string, city?: string) =>
      upserts
        .filter((u) => String(u.record.name).includes(text) && (!city || u.record.city === city))
        .map((u) => ({ id: u.record.id, key: nameSortKey(String(u.record.name)) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((r) => r.id);
    for (const [query, text, city] of [['华为', '华为'], ['中兴', '中兴'], ['华为', '华为', '上海'], ['huawei', '华为'], ['zx', '中兴']] as const) {
      const want = expected(text, city);
      const got = everything({ query, ...(city ? { city } : {}) });
      expect(got.total, query).toBe(want.length);
      expect(got.ids, query).toEqual(want);
    }
    // An offset page of the dense plan is the same slice of that order.
    expect(vault.searchCustomers({ query: '华为', offset: 1_000, limit: 100 }).rows.map((r) => r.id)).toEqual(expected('华为').slice(1_000, 1_100));
  });
});

describe('Vault search by phone, e-mail and WeChat', () => {
  it('finds fragments of the contacts\' reachable points, phones by digits alone too', async () => {
    vault = await Vault.create(path, keychain.secrets);
    vault.applyPullPage(seed(), grantFor());
    expect(ids('0755')).toEqual(['nw']);
    expect(ids('13907551234')).toEqual(['nw']);
    expect(ids('6234 5678')).toEqual(['cq']);
    expect(ids('northwind.example')).toEqual(['nw']);
    expect(ids('lvwen_nw')).toEqual(['nw']);
    expect(ids('999')).toEqual([]);
  });

  it('cannot search what the role cannot read: absent below clearance, gone after a clearance drop', async () => {
    vault = await Vault.create(path, keychain.secrets);
    // Stored under a public clearance: the vault projects the phone away, so it is not searchable.
    vault.applyPullPage(seed(), grantFor({ readClearance: 'public' }));
    expect(ids('0755')).toEqual([]);
    expect(ids('lvwen_nw')).toEqual([]);
    expect(ids('lvwen')).toEqual(['nw']); // the (public) name still is
    vault.close();
    rmSync(path, { force: true });
    await keychain.secrets.delete(VAULT_KEY_ACCOUNT);

    vault = await Vault.create(path, keychain.secrets);
    vault.applyPullPage(seed(), grantFor());
    expect(ids('0755')).toEqual(['nw']);
    vault.applyPullPage(page({ fieldPurges: [{ entity: 'contact', fields: ['phone', 'email', 'wechat'] }] }), grantFor({ readClearance: 'public' }));
    expect(ids('0755')).toEqual([]);
    expect(ids('13907551234')).toEqual([]);
    expect(ids('northwind.example')).toEqual([]);
    expect(ids('lvwen')).toEqual(['nw']);
  });
});

describe('an existing vault gains the pinyin index at open', () => {
  it('rebuilds the search index a migration emptied', async () => {
    vault = await Vault.create(path, keychain.secrets);
    vault.applyPullPage(seed(), grantFor());
    vault.close();
    vault = null;
    // Simulate a vault whose index was emptied by the migration and not yet rebuilt.
    const key = await keychain.secrets.get(VAULT_KEY_ACCOUNT);
    const raw = new Database(path);
    raw.pragma(`cipher='sqlcipher'`);
    raw.pragma('legacy=4');
    raw.pragma(`key="x'${key}'"`);
    raw.exec(`DELETE FROM customer_search; DELETE FROM customer_grams; DELETE FROM customer_pinyin; INSERT INTO meta(key, value) VALUES ('internal:search-rebuild', '1')`);
    raw.close();
    vault = await Vault.open(path, keychain.secrets);
    expect(ids('shanghai')).toEqual(['sh1', 'sh2']);
    expect(ids('0755')).toEqual(['nw']);
    expect(vault.getMeta('internal:search-rebuild' as never)).toBeNull();
  });
});
