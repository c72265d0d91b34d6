// Fault: the vault's WAL is deleted while the app runs (a cleaner, a backup restore, a sync
// tool), then the app is SIGKILLed. Real server, real SQLCipher file, real OS keychain, a real
// child process. The vault is back behind its keychain mark: the app must name that (recovery
// 'rolled_back'), list exactly the edits it lost, and still push the edit that survived.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_FILE } from '../../electron/core/app-service';
import { newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../support/test-app';
import { startRealServer, type RealServer } from '../support/real-server';
import { killAllChildren, killWhen, runChild } from './process-kit';

describe('vault rolled back (WAL deleted, then SIGKILL)', () => {
  let server: RealServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    server = await startRealServer();
  });
  afterEach(killAllChildren);
  afterAll(async () => {
    for (const t of apps) await t.cleanup();
    await server?.cleanup();
  });

  it('names the lost edits and pushes the edit that survived', async () => {
    const t = await newTestApp('rollback');
    apps.push(t);
    const customer = server.customers.otherRep;
    await signInAndSync(t.app, server, server.fixture.users.rep2);

    // Acknowledged by the server.
    unwrap(await t.app.updateCustomer({ id: customer.id, fields: { industry: 'acknowledged before the fault' } }));
    unwrap(await t.app.syncNow());
    expect((await stateOf(t.app)).outboxCount).toBe(0);

    // Accepted offline, and checkpointed into the vault file by a clean close: survives.
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    unwrap(await t.app.updateCustomer({ id: customer.id, fields: { notes: 'survives the rollback' } }));
    const survivor = unwrap(await t.app.listOutbox()).map((e) => e.mutationId);
    expect(survivor).toHaveLength(1);
    await t.app.close();
    expect(await t.secrets.get('vault-key')).toMatch(/^[0-9a-f]{64}$/);

    // A second run accepts three more edits (only in the WAL), then the WAL goes and the app dies.
    const vaultPath = join(t.dataDir, VAULT_FILE);
    const doneFile = join(t.dataDir, 'edits-done');
    const running = runChild(t, { SV_CHILD_EDITS: JSON.stringify({ customerId: customer.id, count: 3 }), SV_CHILD_PAUSE_FILE: doneFile });
    await killWhen(running, () => existsSync(doneFile), 'the child accepted its edits', { timeoutMs: 60_000, before: () => rmSync(`${vaultPath}-wal`) });
    const childOutbox = JSON.parse(readFileSync(doneFile, 'utf8')) as string[];
    const lostIds = childOutbox.filter((id) => !survivor.includes(id));
    expect(lostIds).toHaveLength(3);

    await server.restart();
    const app = await t.reopen();
    const state = await stateOf(app);
    expect(state.recovery?.kind).toBe('rolled_back');
    expect(state.recovery?.lostEdits.map((e) => e.mutationId).sort()).toEqual([...lostIds].sort());
    expect(state.recovery?.lostEdits.every((e) => e.entity === 'customer' && e.recordId === customer.id)).toBe(true);
    expect(state.recovery?.keptEdits).toBe(1);

    unwrap(await app.syncNow());
    expect((await stateOf(app)).outboxCount).toBe(0);
    const row = await server.customerRow(customer.id);
    expect(row?.notes).toBe('survives the rollback');
    expect(row?.industry).toBe('acknowledged before the fault');

    // The notice outlives a restart (it lists edits to enter again) until the user dismisses it.
    await app.close();
    const again = await t.reopen();
    expect((await stateOf(again)).recovery?.lostEdits.map((e) => e.mutationId).sort()).toEqual([...lostIds].sort());
    expect(unwrap(await again.dismissRecovery()).recovery).toBeNull();
    await again.close();
    const afterDismiss = await t.reopen();
    expect((await stateOf(afterDismiss)).recovery).toBeNull();
  });
});
