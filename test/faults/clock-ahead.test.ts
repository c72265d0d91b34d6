// Fault: the laptop's clock jumps far ahead while the app is closed, and the server is
// reachable. The client runs in a real child process (real SQCipher vault, real keychain, real
// server); the parent watches what the server receives and what the child reports, then kills it.
//  - 15 days ahead (past wipe-after by the laptop's clock), an edit waiting in the outbox: the
//    app checks in before wiping, the server's time and fresh grant decide, the vault is kept and
//    the edit reaches the server. (Before: the local clock alone decided and the vault was wiped.)
//  - 73 hours ahead (past the lease): the sync succeeds and the app is unlocked. (Before: the
//    sync succeeded and the app stayed locked.)

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_FILE } from '../../electron/core/app-service';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../../electron/core/contracts';
import { startRealServer, type RealServer } from '../support/real-server';
import { newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../support/test-app';
import { expectKeyKept, killAllChildren, killWhen, runChild } from './process-kit';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the clock jumped ahead, server reachable: the server\'s time decides (child process, real vault and keychain)', () => {
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

  /** Signed in, synced, then an edit made offline and the app closed with it in the outbox. */
  async function closedWithUnsentEdit(label: string, user: { id: string; username: string; password: string; totpSecret: string }, customerId: string, notes: string): Promise<TestApp> {
    const t = await newTestApp(label);
    apps.push(t);
    await signInAndSync(t.app, server, user);
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    unwrap(await t.app.updateCustomer({ id: customerId, fields: { notes } }));
    expect((await stateOf(t.app)).outboxCount).toBe(1);
    await t.app.close();
    await server.restart();
    return t;
  }

  it('15 days ahead with an unsent edit: the vault is kept and the edit reaches the server', async () => {
    const rep = server.fixture.users.rep;
    const customer = server.customers.repOwn;
    const notes = 'typed offline, clock 15 days ahead';
    const t = await closedWithUnsentEdit('fault-clock-15d', rep, customer.id, notes);

    const running = runChild(t, { SV_CHILD_CLOCK_OFFSET_MS: String(15 * DAY) });
    let pushed = false;
    await waitFor(async () => {
      pushed = (await server.customerRow(customer.id))?.notes === notes;
      return pushed || running.child.exitCode !== null;
    }, `the edit on the server\n${running.output()}`, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\nchild output:\n${running.output()}`);
    });
    await killWhen(running, () => /"phase":"ready"[^\n]*"outbox":0/.test(running.output()), 'the child ready with an empty outbox');
    expect(pushed).toBe(true);

    // Nothing was wiped: the vault and both keys are still there, and the server never saw a wipe.
    expect(existsSync(join(t.dataDir, VAULT_FILE))).toBe(true);
    await expectKeyKept(t, VAULT_KEY_ACCOUNT);
    await expectKeyKept(t, DEVICE_KEY_ACCOUNT);
    expect(running.output()).not.toMatch(/"phase":"wiped"/);
  });

  it('73 hours ahead: the sync succeeds and the app is unlocked', async () => {
    const rep2 = server.fixture.users.rep2;
    const customer = server.customers.otherRep;
    const notes = 'typed offline, clock 73 hours ahead';
    const t = await closedWithUnsentEdit('fault-clock-73h', rep2, customer.id, notes);

    const running = runChild(t, { SV_CHILD_CLOCK_OFFSET_MS: String(73 * HOUR) });
    await killWhen(running, () => /"phase":"ready"[^\n]*"sync":\{"status":"idle"[^\n]*"outbox":0/.test(running.output()), 'the child unlocked after a sync');
    expect((await server.customerRow(customer.id))?.notes).toBe(notes);
    await expectKeyKept(t, VAULT_KEY_ACCOUNT);
    expect(running.output()).not.toMatch(/"phase":"wiped"/);
  });
});
