// Finding 10 (client side): text typed into search while offline landed verbatim in the
// vault's audit queue and was uploaded into a trail that IT administrators read — a phone
// number typed into search became a copy of personal data in the audit log. A search entry
// must carry only its length, its kind and the result count.
//
// Real server on 127.0.0.1, real client core, real SQLCipher vault read back with the key from
// the real OS keychain (run inside a keyring session).

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_FILE } from '../../electron/core/app-service';
import { newTestApp, signInAndSync, unwrap, type TestApp } from '../support/test-app';
import { startRealServer, type RealServer } from '../support/real-server';
import { Vault } from '../../electron/core/vault';

/** A fragment of the seeded contacts' phone number (+86 138 0000 0000), typed offline. */
const PHONE_FRAGMENT = '138 0000 00';
const DIGITS_ONLY = PHONE_FRAGMENT.replace(/\D/g, '');

describe('attack: searched phone numbers copied into the audit trail (finding 10)', () => {
  let server: RealServer;
  let t: TestApp;

  beforeAll(async () => {
    server = await startRealServer();
    t = await newTestApp('attack-audit-search');
    await signInAndSync(t.app, server, server.fixture.users.rep);
  });
  afterAll(async () => {
    await t?.cleanup();
    await server?.cleanup();
  });

  it('keeps no search text in the vault audit queue, and uploads none', async () => {
    await server.stop();
    const found = unwrap(await t.app.searchCustomers({ query: PHONE_FRAGMENT, offset: 0, limit: 100 }), 'search');
    unwrap(await t.app.searchCustomers({ query: '王建国', offset: 0, limit: 100 }), 'search');
    await t.app.close();

    // Read the queue straight from the encrypted vault on disk.
    const vault = await Vault.open(join(t.dataDir, VAULT_FILE), t.secrets);
    let queued;
    try {
      queued = vault.pendingAudit(1000);
    } finally {
      vault.close();
    }
    const searches = queued.filter((e) => e.action === 'search');
    expect(searches).toHaveLength(2);
    const raw = JSON.stringify(queued);
    expect(raw).not.toContain(PHONE_FRAGMENT);
    expect(raw).not.toContain(DIGITS_ONLY);
    expect(raw).not.toContain('王建国');
    for (const entry of searches) expect(entry).not.toHaveProperty('query');
    expect(searches[0]).toMatchObject({ action: 'search', entity: 'customer', search: { length: PHONE_FRAGMENT.length, kind: 'digits' }, count: found.total });
    expect(searches[1]).toMatchObject({ action: 'search', entity: 'customer', search: { length: 3, kind: 'cjk' } });

    // Back online: the entries are uploaded, and the server's trail holds no search text either.
    await server.restart();
    await t.reopen();
    unwrap(await t.app.syncNow(), 'syncNow');
    const rows = await server.auditRows('offline.search');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.details).not.toContain(DIGITS_ONLY);
      expect(row.details).not.toContain('138 0000');
      expect(row.details).not.toContain('王建国');
    }
  });
});
