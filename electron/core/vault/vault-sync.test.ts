// The vault applying pull pages (purges, bucket drops, removals, upserts) and settling pushes
// (outbox, issues, audit queue). Lifecycle, encryption, search and reads: vault.test.ts.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault'

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VAULT_KEY_ACCOUNT } from '../contracts';
import type { Mutation } from '../../../shared/protocol/sync';
import { Vault, VaultError } from '.';
import { CONTACT, decryptSqlcipher4, grantFor, HUAWEI, LATIN, mutation, page, PHONE, seedPage, tempDir, testKeychain, upsert } from '../../../test/support/vault';

let dir: string;
let path: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

beforeEach(() => {
  dir = tempDir('vault');
  path = join(dir, 'vault.db');
  keychain = testKeychain('vault');
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function createVault(): Promise<Vault> {
  vault = await Vault.create(path, keychain.secrets);
  return vault;
}

describe('Vault pull pages', () => {
  it('drops a bucket but keeps records still in another bucket; children go with their customer', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    const result = v.applyPullPage(page({ droppedBuckets: ['s:share-1', 's:share-2'] }), grantFor());
    expect(v.getRecord('customer', 'c2')).not.toBeNull(); // also in o:u-rep
    expect(v.getRecord('contact', 'k2')).not.toBeNull();
    expect(v.getRecord('customer', 'c3')).toBeNull();
    expect(v.getRecord('contact', 'k3')).toBeNull();
    expect(result.removed).toBe(2);
    expect(v.searchCustomers({ query: 'Ann', offset: 0, limit: 10 }).total).toBe(0);
    expect(v.searchCustomers({ query: '100%', offset: 0, limit: 10 }).total).toBe(0);

    v.applyPullPage(page({ removals: [{ entity: 'customer', id: 'c1', reason: 'reassigned' }] }), grantFor());
    expect(v.getRecord('customer', 'c1')).toBeNull();
    expect(v.getRecord('contact', 'k1')).toBeNull(); // cascaded
    expect(v.searchCustomers({ query: 'weiq', offset: 0, limit: 10 }).total).toBe(0);
    expect(v.recordCounts()).toEqual({ customer: 2, contact: 1, opportunity: 0, activity: 0 });

    // After the purge the removed names are not even in the decrypted pages (secure_delete + WAL checkpoint).
    v.close();
    vault = null;
    const plain = decryptSqlcipher4(readFileSync(path), (await keychain.secrets.get(VAULT_KEY_ACCOUNT)) as string);
    for (const gone of [HUAWEI, CONTACT, PHONE, '100% Pure_Water Co']) expect(plain.includes(Buffer.from(gone)), gone).toBe(false);
    expect(plain.includes(Buffer.from(LATIN))).toBe(true); // the decryptor does see what is still there
  });

  it('a bulk scope shrink (index rewrite path) leaves no trace of the removed customers', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    const many = Array.from({ length: 1100 }, (_, i) => upsert('customer', { id: `b${i}`, name: `BulkGone客户${String(i).padStart(4, '0')}`, ownerId: 'u-team' }, ['o:u-team']));
    v.applyPullPage(page({ upserts: many }), grantFor());
    expect(v.searchCustomers({ query: 'bulkgone', offset: 0, limit: 1 }).total).toBe(1100);
    const result = v.applyPullPage(page({ droppedBuckets: ['o:u-team'] }), grantFor());
    expect(result.removed).toBe(1100);
    expect(v.searchCustomers({ query: 'bulkgone', offset: 0, limit: 1 }).total).toBe(0);
    expect(v.searchCustomers({ query: '华为', offset: 0, limit: 5 }).rows.map((r) => r.id)).toEqual(['c1']);
    v.close();
    vault = null;
    const plain = decryptSqlcipher4(readFileSync(path), (await keychain.secrets.get(VAULT_KEY_ACCOUNT)) as string);
    for (const gone of ['BulkGone客户0007', 'BulkGone客户1099']) expect(plain.includes(Buffer.from(gone)), gone).toBe(false);
  });

  it('a bulk scope shrink deletes the children, memberships and search rows of the leaving customers and keeps the cascade triggers', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    const at = 1_700_000_000_000;
    const team = Array.from({ length: 1100 }, (_, i) => i);
    v.applyPullPage(
      page({
        upserts: [
          ...team.map((i) => upsert('customer', { id: `b${i}`, name: `Team客户${i}`, ownerId: 'u-team' }, ['o:u-team', ...(i === 0 ? ['s:share-7'] : [])])),
          ...team.map((i) => upsert('contact', { id: `bk${i}`, customerId: `b${i}`, name: `Teamcontact${i}` }, ['o:u-team'])),
          ...team.map((i) => upsert('activity', { id: `ba${i}`, customerId: `b${i}`, kind: 'call', at: at + i, authorId: 'u-team' }, ['o:u-team'])),
          upsert('activity', { id: 'a-c1', customerId: 'c1', kind: 'visit', at, authorId: 'u-rep' }, ['o:u-rep']),
        ],
      }),
      grantFor(),
    );
    const result = v.applyPullPage(page({ droppedBuckets: ['o:u-team'] }), grantFor());
    // b0 stays (still shared with me), with its children; the other 1099 go with theirs.
    expect(result.removed).toBe(1099 * 3);
    expect(v.recordCounts()).toEqual({ customer: 5, contact: 4, opportunity: 0, activity: 2 });
    expect(v.getRecord('contact', 'bk0')).not.toBeNull();
    expect(v.getRecord('activity', 'ba1')).toBeNull();
    expect(v.searchCustomers({ query: 'teamcontact', offset: 0, limit: 10 }).rows.map((r) => r.id)).toEqual(['b0']);
    expect(v.searchCustomers({ query: 'team客户1', offset: 0, limit: 10 }).total).toBe(0);
    // The kept customers' last activity is untouched, and the cascade triggers are back: deleting
    // an activity recomputes it, removing a customer takes its children with it.
    const lastActivity = (id: string) => v.teamDashboard(at + 400 * 86_400_000).notContacted30d.find((c) => c.customerId === id)?.lastActivityAt;
    expect(lastActivity('b0')).toBe(at);
    v.applyPullPage(page({ removals: [{ entity: 'activity', id: 'ba0', reason: 'deleted' }] }), grantFor());
    expect(lastActivity('b0')).toBeNull();
    v.applyPullPage(page({ removals: [{ entity: 'customer', id: 'c1', reason: 'reassigned' }] }), grantFor());
    expect(v.getRecord('contact', 'k1')).toBeNull();
    expect(v.getRecord('activity', 'a-c1')).toBeNull();
    // b0 left only o:u-team; dropping its share now removes it through the per-row path.
    expect(v.applyPullPage(page({ droppedBuckets: ['s:share-7'] }), grantFor()).removed).toBe(2);
  });

  it('a customer leaving one bucket but upserted into another in the same page keeps its children', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    // c3 was only shared with me (s:share-2); now it is reassigned to me and the share ends.
    v.applyPullPage(
      page({ droppedBuckets: ['s:share-2'], upserts: [upsert('customer', { id: 'c3', name: '100% Pure_Water Co', ownerId: 'u-rep' }, ['o:u-rep'])] }),
      grantFor(),
    );
    expect(v.getRecord('customer', 'c3')).toMatchObject({ ownerId: 'u-rep' });
    expect(v.getRecord('contact', 'k3')).not.toBeNull();
    // Dropping the owner bucket later removes it with its children.
    const result = v.applyPullPage(page({ droppedBuckets: ['o:u-rep'] }), grantFor());
    expect(v.getRecord('contact', 'k3')).toBeNull();
    expect(v.getRecord('customer', 'c2')).not.toBeNull(); // still in s:share-1
    expect(result.removed).toBe(5); // customers c1, c3, c4 and contacts k1, k3; k2 stays with c2
  });

  it('builds the search index of a first sync once, after the last page, even across a restart', async () => {
    const v = await createVault();
    const [c1, c2, c3, , k1] = seedPage().upserts;
    v.applyPullPage(page({ upserts: [c1!, c2!], hasMore: true }), grantFor());
    v.close();
    vault = await Vault.open(path, keychain.secrets); // a crash/restart in the middle of the first sync
    vault.applyPullPage(page({ upserts: [c3!, k1!], hasMore: true }), grantFor());
    vault.applyPullPage(page({ upserts: [], hasMore: false }), grantFor());
    const ids = (query: string) => vault!.searchCustomers({ query, offset: 0, limit: 10 }).rows.map((r) => r.id);
    expect(ids('华为')).toEqual(['c1']);
    expect(ids('weiq')).toEqual(['c1']);
    expect(ids('north')).toEqual(['c2']);
    expect(ids('pure')).toEqual(['c3']);
    // Later pages (a delta sync) update the index as they go.
    vault.applyPullPage(page({ upserts: [upsert('customer', { id: 'c5', name: '比亚迪汽车', ownerId: 'u-rep' }, ['o:u-rep'])], hasMore: true }), grantFor());
    expect(ids('比亚迪')).toEqual(['c5']);
  });

  it('a delta that leaves the searchable text unchanged does not rewrite search rows; renames and memberships still apply', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    v.applyPullPage(page({ upserts: [upsert('customer', { id: 'c5', name: '比亚迪汽车', ownerId: 'u-rep' }, ['o:u-rep'])] }), grantFor()); // a delta page
    // A second connection reads the FTS5 index pages: any rewrite of a row changes them (new segment, structure cookie).
    const raw = new Database(path, { readonly: true });
    raw.pragma(`cipher='sqlcipher'`);
    raw.pragma('legacy=4');
    raw.pragma(`key="x'${(await keychain.secrets.get(VAULT_KEY_ACCOUNT)) as string}'"`);
    const searchIndex = () => raw.prepare(`SELECT group_concat(hex(block)) AS b FROM (SELECT block FROM customer_search_data UNION ALL SELECT block FROM customer_grams_data)`).get() as { b: string };
    try {
      const before = searchIndex();
      const [c1, c2] = seedPage().upserts;
      v.applyPullPage(page({ upserts: [{ ...c1!, record: { ...c1!.record, notes: 'changed', version: 2 } }] }), grantFor());
      expect(v.getRecord('customer', 'c1')).toMatchObject({ notes: 'changed' });
      expect(searchIndex()).toEqual(before);

      // A rename and a membership change are written: the old name is gone from search, the new one found.
      v.applyPullPage(page({ upserts: [{ ...c2!, buckets: ['s:share-1'], record: { ...c2!.record, name: 'Southwind Partners', version: 2 } }] }), grantFor());
      expect(searchIndex()).not.toEqual(before);
      expect(v.searchCustomers({ query: 'northwind', offset: 0, limit: 10 }).total).toBe(0);
      expect(v.searchCustomers({ query: 'southwind', offset: 0, limit: 10 }).rows.map((r) => r.id)).toEqual(['c2']);
      expect(v.searchCustomers({ query: '李娜', offset: 0, limit: 10 }).rows.map((r) => r.id)).toEqual(['c2']); // its contact still indexed
    } finally {
      raw.close();
    }
    // c2 left o:u-rep: its only membership now is s:share-1, so dropping that removes it.
    v.applyPullPage(page({ droppedBuckets: ['s:share-1'] }), grantFor());
    expect(v.getRecord('customer', 'c2')).toBeNull();
    expect(v.getRecord('customer', 'c1')).not.toBeNull(); // unchanged memberships stay
  });

  it('purges fields from every row, the search index and the filters', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    expect(v.searchCustomers({ query: '', tag: 'VIP', offset: 0, limit: 10 }).total).toBe(2);
    v.applyPullPage(
      page({ fieldPurges: [{ entity: 'customer', fields: ['tags', 'taxId'] }, { entity: 'contact', fields: ['phone'] }] }),
      grantFor({ readClearance: 'public' }),
    );
    const c1 = v.getRecord('customer', 'c1')!;
    expect(c1).not.toHaveProperty('tags');
    expect(c1).not.toHaveProperty('taxId');
    expect(c1.name).toBe(HUAWEI);
    expect(v.getRecord('contact', 'k1')).not.toHaveProperty('phone');
    expect(v.searchCustomers({ query: '战略', offset: 0, limit: 10 }).total).toBe(0);
    expect(v.searchCustomers({ query: '', tag: 'VIP', offset: 0, limit: 10 }).total).toBe(0);
    expect(v.facets().tags).toEqual([]);
    v.close();
    vault = null;
    const plain = decryptSqlcipher4(readFileSync(path), (await keychain.secrets.get(VAULT_KEY_ACCOUNT)) as string);
    for (const gone of ['91440300TAX', PHONE, '战略客户']) expect(plain.includes(Buffer.from(gone)), gone).toBe(false);
  });

  it('never stores a field above the grant clearance, even if the server sends it', async () => {
    const v = await createVault();
    v.applyPullPage(
      page({ upserts: [upsert('customer', { id: 'c9', name: 'Leaky', ownerId: 'u-rep', creditLimit: 5e6, paymentTerms: 'NET30', taxId: 'T' }, ['o:u-rep'])] }),
      grantFor({ readClearance: 'internal' }),
    );
    expect(Object.keys(v.getRecord('customer', 'c9')!).sort()).toEqual(['id', 'name', 'ownerId', 'updatedAt', 'version']);
  });

  it('projects every record of a page, whichever fields the records before it carried', async () => {
    const v = await createVault();
    // The first customer carries only readable fields, the second an above-clearance one, the
    // third a field the record should never have: each is projected on its own.
    v.applyPullPage(
      page({
        upserts: [
          upsert('customer', { id: 'c7', name: 'Clean', ownerId: 'u-rep' }, ['o:u-rep']),
          upsert('customer', { id: 'c8', name: 'Leaky', ownerId: 'u-rep', creditLimit: 5e6 }, ['o:u-rep']),
          upsert('customer', JSON.parse('{"id":"c9","name":"Odd","ownerId":"u-rep","__proto__":{"creditLimit":1}}'), ['o:u-rep']),
        ],
      }),
      grantFor({ readClearance: 'internal' }),
    );
    expect(Object.keys(v.getRecord('customer', 'c7')!).sort()).toEqual(['id', 'name', 'ownerId', 'updatedAt', 'version']);
    expect(Object.keys(v.getRecord('customer', 'c8')!).sort()).toEqual(['id', 'name', 'ownerId', 'updatedAt', 'version']);
    expect(Object.keys(v.getRecord('customer', 'c9')!).sort()).toEqual(['id', 'name', 'ownerId', 'updatedAt', 'version']);
    // The next page under a higher clearance keeps the field: the decision is not carried over.
    v.applyPullPage(page({ upserts: [upsert('customer', { id: 'c8', name: 'Leaky', ownerId: 'u-rep', creditLimit: 5e6, version: 2 }, ['o:u-rep'])] }), grantFor({ readClearance: 'confidential' }));
    expect(v.getRecord('customer', 'c8')!.creditLimit).toBe(5e6);
  });

  it('keeps a pending local edit on top of a newer server version of the same record', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    v.applyLocalMutation(mutation({ entity: 'customer', op: 'update', recordId: 'c2', fields: { city: 'Suzhou' }, baseValues: { city: 'Shanghai' } }), grantFor());
    v.applyPullPage(page({ upserts: [upsert('customer', { id: 'c2', name: 'Northwind Traders Ltd', ownerId: 'u-rep', city: 'Shanghai', industry: 'Retail', tags: [] }, ['o:u-rep'])] }), grantFor());
    const c2 = v.getRecord('customer', 'c2')!;
    expect(c2.city).toBe('Suzhou'); // the user's edit is still what they see
    expect(c2.name).toBe('Northwind Traders Ltd'); // the server's change to another field merged in
    expect(v.searchCustomers({ query: 'suzhou', offset: 0, limit: 10 }).rows[0]).toMatchObject({ id: 'c2', pending: true });

    // A pending delete wins over an upsert until it is pushed.
    v.applyLocalMutation(mutation({ entity: 'contact', op: 'delete', recordId: 'k1' }), grantFor());
    v.applyPullPage(page({ upserts: [upsert('contact', { id: 'k1', customerId: 'c1', name: CONTACT, title: 'CEO' }, ['o:u-rep'])] }), grantFor());
    expect(v.getRecord('contact', 'k1')).toBeNull();
    expect(v.getMeta('cursor')).toMatch(/^c-/);
  });

  it('applies a page atomically: a bad record rolls the whole page back', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    const cursor = v.getMeta('cursor');
    const bad = page({
      removals: [{ entity: 'customer', id: 'c1', reason: 'deleted' }],
      upserts: [{ entity: 'contact', record: { id: 'k9', updatedAt: 1, version: 1, name: 'orphan' }, buckets: [], writable: false }],
    });
    expect(() => v.applyPullPage(bad, grantFor())).toThrow(VaultError);
    expect(v.getRecord('customer', 'c1')).not.toBeNull();
    expect(v.getMeta('cursor')).toBe(cursor);
    expect(() => v.applyPullPage(page({ fieldPurges: [{ entity: 'customer', fields: ["name') --"] }] }), grantFor())).toThrow(VaultError);
    expect(v.getRecord('customer', 'c1')!.name).toBe(HUAWEI);
  });
});

