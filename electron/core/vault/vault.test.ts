// The vault against a REAL SQLCipher file and the REAL OS keychain (Secret Service).
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault'

import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VAULT_KEY_ACCOUNT, type SecretStore } from '../contracts';
import { Vault, VaultCorruptError, VaultError, VaultKeyMissingError } from '.';
import { customerDetail } from '../record-access';
import { MIGRATIONS } from './schema';
import { CONTACT, decryptSqlcipher4, fileContains, grantFor, HUAWEI, LATIN, mutation, page, PHONE, seedPage, tempDir, testKeychain, upsert } from '../../../test/support/vault';

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

describe('Vault lifecycle and encryption', () => {
  it('stores the key in the keychain before the file exists, and migrates to the latest schema', async () => {
    const seen: boolean[] = [];
    const spy: SecretStore = {
      get: (a) => keychain.secrets.get(a),
      delete: (a) => keychain.secrets.delete(a),
      set: async (a, s) => {
        seen.push(existsSync(path));
        await keychain.secrets.set(a, s);
      },
    };
    vault = await Vault.create(path, spy);
    expect(seen).toEqual([false]);
    const key = await keychain.secrets.get(VAULT_KEY_ACCOUNT);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    vault.close();
    vault = await Vault.open(path, keychain.secrets);
    expect(vault.getMeta('cursor')).toBeNull();
    vault.close();
    vault = null;
    await expect(Vault.create(path, keychain.secrets)).rejects.toMatchObject({ code: 'vault_exists' });
    // user_version is inside the encrypted header: read it through the vault's own connection.
    vault = await Vault.open(path, keychain.secrets);
    expect((vault as unknown as { db: { raw: Database.Database } }).db.raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('leaves no plaintext in the database file or its WAL', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    v.applyLocalMutation(mutation({ entity: 'customer', op: 'create', recordId: 'c-new', fields: { name: '阿里巴巴杭州分公司', type: 'company' } }), grantFor());
    const needles = [HUAWEI, '华为技术', LATIN, CONTACT, PHONE, '阿里巴巴杭州分公司', '战略客户', 'Shanghai'];
    expect(existsSync(`${path}-wal`)).toBe(true);
    for (const file of [path, `${path}-wal`]) {
      const bytes = readFileSync(file);
      expect(bytes.length).toBeGreaterThan(0);
      for (const needle of needles) expect(fileContains(file, needle), `${needle} in ${file}`).toBe(false);
      expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    }
    v.close();
    for (const needle of needles) expect(fileContains(path, needle)).toBe(false);
  });

  it('is the standard SQLCipher 4 format: an independent decryptor with the key reads the rows', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    v.close();
    vault = null;
    const key = (await keychain.secrets.get(VAULT_KEY_ACCOUNT)) as string;
    const plainPath = join(dir, 'decrypted.db');
    writeFileSync(plainPath, decryptSqlcipher4(readFileSync(path), key));
    const plain = new Database(plainPath, { readonly: true });
    try {
      const row = plain.prepare(`SELECT json_extract(record, '$.name') AS name FROM customers WHERE id = 'c1'`).get() as { name: string };
      expect(row.name).toBe(HUAWEI);
      expect(plain.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      plain.close();
    }
    // The wrong key fails the page HMAC: the decryptor really checks.
    expect(() => decryptSqlcipher4(readFileSync(path), 'ab'.repeat(32))).toThrow(/HMAC/);
  });

  it('ends its background integrity check before it closes: no reader holds or recreates a file of the vault', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    const verdict = v.checkIntegrityInBackground();
    await new Promise((r) => setTimeout(r, 30)); // the worker is starting or reading
    await v.stopBackgroundReaders();
    // A check asked for once the vault is closing does not start.
    expect(await v.checkIntegrityInBackground()).toMatchObject({ state: 'unknown' });
    v.close();
    vault = null;
    expect(['ok', 'unknown']).toContain((await verdict).state);
    expect(readdirSync(dir)).toEqual(['vault.db']);
  });

  it('refuses to open without the key, with a wrong key, or when the file was tampered with', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    v.close();
    vault = null;
    const key = (await keychain.secrets.get(VAULT_KEY_ACCOUNT)) as string;

    await keychain.secrets.delete(VAULT_KEY_ACCOUNT);
    const missing = await Vault.open(path, keychain.secrets).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(VaultKeyMissingError);
    expect(missing).toMatchObject({ code: 'keychain_key_missing' });

    const wrongKey = randomUUID().replaceAll('-', '').repeat(2);
    await keychain.secrets.set(VAULT_KEY_ACCOUNT, wrongKey);
    const wrong = await Vault.open(path, keychain.secrets).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(VaultCorruptError);
    expect((wrong as Error).message).not.toContain(wrongKey);

    await keychain.secrets.set(VAULT_KEY_ACCOUNT, 'not-a-key');
    await expect(Vault.open(path, keychain.secrets)).rejects.toBeInstanceOf(VaultCorruptError);

    // Without any cipher configuration (a plain SQLite reader) the file is not a database.
    const plain = new Database(path, { fileMustExist: true });
    expect(() => plain.prepare('SELECT count(*) FROM sqlite_master').get()).toThrow(/not a database|encrypted/i);
    plain.close();

    await keychain.secrets.set(VAULT_KEY_ACCOUNT, key);
    const bytes = readFileSync(path);
    bytes[100] = (bytes[100] as number) ^ 0xff; // inside page 1's ciphertext
    writeFileSync(path, bytes);
    const tampered = await Vault.open(path, keychain.secrets).catch((e: unknown) => e);
    expect(tampered).toBeInstanceOf(VaultCorruptError);
    expect((tampered as Error).message).not.toContain(key);

    rmSync(path);
    await expect(Vault.open(path, keychain.secrets)).rejects.toMatchObject({ code: 'vault_missing' });
  });
});

