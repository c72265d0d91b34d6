// Pull pages applied off the UI's thread (off-thread.ts, import-worker.ts): the worker's own
// connection writes the same rows the UI's connection then reads, tells the index-build stages,
// brings the vault's errors back with their codes, and dying mid-page loses nothing and damages
// nothing. Real SQLCipher file, real keychain, real worker thread.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault/off-thread.test.ts'

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VAULT_KEY_ACCOUNT, type ImportStage } from '../contracts';
import { Vault } from '.';
import { VaultError } from './errors';
import { INLINE_MAX_RECORDS, isHeavyPage } from './off-thread';
import { openImportConnection } from './open';
import { grantFor, page, tempDir, testKeychain, upsert } from '../../../test/support/vault';

let dir: string;
let path: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

beforeEach(() => {
  dir = tempDir('off-thread');
  path = join(dir, 'vault.db');
  keychain = testKeychain('off-thread');
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

function customers(from: number, count: number): ReturnType<typeof upsert>[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return upsert('customer', { id: `c${n}`, name: `客户${n} Trading`, ownerId: 'u-rep', city: '上海', industry: '零售', tags: [] }, ['o:u-rep']);
  });
}

const stored = (v: Vault) => v.recordCounts().customer;

describe('the import worker', () => {
  it('applies a first sync on its own connection: the records, the index builds (told as stages) and the cursor reach the UI connection', async () => {
    vault = await Vault.create(path, keychain.secrets);
    const importer = vault.openImporter();
    const stages: ImportStage[] = [];
    const other = upsert('customer', { id: 'c-other', name: 'Other Co', ownerId: 'u-other', tags: [] }, ['s:share-1']);
    const first = page({ upserts: [...customers(0, 299), other], hasMore: true, cursor: 'p1' });
    expect(isHeavyPage((vault as unknown as { db: Parameters<typeof isHeavyPage>[0] }).db, first)).toBe(true);
    expect(await importer.apply({ ...first, directory: [{ id: 'u-other', displayName: '李经理' }] }, grantFor(), (s) => stages.push(s))).toEqual({ upserted: 300, removed: 0 });
    // Mid-import (the worker deferred the lookup indexes): the UI's connection sees the page and its cursor.
    expect(stored(vault)).toBe(300);
    expect(vault.getMeta('cursor')).toBe('p1');
    expect(stages).toEqual([]);
    expect(await importer.apply(page({ upserts: customers(300, 50), hasMore: false, cursor: 'p2' }), grantFor(), (s) => stages.push(s))).toEqual({ upserted: 50, removed: 0 });
    expect(stages).toEqual(['indexes', 'search']);
    await importer.close();

    expect(stored(vault)).toBe(350);
    expect(vault.getMeta('cursor')).toBe('p2');
    const indexes = (dbOf(vault).prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`).all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toContain('customers_sort');
    expect(vault.searchCustomers({ query: '客户349', offset: 0, limit: 10 }).rows.map((r) => r.id)).toEqual(['c349']);
    expect(vault.facets().owners).toContainEqual({ id: 'u-other', name: '李经理' });
  });

  it('applies a small delta page on the calling thread, and a large one or a purge on the worker', async () => {
    vault = await Vault.create(path, keychain.secrets);
    const db = (vault as unknown as { db: Parameters<typeof isHeavyPage>[0] }).db;
    vault.applyPullPage(page({ upserts: customers(0, 5) }), grantFor());
    expect(isHeavyPage(db, page({ upserts: customers(5, INLINE_MAX_RECORDS) }))).toBe(false);
    expect(isHeavyPage(db, page({ upserts: customers(5, INLINE_MAX_RECORDS + 1) }))).toBe(true);
    expect(isHeavyPage(db, page({ droppedBuckets: ['s:x'] }))).toBe(true);
    expect(isHeavyPage(db, page({ fieldPurges: [{ entity: 'contact', fields: ['phone'] }] }))).toBe(true);

    const importer = vault.openImporter();
    await importer.apply(page({ upserts: customers(5, 3), cursor: 'd1' }), grantFor());
    await importer.apply(page({ upserts: customers(8, INLINE_MAX_RECORDS + 1), cursor: 'd2' }), grantFor());
    await importer.apply(page({ droppedBuckets: ['o:u-rep'], cursor: 'd3' }), grantFor());
    await importer.close();
    expect(stored(vault)).toBe(0);
    expect(vault.getMeta('cursor')).toBe('d3');
  });

  it("brings the vault's own errors back with their codes, and applies nothing of a refused page", async () => {
    vault = await Vault.create(path, keychain.secrets);
    const importer = vault.openImporter();
    const bad = page({ upserts: customers(0, 250), fieldPurges: [{ entity: 'customer', fields: ["name') --"] }], hasMore: true, cursor: 'bad' });
    const err = await importer.apply(bad, grantFor()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).code).toBe('invalid_input');
    expect(stored(vault)).toBe(0);
    expect(vault.getMeta('cursor')).toBeNull();
    // The worker is still usable after a refused page.
    await importer.apply(page({ upserts: customers(0, 250), cursor: 'ok' }), grantFor());
    await importer.close();
    expect(stored(vault)).toBe(250);
  });

  it('dying mid-page fails that page with import_failed; the vault is intact and the next run applies it exactly once', async () => {
    vault = await Vault.create(path, keychain.secrets);
    const importer = vault.openImporter();
    await importer.apply(page({ upserts: customers(0, 300), hasMore: true, cursor: 'p1' }), grantFor());
    const big = page({ upserts: customers(300, 4000), hasMore: false, cursor: 'p2' });
    const pending = importer.apply(big, grantFor());
    await importer.kill();
    const err = await pending.then(() => null, (e: unknown) => e);
    // A dead worker fails every later page of that run the same way.
    if (err !== null) await expect(importer.apply(big, grantFor())).rejects.toMatchObject({ code: 'import_failed' });
    await importer.close();
    // Wherever the kill landed, the page is all there with its cursor, or not at all.
    if (err === null) {
      expect([stored(vault), vault.getMeta('cursor')]).toEqual([4300, 'p2']);
    } else {
      expect(err).toBeInstanceOf(VaultError);
      expect((err as VaultError).code).toBe('import_failed');
      expect([stored(vault), vault.getMeta('cursor')]).toEqual([300, 'p1']);
    }
    expect(dbOf(vault).pragma('quick_check')).toEqual([{ quick_check: 'ok' }]);

    // The next run resumes from the stored cursor: the page again, once.
    const next = vault.openImporter();
    if (err !== null) await next.apply(big, grantFor());
    await next.close();
    expect(stored(vault)).toBe(4300);
    expect(vault.getMeta('cursor')).toBe('p2');
    expect(vault.searchCustomers({ query: '客户4299', offset: 0, limit: 10 }).rows.map((r) => r.id)).toEqual(['c4299']);
  });
  it("a try-write of meta on the UI's connection does not wait while the worker's connection holds the write lock", async () => {
    vault = await Vault.create(path, keychain.secrets);
    vault.setMeta('lastTrustedTime', '1');
    // A second connection to the same file, as the import worker opens it, in the middle of a page.
    const worker = openImportConnection(path, (await keychain.secrets.get(VAULT_KEY_ACCOUNT)) as string);
    try {
      worker.exec('BEGIN IMMEDIATE');
      worker.prepare("INSERT INTO meta(key, value) VALUES ('internal:held', '1')").run();
      const started = performance.now();
      expect(vault.trySetMeta('lastTrustedTime', '2')).toBe(false);
      // Far below the connection's busy timeout (5 s), which a plain setMeta would wait out.
      expect(performance.now() - started).toBeLessThan(500);
      expect(vault.getMeta('lastTrustedTime')).toBe('1');
      worker.exec('COMMIT');
      expect(vault.trySetMeta('lastTrustedTime', '3')).toBe(true);
      expect(vault.getMeta('lastTrustedTime')).toBe('3');
      // The connection's own busy timeout is back: a plain write waits for a lock again.
      expect(dbOf(vault).pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      worker.close();
    }
  });
});
