// Keyset paging of the customer list: walking the list page by page with `after` (the last
// row's position in the sort order) yields exactly the rows of the whole sorted list, once each,
// also across equal names and with a filter; a continuation is not counted again.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault'

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault } from '.';
import { grantFor, page, tempDir, testKeychain, upsert } from '../../../test/support/vault';

let dir: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

beforeEach(() => {
  dir = tempDir('vault-keyset');
  keychain = testKeychain('vault-keyset');
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('keyset paging', () => {
  it('pages through the sorted list without gaps or repeats, counting only the first page', async () => {
    vault = await Vault.create(join(dir, 'vault.db'), keychain.secrets);
    // Many equal names (the id breaks the tie), two cities.
    const upserts = Array.from({ length: 157 }, (_, i) =>
      upsert('customer', { id: `c${String((i * 37) % 157).padStart(3, '0')}`, name: `客户${i % 10}`, ownerId: 'u-rep', city: i % 3 ? '上海' : '北京' }, ['o:u-rep']),
    );
    vault.applyPullPage(page({ upserts }), grantFor());

    for (const city of [undefined, '北京']) {
      const all = vault.searchCustomers({ query: '', city, offset: 0, limit: 500 });
      const walked: string[] = [];
      let first = vault.searchCustomers({ query: '', city, offset: 0, limit: 20 });
      expect(first.total).toBe(all.total);
      let rows = first.rows;
      while (rows.length) {
        walked.push(...rows.map((r) => r.id));
        const last = rows[rows.length - 1]!;
        const next = vault.searchCustomers({ query: '', city, offset: 0, limit: 20, after: { name: last.name, id: last.id } });
        expect(next.total).toBeNull();
        rows = next.rows;
      }
      expect(walked).toEqual(all.rows.map((r) => r.id));
      expect(new Set(walked).size).toBe(all.total);
      first = vault.searchCustomers({ query: '', city, offset: 0, limit: 1 });
      expect(first.total).toBe(all.total);
    }
  });
});
