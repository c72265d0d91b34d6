// Findings 7 and 14 with the REAL client (app service, sync engine, SQLCipher vault, OS keychain)
// against the REAL server; run inside a keyring session (see the project's test notes).
//   7  — a mutation the server refuses for good (a NUL in a text field: rejected per mutation; a
//        value that fails the wire schema: the whole request refused with a 400) must never block
//        the outbox: it becomes an issue the user sees, and the rest of the outbox is applied.
//   14 — a role that loses opportunity.read: after the next sync the vault file itself holds no
//        opportunity any more, while customers stay.

import Database from 'better-sqlite3-multiple-ciphers';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_FILE } from '../../electron/core/app-service';
import { VAULT_KEY_ACCOUNT } from '../../electron/core/contracts';
import { newTestApp, signInAndSync, stateOf, unwrap, type TestApp } from '../support/test-app';
import { startRealServer, type RealServer } from '../support/real-server';

async function withVault<T>(t: TestApp, fn: (db: Database.Database) => T): Promise<T> {
  const keyHex = await t.secrets.get(VAULT_KEY_ACCOUNT);
  await t.app.close();
  const db = new Database(join(t.dataDir, VAULT_FILE), { fileMustExist: true });
  db.pragma("cipher='sqlcipher'");
  db.pragma('legacy=4');
  db.pragma(`key="x'${keyHex}'"`);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('attack: the real client against refused mutations and a lost read action (findings 7, 14)', () => {
  let server: RealServer;
  let t: TestApp;

  beforeAll(async () => {
    server = await startRealServer();
    t = await newTestApp('attack-outbox');
    await signInAndSync(t.app, server, server.fixture.users.rep);
  });
  afterAll(async () => {
    await t?.cleanup();
    await server?.cleanup();
  });

  it('refused mutations leave the outbox as issues; the rest of the outbox is applied (finding 7)', async () => {
    const { repOwn, repOwn2 } = server.customers;
    const before = await server.customerRow(repOwn.id);
    const other = await server.customerRow(repOwn2.id);
    // Outbox entries as an older client (or a tampered UI) may have left them.
    const mutations = [
      { entity: 'customer', recordId: repOwn.id, fields: { notes: 'NUL\u0000inside' }, baseValues: { notes: before?.notes ?? '' } },
      { entity: 'customer', recordId: repOwn.id, fields: { city: [['nested']] }, baseValues: {} },
      { entity: 'customer', recordId: repOwn2.id, fields: { notes: 'still delivered' }, baseValues: { notes: other?.notes ?? '' } },
    ].map((m) => ({ mutationId: randomUUID(), op: 'update', baseVersion: null, createdAt: Date.now(), ...m }));
    await withVault(t, (db) => {
      const insert = db.prepare('INSERT INTO outbox(mutation_id, entity, op, record_id, customer_id, mutation) VALUES (?, ?, ?, ?, ?, ?)');
      for (const m of mutations) insert.run(m.mutationId, m.entity, m.op, m.recordId, m.recordId, JSON.stringify(m));
    });
    await t.reopen();
    unwrap(await t.app.syncNow(), 'syncNow');
    expect((await stateOf(t.app)).outboxCount).toBe(0);
    const issues = unwrap(await t.app.listIssues());
    expect(issues.map((i) => i.kind)).toEqual(['rejected', 'rejected']);
    expect((await server.customerRow(repOwn2.id))?.notes).toBe('still delivered');
    const after = await server.customerRow(repOwn.id);
    expect(after?.notes).toBe(before?.notes);
    expect(after?.city).toBe(before?.city);
  });

  it('the rep role loses opportunity.read: the next sync leaves no opportunity in the vault file (finding 14)', async () => {
    const count = (table: string) => withVault(t, (db) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    expect(await count('opportunities')).toBeGreaterThan(0);
    await t.reopen();
    const role = await server.db.selectFrom('roles').select('actions').where('id', '=', 'role-rep').executeTakeFirstOrThrow();
    const actions = (JSON.parse(role.actions) as string[]).filter((a) => !a.startsWith('opportunity.'));
    await server.db.updateTable('roles').set({ actions: JSON.stringify(actions) }).where('id', '=', 'role-rep').execute();
    unwrap(await t.app.syncNow(), 'syncNow');
    expect(await count('opportunities')).toBe(0);
    await t.reopen();
    expect(await count('customers')).toBeGreaterThan(0);
    await t.reopen();
  });
});
