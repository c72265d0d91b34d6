// Enrollment + first sync against the REAL server over HTTP, into a REAL SQLCipher vault whose
// key sits in the REAL OS keychain (run inside dbus-run-session with gnome-keyring).

import Database from 'better-sqlite3-multiple-ciphers';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppState } from '../../../shared/api/desktop-api';
import { STRUCTURAL_FIELDS, type EntityType } from '../../../shared/domain/model';
import { readableFields } from '../../../shared/permissions/engine';
import { VAULT_FILE } from '../app-service';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../contracts';
import { newTestApp, signInAndSync, stateOf, unwrap, type TestApp } from '../../../test/support/test-app';
import { startRealServer, totpFor, type RealServer } from '../../../test/support/real-server';
import { decodeStoredGrant } from '../../../test/support/vault';

const TABLES: Record<EntityType, string> = { customer: 'customers', contact: 'contacts', opportunity: 'opportunities', activity: 'activities' };

function openWithKey(path: string, keyHex: string | null) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma("cipher='sqlcipher'");
  db.pragma('legacy=4');
  if (keyHex) db.pragma(`key="x'${keyHex}'"`);
  return db;
}

describe('enrollment and first sync (real server, real vault, real keychain)', () => {
  let server: RealServer;
  let t: TestApp;

  beforeAll(async () => {
    server = await startRealServer();
    t = await newTestApp('enroll');
  });
  afterAll(async () => {
    await t?.cleanup();
    await server?.cleanup();
  });

  it('signs in with password + TOTP, enrolls, pins the server key and completes the first sync', async () => {
    const before = await stateOf(t.app);
    expect(before.phase).toBe('signed-out');

    const seen: AppState[] = [];
    t.app.onStateChange((s) => seen.push(s));
    const state = await signInAndSync(t.app, server, server.fixture.users.rep);
    expect(state.phase).toBe('ready');
    expect(state.user?.username).toBe('rep.li');
    expect(state.lastSyncAt).not.toBeNull();
    expect(state.leaseUntil).toBeGreaterThan(Date.now());
    // First sync showed progress, and the phases went signed-out → first-sync → ready.
    expect(seen.some((s) => s.phase === 'first-sync' && s.progress?.task === 'first-sync')).toBe(true);
    expect(seen.at(-1)?.phase).toBe('ready');

    // Keys live in the keychain, not on disk.
    expect(await t.secrets.get(VAULT_KEY_ACCOUNT)).toMatch(/^[0-9a-f]{64}$/);
    expect(await t.secrets.get(DEVICE_KEY_ACCOUNT)).toBeTruthy();
    const settings = JSON.parse(readFileSync(join(t.dataDir, 'settings.json'), 'utf8')) as { pinnedServerKeys: Record<string, { x: string }> };
    const served = (await (await fetch(`${server.url}/v1/server-key`)).json()) as { jwk: { x: string } };
    expect(settings.pinnedServerKeys[server.url]?.x).toBe(served.jwk.x);

    const list = unwrap(await t.app.searchCustomers({ query: '' }));
    expect(list.rows.map((r) => r.id).sort()).toEqual(
      [server.customers.repOwn.id, server.customers.repOwn2.id, server.customers.sharedWithRep.id].sort(),
    );
    // Chinese substring search through the app service.
    const found = unwrap(await t.app.searchCustomers({ query: '华为' }));
    expect(found.rows.map((r) => r.name)).toEqual([server.customers.repOwn.name]);
  });

  it('the vault file holds only own + shared customers and no field above the rep clearance', async () => {
    const keyHex = await t.secrets.get(VAULT_KEY_ACCOUNT);
    await t.app.close();

    const db = openWithKey(join(t.dataDir, VAULT_FILE), keyHex);
    try {
      const grant = decodeStoredGrant((db.prepare("SELECT value FROM meta WHERE key = 'grant'").get() as { value: string }).value);
      expect(grant?.readClearance).toBe('sensitive');
      const customerIds = (db.prepare('SELECT id FROM customers').all() as { id: string }[]).map((r) => r.id).sort();
      expect(customerIds).toEqual([server.customers.repOwn.id, server.customers.repOwn2.id, server.customers.sharedWithRep.id].sort());
      expect(customerIds).not.toContain(server.customers.otherRep.id);

      for (const entity of Object.keys(TABLES) as EntityType[]) {
        const allowed = new Set([...STRUCTURAL_FIELDS[entity], ...readableFields(entity, 'sensitive', grant!.classification)]);
        const rows = db.prepare(`SELECT record FROM ${TABLES[entity]}`).all() as { record: string }[];
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          const keys = Object.keys(JSON.parse(row.record) as object);
          expect(keys.filter((k) => !allowed.has(k))).toEqual([]);
          for (const c of Object.values(server.customers)) for (const secret of c.secrets) expect(row.record).not.toContain(secret);
        }
      }
      // The confidential fields are absent (not nulled) and the sensitive one is present.
      const own = JSON.parse((db.prepare('SELECT record FROM customers WHERE id = ?').get(server.customers.repOwn.id) as { record: string }).record) as Record<string, unknown>;
      expect('creditLimit' in own).toBe(false);
      expect('paymentTerms' in own).toBe(false);
      expect(own.taxId).toBe('91440300TAXREP01');
      // Nothing of the other rep's customer, not even its children.
      const leaked = db.prepare('SELECT count(*) AS n FROM contacts WHERE customer_id = ?').get(server.customers.otherRep.id) as { n: number };
      expect(leaked.n).toBe(0);
    } finally {
      db.close();
    }
  });

  it('without the key the file cannot be opened and holds none of the synced names as plain bytes', () => {
    const path = join(t.dataDir, VAULT_FILE);
    const noKey = openWithKey(path, null);
    expect(() => noKey.prepare('SELECT count(*) FROM sqlite_master').get()).toThrow();
    noKey.close();
    const wrongKey = openWithKey(path, 'ab'.repeat(32));
    expect(() => wrongKey.prepare('SELECT count(*) FROM sqlite_master').get()).toThrow();
    wrongKey.close();

    const files = [path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p));
    expect(files.length).toBeGreaterThan(0);
    const synced = [server.customers.repOwn, server.customers.repOwn2, server.customers.sharedWithRep];
    for (const bytes of files) {
      for (const c of synced) {
        expect(bytes.indexOf(Buffer.from(c.name, 'utf8'))).toBe(-1);
        expect(bytes.indexOf(Buffer.from(c.contactName, 'utf8'))).toBe(-1);
      }
      expect(bytes.indexOf(Buffer.from('SQLite format 3'))).toBe(-1);
    }
  });

  it('reopens from the keychain after a restart and keeps serving the data', async () => {
    const app = await t.reopen();
    const state = await stateOf(app);
    expect(state.phase).toBe('ready');
    expect(unwrap(await app.searchCustomers({ query: 'Contoso' })).total).toBe(1);
  });

  it('refuses a second enrollment that sees a different server key (pin check)', async () => {
    // Re-pin by hand to a key that is not the server's: the next enrollment must refuse.
    const other = await newTestApp('pin');
    try {
      const settingsPath = join(other.dataDir, 'settings.json');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(settingsPath, JSON.stringify({ pinnedServerKeys: { [server.url]: { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) } } }));
      const user = server.fixture.users.rep2;
      unwrap(await other.app.signIn({ serverUrl: server.url, username: user.username, password: user.password }));
      let result = await other.app.verifyMfa({ code: totpFor(user) });
      if (!result.ok && result.error.code === 'mfa_invalid') result = await other.app.verifyMfa({ code: totpFor(user, 1) });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('server_key_mismatch');
      // Nothing left behind: no device key, no vault.
      expect(await other.secrets.get(DEVICE_KEY_ACCOUNT)).toBeNull();
      expect(existsSync(join(other.dataDir, VAULT_FILE))).toBe(false);
    } finally {
      await other.cleanup();
    }
  });

  it('validates every input and answers with Result values, never throws', async () => {
    const bad = await t.app.getCustomer({ id: "x' OR 1=1 --" });
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const missing = await t.app.getCustomer({ id: 'no-such-customer' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // @ts-expect-error wrong input type on purpose
    const wrong = await t.app.setLocale({ locale: 'fr' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });
});
