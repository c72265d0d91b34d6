// A customer's child lists paged by keyset (queries.ts listChildren), and the filter lists read
// from maintained counts (facet-counts.ts, schema.ts migration 7) that must equal a full scan
// after every kind of write: a first sync, a delta, local edits, a settled push, a field purge,
// removals and scope shrinks (small and bulk). Real SQLCipher file, real keychain.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault'

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChildCursor } from '../../../shared/api/desktop-api';
import type { ChildEntity } from '../contracts';
import { Vault } from '.';
import type { VaultDb } from './db';
import { keptFacetCounts, scanFacetCounts, scanFacetValues } from './facet-counts';
import { BULK_SEARCH_PURGE_ROWS } from './search-index';
import { grantFor, mutation, page, tempDir, testKeychain, UNDO_MIGRATION_11, upsert } from '../../../test/support/vault';

let dir: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

beforeEach(() => {
  dir = tempDir('vault-children');
  keychain = testKeychain('vault-children');
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const dbOf = (v: Vault) => (v as unknown as { db: VaultDb }).db;
const rawOf = (v: Vault): Database.Database => dbOf(v).raw;

/** The kept counts equal a full scan of the customers, and facets() answers from them. */
function expectCountsInStep(v: Vault, when: string) {
  const db = dbOf(v);
  expect(keptFacetCounts(db), `counts after ${when}`).toEqual(scanFacetCounts(db));
  const { owners: _owners, ...values } = v.facets();
  expect(values, `facets() after ${when}`).toEqual(scanFacetValues(db));
}

const CITIES = ['杭州', '上海', 'Shenzhen', ''];
const INDUSTRIES = ['制造', 'Retail', '金融'];
/** Customer i of an owner: cities, industries and tags spread so values are shared and some are unique. */
function customer(i: number, owner: string, extra: Record<string, unknown> = {}) {
  const tags = i % 5 === 0 ? [] : i % 7 === 0 ? ['VIP', 'VIP', 42] : [`tag-${i % 9}`, i % 2 ? '战略客户' : 'export'];
  return upsert('customer', {
    id: `${owner}-c${i}`, name: `客户 ${owner} ${i}`, ownerId: owner, type: 'company',
    city: CITIES[i % CITIES.length], industry: i % 11 === 0 ? `独有行业 ${i}` : INDUSTRIES[i % INDUSTRIES.length], tags, ...extra,
  }, [`o:${owner}`]);
}

describe('facets from maintained counts', () => {
  it('equal a full scan after a first sync, a delta, local edits, a settled push, a field purge and purges', async () => {
    vault = await Vault.create(join(dir, 'vault.db'), keychain.secrets);
    const v = vault;
    // First sync: a bulk import in pages (the triggers stand aside; one rebuild at its end).
    const big = BULK_SEARCH_PURGE_ROWS + 200;
    const first = [...Array.from({ length: big }, (_, i) => customer(i, 'u-team')), ...Array.from({ length: 300 }, (_, i) => customer(i, 'u-rep')),
      upsert('customer', { id: 'shared-1', name: '共享客户', ownerId: 'u-other', city: '苏州', industry: '物流', tags: ['共享'] }, ['s:share-1'])];
    for (let i = 0; i < first.length; i += 500) v.applyPullPage(page({ upserts: first.slice(i, i + 500), hasMore: i + 500 < first.length }), grantFor());
    expectCountsInStep(v, 'the first sync');
    expect(v.facets().cities).toEqual(['Shenzhen', '上海', '杭州', '苏州']);
    expect(v.facets().tags).toContain('VIP');
    expect(v.facets().tags).not.toContain('42');

    // A delta: a city and tags change, a new customer with a new city, one removed, one resent unchanged.
    v.applyPullPage(page({
      upserts: [
        customer(1, 'u-rep', { city: '宁波', tags: ['新标签'] }), customer(2, 'u-rep'),
        upsert('customer', { id: 'new-1', name: '新客户', ownerId: 'u-rep', city: '温州', industry: '制造', tags: ['VIP'] }, ['o:u-rep']),
      ],
      removals: [{ entity: 'customer', id: 'u-rep-c3', reason: 'deleted' }],
    }), grantFor());
    expectCountsInStep(v, 'a delta');
    expect(v.facets().cities).toContain('宁波');
    expect(v.facets().tags).toContain('新标签');

    // Local edits: an update of city and tags, a new customer, and the last customer of a city leaving it.
    v.applyLocalMutation(mutation({ entity: 'customer', op: 'update', recordId: 'u-rep-c4', fields: { city: '嘉兴', tags: ['本地'] } }), grantFor());
    v.applyLocalMutation(mutation({ entity: 'customer', op: 'create', recordId: 'local-1', fields: { name: '本地新建', type: 'company', city: '湖州', industry: '零售', tags: ['本地'] } }), grantFor());
    v.applyLocalMutation(mutation({ entity: 'customer', op: 'update', recordId: 'new-1', fields: { city: '杭州' } }), grantFor());
    expectCountsInStep(v, 'local edits');
    expect(v.facets().cities).not.toContain('温州');
    expect(v.facets().cities).toContain('湖州');

    // The push settles: the server's version of an edited customer replaces the optimistic one.
    const sent = v.outbox();
    v.settlePush(sent, sent.map((m) => m.recordId === 'u-rep-c4'
      ? { mutationId: m.mutationId, status: 'applied' as const, record: { id: 'u-rep-c4', updatedAt: 2, version: 2, name: '客户 u-rep 4', ownerId: 'u-rep', city: '绍兴', industry: '制造', tags: [] } }
      : { mutationId: m.mutationId, status: 'applied' as const }), grantFor());
    expectCountsInStep(v, 'a settled push');
    expect(v.facets().cities).toContain('绍兴');

    // A field purge (the clearance was lowered): the industry leaves every customer.
    v.applyPullPage(page({ fieldPurges: [{ entity: 'customer', fields: ['industry'] }] }), grantFor());
    expectCountsInStep(v, 'a field purge');
    expect(v.facets().industries).toEqual([]);

    // A small scope shrink (by trigger), then a big one (the set-based purge).
    v.applyPullPage(page({ droppedBuckets: ['s:share-1'] }), grantFor());
    expectCountsInStep(v, 'a small purge');
    expect(v.facets().cities).not.toContain('苏州');
    v.applyPullPage(page({ droppedBuckets: ['o:u-team'] }), grantFor());
    expectCountsInStep(v, 'a bulk purge');
    expect(v.recordCounts().customer).toBeLessThan(310);

    // facets() reads the counts (not the customers): a count removed behind its back is missed.
    rawOf(v).prepare(`DELETE FROM facet_counts WHERE facet = 'city' AND value = '宁波'`).run();
    expect(v.facets().cities).not.toContain('宁波');
    expect(scanFacetValues(dbOf(v)).cities).toContain('宁波');
  });

  it('a vault from before the counts gets them filled by its migration', async () => {
    const path = join(dir, 'old.db');
    vault = await Vault.create(path, keychain.secrets);
    vault.applyPullPage(page({ upserts: Array.from({ length: 40 }, (_, i) => customer(i, 'u-rep')) }), grantFor());
    // Back to the schema before migration 7 (and undo the later ones, which run again: 8, and 10's
    // sort keys with their indexes as they were before it, and 11; 9 rebuilds its tables by itself).
    rawOf(vault).exec(`${UNDO_MIGRATION_11} DROP TRIGGER customers_facets_inserted; DROP TRIGGER customers_facets_deleted; DROP TRIGGER customers_facets_changed;
      DROP TABLE facet_counts; DROP TABLE org_units; ALTER TABLE users DROP COLUMN unit_id;
      DROP INDEX customers_sort; DROP INDEX customers_last_activity; DROP INDEX contacts_customer;
      ALTER TABLE customers DROP COLUMN sort_key; ALTER TABLE contacts DROP COLUMN sort_key; ALTER TABLE opportunities DROP COLUMN sort_key; ALTER TABLE users DROP COLUMN sort_key;
      CREATE INDEX customers_name ON customers(name, id); CREATE INDEX customers_last_activity ON customers(last_activity_at, name, id);
      CREATE INDEX contacts_customer ON contacts(customer_id); PRAGMA user_version = 6;`);
    vault.close();
    vault = await Vault.open(path, keychain.secrets);
    expect(keptFacetCounts(dbOf(vault)).length).toBeGreaterThan(5);
    expectCountsInStep(vault, 'the migration');
  });
});

describe("a customer's child lists by keyset", () => {
  const AT = 1_700_000_000_000;
  const ACTIVITIES = 2003;

  async function seeded() {
    vault = await Vault.create(join(dir, 'vault.db'), keychain.secrets);
    vault.rememberUserNames([{ id: 'u-colleague', displayName: '李同事' }]);
    const upserts = [
      upsert('customer', { id: 'big', name: '大客户', ownerId: 'u-rep' }, ['o:u-rep']),
      upsert('customer', { id: 'small', name: '小客户', ownerId: 'u-rep' }, ['o:u-rep']),
      upsert('activity', { id: 'other-a', customerId: 'small', kind: 'call', at: AT, authorId: 'u-rep', text: 'not big' }, ['o:u-rep']),
    ];
    // Ties on the moment (every 3 share one), authors the directory knows and one it does not.
    for (let i = 0; i < ACTIVITIES; i++) {
      const author = i % 3 === 0 ? 'u-rep' : i % 3 === 1 ? 'u-colleague' : 'u-unknown';
      upserts.push(upsert('activity', { id: `a${String(i).padStart(5, '0')}`, customerId: 'big', kind: 'visit', at: AT + Math.floor(i / 3) * 60_000, authorId: author, text: `拜访 ${i}` }, ['o:u-rep']));
    }
    for (let i = 0; i < 130; i++) upserts.push(upsert('contact', { id: `k${i}`, customerId: 'big', name: `联系人 ${i % 40}` }, ['o:u-rep']));
    for (let i = 0; i < 60; i++) {
      upserts.push(upsert('opportunity', { id: `o${i}`, customerId: 'big', title: `商机 ${i}`, stage: 'lead', ownerId: 'u-rep', expectedCloseDate: i % 4 === 0 ? null : `2026-0${1 + (i % 9)}-15` }, ['o:u-rep']));
    }
    for (let i = 0; i < upserts.length; i += 700) vault.applyPullPage(page({ upserts: upserts.slice(i, i + 700), hasMore: i + 700 < upserts.length }), grantFor());
    // A delta after the import (rows written one by one, new rids) with the newest moment.
    vault.applyPullPage(page({ upserts: [upsert('activity', { id: 'late', customerId: 'big', kind: 'call', at: AT + 10 * 86_400_000, authorId: 'u-colleague', text: '最新' }, ['o:u-rep'])] }), grantFor());
    return vault;
  }

  function all<E extends ChildEntity>(v: Vault, entity: E, limit: number) {
    const ids: string[] = [];
    let after: ChildCursor | undefined;
    let pages = 0;
    for (;;) {
      const p = v.listChildren(entity, 'big', after, limit);
      ids.push(...p.rows.map((r) => r.id));
      pages += 1;
      if (!p.next) break;
      expect(p.rows).toHaveLength(limit);
      after = p.next;
    }
    return { ids, pages };
  }

  it('pages every activity once, newest first, with who logged it; contacts and opportunities in their order', async () => {
    const v = await seeded();
    const detail = v.getCustomer('big')!;
    expect(detail.counts).toEqual({ contacts: 130, opportunities: 60, activities: ACTIVITIES + 1 });
    expect(detail.activities).toHaveLength(50);
    expect(detail.activities[0]).toMatchObject({ id: 'late', text: '最新', authorName: '李同事' });
    expect(detail.next.activities).not.toBeNull();
    expect(v.getCustomer('small')!.next).toEqual({ contacts: null, opportunities: null, activities: null });

    const raw = rawOf(v);
    const expected = (sql: string) => (raw.prepare(sql).all() as { id: string }[]).map((r) => r.id);
    const activities = all(v, 'activity', 50);
    expect(activities.ids).toHaveLength(ACTIVITIES + 1);
    expect(new Set(activities.ids).size).toBe(ACTIVITIES + 1);
    expect(activities.ids).toEqual(expected(`SELECT id FROM activities WHERE customer_id = 'big' ORDER BY at DESC, rid DESC`));
    expect(activities.pages).toBe(Math.ceil((ACTIVITIES + 1) / 50));
    // Ties on the moment are split across page boundaries (7 does not divide 3) without loss.
    expect(all(v, 'activity', 7).ids).toEqual(activities.ids);

    const contacts = all(v, 'contact', 25);
    expect(contacts.ids).toEqual(expected(`SELECT id FROM contacts WHERE customer_id = 'big' ORDER BY sort_key, rid`));
    const opportunities = all(v, 'opportunity', 9);
    expect(opportunities.ids).toEqual(expected(`SELECT id FROM opportunities WHERE customer_id = 'big' ORDER BY expected_close_date, rid`));
    expect(opportunities.ids.slice(0, 15).every((id) => Number(id.slice(1)) % 4 === 0)).toBe(true); // no close date first

    // Who logged each: the directory's name, null for an author it does not know.
    const page2 = v.listChildren('activity', 'big', detail.next.activities!, 50).rows;
    for (const a of page2) {
      expect(a.authorName).toBe(a.authorId === 'u-rep' ? '王小明' : a.authorId === 'u-colleague' ? '李同事' : null);
    }
  });

  it('a page of a long timeline is read from the index in order, not sorted', async () => {
    const v = await seeded();
    const plan = rawOf(v).prepare(
      `EXPLAIN QUERY PLAN SELECT x.rid, x.at AS k, x.record FROM activities x WHERE x.customer_id = ? AND ((x.at, x.rid) < (?, ?) OR x.at IS NULL) ORDER BY x.at DESC, x.rid DESC LIMIT ?`,
    ).all('big', AT, 1, 51) as { detail: string }[];
    const text = plan.map((p) => p.detail).join(' | ');
    expect(text).toContain('activities_customer_at');
    expect(text).not.toContain('TEMP B-TREE');
  });
});
