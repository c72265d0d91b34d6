// Fault: bytes flipped in the vault file (a failing disk, a bad sector) while edits wait in the
// outbox. Real server, real SQLCipher file, real OS keychain. The damage is found when the vault
// opens (a first page that does not decrypt) or by the integrity check that runs right after
// open, and the vault is rebuilt: the unsent edits are
// salvaged and reach the server, the rest is synced again, and the user is told (recovery
// 'repaired'). Before: a damaged middle page opened "ready" and failed reads with "unexpected
// error"; a damaged first page left the app locked at vault_corrupt with only sign-out.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_FILE } from '../../electron/core/app-service';
import { VAULT_KEY_ACCOUNT } from '../../electron/core/contracts';
import { newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../support/test-app';
import { startRealServer, type RealServer } from '../support/real-server';
import { flipBytes, middleDataPage } from './fault-kit';

describe('damaged vault pages with unsent edits', () => {
  let server: RealServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    server = await startRealServer();
  });
  afterAll(async () => {
    for (const t of apps) await t.cleanup();
    await server?.cleanup();
  });

  /** The customers in the vault: a first page of the list always carries its count. */
  async function customerCount(app: TestApp['app']): Promise<number> {
    const { total } = unwrap(await app.searchCustomers({ query: '' }));
    if (total === null) throw new Error('a first page of the list always carries its count');
    return total;
  }

  async function damagedWithEdits(label: string, page: (path: string, keyHex: string) => number): Promise<{ t: TestApp; notes: string; visitId: string; customers: number }> {
    const t = await newTestApp(label);
    apps.push(t);
    await signInAndSync(t.app, server, server.fixture.users.rep2);
    const customers = await customerCount(t.app);
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    const notes = `unsent before the damage (${label})`;
    unwrap(await t.app.updateCustomer({ id: server.customers.otherRep.id, fields: { notes } }));
    const visit = unwrap(await t.app.logActivity({ customerId: server.customers.otherRep.id, kind: 'call', text: `电话 ${label}` }));
    expect((await stateOf(t.app)).outboxCount).toBe(2);
    await t.app.close();
    const vaultPath = join(t.dataDir, VAULT_FILE);
    flipBytes(vaultPath, page(vaultPath, (await t.secrets.get(VAULT_KEY_ACCOUNT)) ?? ''));
    return { t, notes, visitId: visit.id, customers };
  }

  async function expectRepairedAndPushed(t: TestApp, notes: string, visitId: string, customers: number, customerId = server.customers.otherRep.id): Promise<void> {
    // The integrity check runs right after open, beside the app: the repair follows its verdict.
    let seen = '';
    const state = await waitFor(async () => {
      const s = await stateOf(t.app);
      seen = JSON.stringify({ phase: s.phase, reason: s.reason, sync: s.sync, recovery: s.recovery });
      return s.recovery && s.phase !== 'locked' ? s : null;
    }, 'the repair', 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; last state ${seen}`);
    });
    // The server comes back only now, so no edit could leave before the repair salvaged it.
    await server.restart();
    expect(state.recovery?.kind).toBe('repaired');
    expect(state.recovery?.keptEdits).toBe(2);
    expect(state.recovery?.lostEdits).toEqual([]);
    expect(state.phase).not.toBe('locked');
    // The first request after the restart may meet a connection the old listener closed.
    await waitFor(async () => (await t.app.syncNow()).ok, 'a sync after the server restart', 20_000);
    const after = await stateOf(t.app);
    expect(after.outboxCount, JSON.stringify({ ...after, user: null })).toBe(0);
    expect(after.phase).toBe('ready');
    expect((await server.customerRow(customerId))?.notes).toBe(notes);
    expect(await server.db.selectFrom('activities').select('id').where('id', '=', visitId).execute()).toHaveLength(1);
    // Everything else came back from the server.
    expect(await customerCount(t.app)).toBe(customers);
    expect(unwrap(await t.app.getCustomer({ id: customerId })).customer.notes).toBe(notes);
  }

  it('a damaged middle page: found by the check after open, repaired, the unsent edits reach the server', async () => {
    const { t, notes, visitId, customers } = await damagedWithEdits('middle', middleDataPage);
    await t.reopen();
    await expectRepairedAndPushed(t, notes, visitId, customers);
  });

  it('a damaged first page: repaired (not stuck at vault_corrupt), the unsent edits reach the server', async () => {
    const { t, notes, visitId, customers } = await damagedWithEdits('first', () => 1);
    await t.reopen();
    await expectRepairedAndPushed(t, notes, visitId, customers);
  });

  it('a page damaged while the app runs: the read that hits it says vault_damaged and the same repair follows', async () => {
    const t = await newTestApp('in-use');
    apps.push(t);
    await signInAndSync(t.app, server, server.fixture.users.rep);
    const customers = await customerCount(t.app);
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    const notes = 'unsent before the damage (in use)';
    unwrap(await t.app.updateCustomer({ id: server.customers.repOwn.id, fields: { notes } }));
    const visit = unwrap(await t.app.logActivity({ customerId: server.customers.repOwn.id, kind: 'call', text: '电话 in use' }));
    await t.app.close();
    // Open again (its customer pages not read yet by this run), let the check after open pass,
    // then damage the contacts table's page on disk under the running app (the edits' labels have already read the customer's page).
    const app = await t.reopen();
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await stateOf(app)).recovery ?? null).toBeNull();
    const vaultPath = join(t.dataDir, VAULT_FILE);
    flipBytes(vaultPath, middleDataPage(vaultPath, (await t.secrets.get(VAULT_KEY_ACCOUNT)) ?? '', 'contacts'));
    const read = await app.getCustomer({ id: server.customers.repOwn.id });
    expect(read.ok ? 'ok' : read.error.code).toBe('vault_damaged');
    await expectRepairedAndPushed(t, notes, visit.id, customers, server.customers.repOwn.id);
  });
});