describe('Vault search', () => {
  beforeEach(async () => {
    (await createVault()).applyPullPage(seedPage(), grantFor());
  });
  const ids = (query: string, extra: Record<string, string> = {}) =>
    vault!.searchCustomers({ query, offset: 0, limit: 100, ...extra }).rows.map((r) => r.id).sort();

  it('finds Chinese substrings, Latin prefixes case-insensitively, contact names, cities and tags', () => {
    expect(ids('华为')).toEqual(['c1']);
    expect(ids('华为技术')).toEqual(['c1']);
    expect(ids('技术有限')).toEqual(['c1']);
    expect(ids('华')).toEqual(['c1']); // one character: LIKE fallback
    expect(ids('north')).toEqual(['c2']);
    expect(ids('NORTHW')).toEqual(['c2']);
    expect(ids('no')).toEqual(['c2']); // two characters: LIKE fallback
    expect(ids('weiq')).toEqual(['c1']); // contact name
    expect(ids('李娜')).toEqual(['c2']);
    expect(ids('shang')).toEqual(['c2']); // city
    expect(ids('战略')).toEqual(['c1']); // tag
    expect(ids('retail')).toEqual([]); // industry is a filter, not search text
    expect(ids('north trad')).toEqual(['c2']); // terms are AND-ed
    expect(ids('north 华为')).toEqual([]);
  });

  it('treats FTS and SQL metacharacters as plain text', () => {
    for (const q of ['"', '*', 'OR', 'AND', 'NEAR', '华为"', '%', "'; DROP TABLE customers; --", '(', ')', ':', '^', '-', 'name:华为', 'NEAR(a b)', '"华为" OR "x"', '\\', '_']) {
      expect(() => ids(q), q).not.toThrow();
    }
    expect(ids('%')).toEqual(['c3']); // only the name that really contains a percent sign
    expect(ids('_')).toEqual(['c3']);
    expect(ids('100%')).toEqual(['c3']);
    expect(ids("o'brien")).toEqual(['c4']);
    expect(ids('(asia)')).toEqual(['c4']);
    expect(ids('华为"')).toEqual([]);
    expect(ids('*')).toEqual([]);
    expect(vault!.recordCounts().customer).toBe(4); // the DROP TABLE text did nothing
    expect(() => vault!.searchCustomers({ query: 'x'.repeat(201), offset: 0, limit: 10 })).toThrow(VaultError);
    expect(() => vault!.searchCustomers({ query: '', offset: -1, limit: 10 })).toThrow(VaultError);
  });

  it('filters by city, industry and tag, pages, and reports totals and owner names', () => {
    expect(ids('', { industry: 'Retail' })).toEqual(['c2', 'c3']);
    expect(ids('', { city: '深圳' })).toEqual(['c1']);
    expect(ids('', { tag: 'VIP' })).toEqual(['c1', 'c4']);
    expect(ids('华为', { tag: 'VIP' })).toEqual(['c1']);
    const first = vault!.searchCustomers({ query: '', offset: 0, limit: 2 });
    const second = vault!.searchCustomers({ query: '', offset: 2, limit: 2 });
    expect(first.total).toBe(4);
    expect([...first.rows, ...second.rows].map((r) => r.id).sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
    const c1 = vault!.searchCustomers({ query: '华为', offset: 0, limit: 10 }).rows[0]!;
    expect(c1).toMatchObject({ id: 'c1', ownerId: 'u-rep', ownerName: '王小明', city: '深圳', pending: false });
    expect(vault!.facets()).toEqual({
      cities: ['Beijing', 'Hong Kong', 'Shanghai', '深圳'],
      industries: ['Finance', 'Retail', '通信'],
      tags: ['VIP', 'export', '战略客户'],
      // The owner directory: the grant names the user (the list's owner filter offers them).
      owners: [{ id: 'u-rep', name: '王小明' }],
    });
  });
});

describe('Customer detail and field access (record-access over what the vault stores)', () => {
  it('computes readable/writable fields and edit rights with the permission engine', async () => {
    const v = await createVault();
    v.applyPullPage(seedPage(), grantFor());
    v.applyPullPage(page({ upserts: [upsert('customer', { id: 'c-ro', name: 'Read Only Co', ownerId: 'u-other' }, ['s:share-9'], false)] }), grantFor());
    const grant = grantFor({ readClearance: 'sensitive', writeClearance: 'internal' });
    const detail = customerDetail(grant, v.getCustomer('c1')!);
    expect(detail.customer.name).toBe(HUAWEI);
    expect(detail.contacts.map((c) => c.name)).toEqual([CONTACT]);
    expect(detail.access.customer.readable).toContain('taxId');
    expect(detail.access.customer.readable).not.toContain('creditLimit');
    expect(detail.access.customer.writable).toContain('notes');
    expect(detail.access.customer.writable).not.toContain('taxId');
    expect(detail.canEdit).toBe(true);
    expect(detail.canLogActivity).toBe(true);

    const readOnly = customerDetail(grant, v.getCustomer('c-ro')!);
    expect(readOnly.canEdit).toBe(false);
    expect(readOnly.access.customer.writable).toEqual([]);
    expect(customerDetail(grantFor({ actions: ['customer.read'] }), v.getCustomer('c3')!).canEdit).toBe(false);
    expect(v.getCustomer('missing')).toBeNull();
  });
});

describe('Vault team dashboard', () => {
  it('matches hand-computed numbers on a small dataset', async () => {
    const v = await createVault();
    // now = Wednesday 2024-05-15 12:00 UTC; its ISO week starts Monday 2024-05-13.
    const now = Date.UTC(2024, 4, 15, 12);
    const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d, 9);
    v.rememberUserNames([{ id: 'u-a', displayName: 'Rep A' }]);
    v.applyPullPage(
      page({
        upserts: [
          upsert('customer', { id: 'a', name: 'Alpha', ownerId: 'u-a' }, ['o:u-a']),
          upsert('customer', { id: 'b', name: 'Beta', ownerId: 'u-b' }, ['o:u-b']),
          upsert('customer', { id: 'c', name: 'Gamma', ownerId: 'u-a' }, ['o:u-a']),
          upsert('opportunity', { id: 'o1', customerId: 'a', title: 'o1', stage: 'lead', amount: 100, expectedCloseDate: '2024-05-01', ownerId: 'u-a' }, ['o:u-a']),
          upsert('opportunity', { id: 'o2', customerId: 'a', title: 'o2', stage: 'proposal', amount: 200, expectedCloseDate: '2024-06-01', ownerId: 'u-a' }, ['o:u-a']),
          upsert('opportunity', { id: 'o3', customerId: 'b', title: 'o3', stage: 'proposal', amount: 50, expectedCloseDate: '2024-05-14', ownerId: 'u-b' }, ['o:u-b']),
          upsert('opportunity', { id: 'o4', customerId: 'b', title: 'o4', stage: 'won', amount: 1000, expectedCloseDate: '2024-01-01', ownerId: 'u-b' }, ['o:u-b']),
          upsert('opportunity', { id: 'o5', customerId: 'c', title: 'o5', stage: 'lost', amount: 70, expectedCloseDate: '2024-02-01', ownerId: 'u-a' }, ['o:u-a']),
          upsert('opportunity', { id: 'o6', customerId: 'c', title: 'o6', stage: 'won', amount: 30, expectedCloseDate: '2024-03-01', ownerId: 'u-a' }, ['o:u-a']),
          // amount above clearance (absent): counted, adds 0
          upsert('opportunity', { id: 'o7', customerId: 'c', title: 'o7', stage: 'negotiation', expectedCloseDate: '2024-05-15', ownerId: 'u-b' }, ['o:u-a']),
          upsert('activity', { id: 'x1', customerId: 'a', kind: 'visit', at: at(2024, 5, 13), authorId: 'u-a', text: '.' }, ['o:u-a']), // this week
          upsert('activity', { id: 'x2', customerId: 'a', kind: 'call', at: at(2024, 5, 12), authorId: 'u-a', text: '.' }, ['o:u-a']), // Sunday: previous week
          upsert('activity', { id: 'x3', customerId: 'b', kind: 'call', at: at(2024, 3, 25), authorId: 'u-b', text: '.' }, ['o:u-b']), // first of the 8 weeks
          upsert('activity', { id: 'x4', customerId: 'b', kind: 'call', at: at(2024, 3, 24), authorId: 'u-b', text: '.' }, ['o:u-b']), // before the window
          upsert('activity', { id: 'x5', customerId: 'a', kind: 'note', at: at(2024, 5, 14), authorId: 'u-a', text: '.' }, ['o:u-a']), // this week
        ],
      }),
      grantFor(),
    );
    const d = v.teamDashboard(now);
    expect(d.pipelineByStage).toEqual([
      { stage: 'lead', count: 1, amount: 100 },
      { stage: 'qualified', count: 0, amount: 0 },
      { stage: 'proposal', count: 2, amount: 250 },
      { stage: 'negotiation', count: 1, amount: 0 },
      { stage: 'won', count: 2, amount: 1030 },
      { stage: 'lost', count: 1, amount: 70 },
    ]);
    expect(d.pipelineByRep).toEqual([
      { ownerId: 'u-a', ownerName: 'Rep A', count: 2, amount: 300 },
      { ownerId: 'u-b', ownerName: 'u-b', count: 2, amount: 50 },
    ]);
    expect(d.winRate).toEqual({ won: 2, lost: 1, rate: 2 / 3 });
    expect(d.activitiesPerWeek).toEqual([
      { weekStart: '2024-03-25', count: 1 },
      { weekStart: '2024-04-01', count: 0 },
      { weekStart: '2024-04-08', count: 0 },
      { weekStart: '2024-04-15', count: 0 },
      { weekStart: '2024-04-22', count: 0 },
      { weekStart: '2024-04-29', count: 0 },
      { weekStart: '2024-05-06', count: 1 },
      { weekStart: '2024-05-13', count: 2 },
    ]);
    // Gamma: never contacted; Beta: last activity 2024-03-25 (> 30 days); Alpha: 2024-05-14.
    expect(d.notContacted30d).toEqual([
      { customerId: 'c', name: 'Gamma', lastActivityAt: null },
      { customerId: 'b', name: 'Beta', lastActivityAt: at(2024, 3, 25) },
    ]);
    expect(d.notContacted30dTotal).toBe(2);
    // Open and past their date: o1 (05-01), o3 (05-14). o7 is due today, not overdue.
    expect(d.overdue).toBe(2);
    expect(d.computedAt).toBe(now);
  });
});

describe('Vault team dashboard: honest counts', () => {
  it('counts every customer not contacted in 30 days, even where the list is capped', async () => {
    const v = await createVault();
    const upserts = Array.from({ length: 130 }, (_, i) =>
      upsert('customer', { id: `n${String(i).padStart(3, '0')}`, name: `客户${i}`, ownerId: 'u-rep', city: '上海', industry: '零售', tags: [] }, ['o:u-rep']),
    );
    v.applyPullPage(page({ upserts }), grantFor());
    const d = v.teamDashboard(1_700_000_000_000);
    expect(d.notContacted30d.length).toBeLessThan(130); // the list is capped…
    expect(d.notContacted30dTotal).toBe(130); // …the count is not
  });
});