describe('Vault outbox, push settlement, issues and audit queue', () => {
  it('lists an activity with its kind apart from its text, so the UI can name the kind in the user\'s language', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    v.applyLocalMutation(mutation({ entity: 'customer', op: 'update', recordId: 'c1', fields: { notes: '拜访过' } }), grantFor());
    v.applyLocalMutation(mutation({ entity: 'activity', op: 'create', recordId: 'a-new', fields: { customerId: 'c1', kind: 'visit', text: '现场演示', at: 1_700_000_050_000 } }), grantFor());
    const [customer, visit] = v.listOutbox();
    expect(visit).toMatchObject({ entity: 'activity', label: '现场演示', activityKind: 'visit' });
    expect(customer).toMatchObject({ entity: 'customer', label: HUAWEI });
    expect(customer!.activityKind).toBeUndefined();
  });

  it('discards an unsent edit: the record, its generated columns and its search rows go back to the server version', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    const rename = mutation({ entity: 'customer', op: 'update', recordId: 'c1', fields: { name: '华为终端', city: '东莞' }, baseValues: { name: HUAWEI, city: '深圳' } });
    const notes = mutation({ entity: 'customer', op: 'update', recordId: 'c1', fields: { notes: '已拜访' }, baseValues: { notes: null } });
    v.applyLocalMutation(rename, grantFor());
    v.applyLocalMutation(notes, grantFor());
    expect(v.listOutbox()[0]!.changes).toEqual([
      { field: 'name', before: HUAWEI, after: '华为终端' },
      { field: 'city', before: '深圳', after: '东莞' },
    ]);
    expect(v.facets().cities).toContain('东莞');
    const version = v.dataVersion();

    expect(v.discardMutation(rename.mutationId)).toEqual([rename.mutationId]);
    expect(v.getRecord('customer', 'c1')).toMatchObject({ name: HUAWEI, city: '深圳', notes: '已拜访' }); // the later edit stays
    expect(v.outbox().map((m) => m.mutationId)).toEqual([notes.mutationId]);
    expect(v.facets().cities).not.toContain('东莞'); // the generated city column followed the record
    expect(v.searchCustomers({ query: '华为终端', offset: 0, limit: 5 }).total).toBe(0);
    expect(v.searchCustomers({ query: '东莞', offset: 0, limit: 5 }).total).toBe(0);
    expect(v.searchCustomers({ query: '深圳华为', offset: 0, limit: 5 }).rows.map((r) => r.id)).toEqual(['c1']);
    expect(v.dataVersion()).toBeGreaterThan(version);

    // A created customer goes with the pending edits that need it (its contact, an edit of it).
    const create = mutation({ entity: 'customer', op: 'create', recordId: 'c-new', fields: { name: '腾讯科技', type: 'company', city: '深圳' } });
    const contact = mutation({ entity: 'contact', op: 'create', recordId: 'k-new', fields: { customerId: 'c-new', name: '马化腾' } });
    const edit = mutation({ entity: 'customer', op: 'update', recordId: 'c-new', fields: { notes: 'x' } });
    for (const m of [create, contact, edit]) v.applyLocalMutation(m, grantFor());
    expect(v.listOutbox()[1]!.changes).toEqual([
      { field: 'name', after: '腾讯科技' },
      { field: 'type', after: 'company' },
      { field: 'city', after: '深圳' },
    ]);
    expect(v.discardMutation(create.mutationId).sort()).toEqual([create.mutationId, contact.mutationId, edit.mutationId].sort());
    expect(v.getRecord('customer', 'c-new')).toBeNull();
    expect(v.getRecord('contact', 'k-new')).toBeNull();
    expect(v.searchCustomers({ query: '马化腾', offset: 0, limit: 5 }).total).toBe(0);
    expect(v.outboxCount()).toBe(1);

    // A created contact of an existing customer: its name leaves the customer's search row.
    const ann = mutation({ entity: 'contact', op: 'create', recordId: 'k-ann', fields: { customerId: 'c2', name: '王安娜' } });
    v.applyLocalMutation(ann, grantFor());
    expect(v.searchCustomers({ query: '王安娜', offset: 0, limit: 5 }).total).toBe(1);
    v.discardMutation(ann.mutationId);
    expect(v.searchCustomers({ query: '王安娜', offset: 0, limit: 5 }).total).toBe(0);
    expect(v.getRecord('customer', 'c2')).not.toBeNull();

    // A deletion cannot be discarded (the record is no longer here to bring back); a sent edit is gone.
    const del = mutation({ entity: 'contact', op: 'delete', recordId: 'k1' });
    v.applyLocalMutation(del, grantFor());
    expect(() => v.discardMutation(del.mutationId)).toThrow(VaultError);
    expect(() => v.discardMutation(rename.mutationId)).toThrow(VaultError);
    expect(v.outboxCount()).toBe(2);

    // The discard is durable: after reopening, the record is the server's version.
    v.close();
    vault = await Vault.open(path, keychain.secrets);
    expect(vault.getRecord('customer', 'c1')).toMatchObject({ name: HUAWEI, city: '深圳' });
  });

  it('writes the record and the outbox row together, in order, and refuses bad edits without side effects', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    const create = mutation({ entity: 'customer', op: 'create', recordId: 'c-new', fields: { name: '腾讯科技', type: 'company', city: '深圳' } });
    const contact = mutation({ entity: 'contact', op: 'create', recordId: 'k-new', fields: { customerId: 'c-new', name: '马化腾' } });
    const update = mutation({ entity: 'customer', op: 'update', recordId: 'c1', fields: { notes: '拜访过' } });
    v.applyLocalMutation(create, grantFor());
    v.applyLocalMutation(contact, grantFor());
    v.applyLocalMutation(update, grantFor());
    expect(v.outbox().map((m) => m.mutationId)).toEqual([create.mutationId, contact.mutationId, update.mutationId]);
    expect(v.outboxCount()).toBe(3);
    expect(v.getRecord('customer', 'c-new')).toMatchObject({ name: '腾讯科技', ownerId: 'u-rep', version: 0 });
    expect(v.searchCustomers({ query: '马化腾', offset: 0, limit: 5 }).rows.map((r) => r.id)).toEqual(['c-new']);
    expect(v.listOutbox().map((o) => o.label)).toEqual(['腾讯科技', '马化腾', HUAWEI]);

    expect(() => v.applyLocalMutation(mutation({ entity: 'customer', op: 'update', recordId: 'nope', fields: { name: 'x' } }), grantFor())).toThrow(VaultError);
    expect(() => v.applyLocalMutation(mutation({ entity: 'contact', op: 'create', recordId: 'k-x', fields: { customerId: 'nope', name: 'x' } }), grantFor())).toThrow(VaultError);
    expect(() => v.applyLocalMutation({ ...update }, grantFor())).toThrow(/already in the outbox/);
    expect(() => v.applyLocalMutation({ mutationId: 'not-a-uuid' } as unknown as Mutation, grantFor())).toThrow(VaultError);
    expect(v.outboxCount()).toBe(3);

    // The outbox survives a close/reopen (what a crash leaves behind).
    v.close();
    vault = await Vault.open(path, keychain.secrets);
    expect(vault.outbox().map((m) => m.mutationId)).toEqual([create.mutationId, contact.mutationId, update.mutationId]);
  });

  it('settles pushes: applied and merged leave the outbox; conflicts and rejections become issues until dismissed', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    const applied = mutation({ entity: 'customer', op: 'update', recordId: 'c1', fields: { notes: 'A' } });
    const conflict = mutation({ entity: 'customer', op: 'update', recordId: 'c2', fields: { city: 'Suzhou' }, baseValues: { city: 'Shanghai' } });
    const rejected = mutation({ entity: 'customer', op: 'create', recordId: 'c-rej', fields: { name: 'Rejected Co', type: 'company' } });
    const unanswered = mutation({ entity: 'customer', op: 'update', recordId: 'c4', fields: { notes: 'later' } });
    for (const m of [applied, conflict, rejected, unanswered]) v.applyLocalMutation(m, grantFor());
    const sent = v.outbox();
    v.settlePush(sent, [
      { mutationId: applied.mutationId, status: 'applied', record: { id: 'c1', updatedAt: 2, version: 2, name: HUAWEI, ownerId: 'u-rep', notes: 'A' } },
      {
        mutationId: conflict.mutationId, status: 'conflict', heldId: 'held-1',
        record: { id: 'c2', updatedAt: 2, version: 3, name: LATIN, ownerId: 'u-rep', city: 'Hangzhou' },
        conflicts: [{ field: 'city', yours: 'Suzhou', theirs: 'Hangzhou' }],
      },
      { mutationId: rejected.mutationId, status: 'rejected', reason: 'no_action', heldId: 'held-2' },
    ], grantFor());
    expect(v.outbox().map((m) => m.mutationId)).toEqual([unanswered.mutationId]);
    expect(v.listOutbox()[0]!.attempts).toBe(1);
    expect(v.getRecord('customer', 'c1')).toMatchObject({ version: 2, notes: 'A' });
    expect(v.getRecord('customer', 'c2')).toMatchObject({ version: 3, city: 'Hangzhou' });
    expect(v.getRecord('customer', 'c-rej')).toBeNull();
    expect(v.getRecord('customer', 'c4')).toMatchObject({ notes: 'later' }); // unanswered: still optimistic
    const issues = v.listIssues();
    expect(issues.map((i) => [i.id, i.kind, i.recordId, i.label, i.reason])).toEqual([
      ['held-1', 'conflict', 'c2', LATIN, null],
      ['held-2', 'rejected', 'c-rej', 'Rejected Co', 'no_action'],
    ]);
    expect(issues[0]!.conflicts).toEqual([{ field: 'city', yours: 'Suzhou', theirs: 'Hangzhou' }]);
    // Settling the same batch again (a retry after a crash) changes nothing.
    v.settlePush(sent.slice(0, 3), [{ mutationId: applied.mutationId, status: 'duplicate' }], grantFor());
    expect(v.listIssues()).toHaveLength(2);
    v.dismissIssue('held-1');
    expect(v.listIssues().map((i) => i.id)).toEqual(['held-2']);
  });

  it('a rejected update without server state reverts the optimistic edit to its base values', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    const edit = mutation({ entity: 'customer', op: 'update', recordId: 'c4', fields: { city: 'Macau' }, baseValues: { city: 'Hong Kong' } });
    v.applyLocalMutation(edit, grantFor());
    expect(v.getRecord('customer', 'c4')!.city).toBe('Macau');
    v.settlePush(v.outbox(), [{ mutationId: edit.mutationId, status: 'rejected', reason: 'read_only_share' }], grantFor());
    expect(v.getRecord('customer', 'c4')!.city).toBe('Hong Kong');
    expect(v.searchCustomers({ query: 'macau', offset: 0, limit: 5 }).total).toBe(0);
    expect(v.listIssues()).toMatchObject([{ kind: 'rejected', recordId: 'c4', reason: 'read_only_share' }]);
  });

  it('queues offline audit entries until they are acknowledged', async () => {
    const v = await createVault();
    v.recordAudit({ at: 1, action: 'view', entity: 'customer', recordId: 'c1' });
    v.recordAudit({ at: 2, action: 'search', search: { length: 2, kind: 'cjk' }, count: 1 });
    v.recordAudit({ at: 3, action: 'export', count: 4 });
    const pending = v.pendingAudit(2);
    expect(pending.map((e) => e.at)).toEqual([1, 2]);
    v.ackAudit(pending.map((e) => e.id));
    expect(v.pendingAudit(10).map((e) => e.action)).toEqual(['export']);
    expect(() => v.recordAudit({ at: -1, action: 'view' })).toThrow(VaultError);
  });
});

