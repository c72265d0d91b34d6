// The offline lease through the app service with an INJECTED clock (real server, vault,
// keychain): lock at the lease moment while the app is open, unlock after a check-in; a clock
// set backwards is treated as expired; crypto-wipe after the wipe-after period, while open and
// at the next start.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppState } from '../../../shared/api/desktop-api';
import { VAULT_FILE } from '../app-service';
import type { Clock } from '../contracts';
import { VAULT_KEY_ACCOUNT } from '../contracts';
import { expectShredded, newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';

const HOUR = 3_600_000;

/** Real time plus an offset the test moves (the "system clock" of the laptop). */
function movableClock(): Clock & { offset: number } {
  const clock = { offset: 0, now: () => Date.now() + clock.offset };
  return clock;
}

describe('offline lease with an injected clock (through the app service)', () => {
  let server: RealServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    server = await startRealServer();
  });
  afterAll(async () => {
    for (const t of apps) await t.cleanup();
    await server?.cleanup();
  });

  it('locks at the lease moment while open (no call needed), and a check-in unlocks', async () => {
    const clock = movableClock();
    const t = await newTestApp('lease-lock', { clock });
    apps.push(t);
    const ready = await signInAndSync(t.app, server, server.fixture.users.rep);
    expect(ready.phase).toBe('ready');
    const states: AppState[] = [];
    t.app.onStateChange((s) => states.push(s));

    // The laptop's clock now stands just before the lease end; a check-in restarts the watcher.
    clock.offset = ready.leaseUntil! - Date.now() - 600;
    unwrap(await t.app.syncNow());
    // Only the lease watcher can get us there: nothing calls the service meanwhile.
    await waitFor(() => states.some((s) => s.phase === 'locked'), 'locked by the lease watcher');
    const locked = states.find((s) => s.phase === 'locked')!;
    expect(locked.reason).toBe('lease_expired');

    // Locked: data stays encrypted and unreadable through the API; nothing is deleted.
    expect(await t.app.searchCustomers({ query: '' })).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await t.app.getCustomer({ id: server.customers.repOwn.id })).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await t.secrets.get(VAULT_KEY_ACCOUNT)).toBeTruthy();
    expect(existsSync(join(t.dataDir, VAULT_FILE))).toBe(true);

    // The clock is put right and the device checks in: a fresh grant unlocks it.
    clock.offset = 0;
    const after = unwrap(await t.app.syncNow());
    expect(after.phase).toBe('ready');
    expect(unwrap(await t.app.searchCustomers({ query: '' })).total).toBe(3);
  });

  it('a clock set backwards (offline) is treated as expired, and unlocks only when it is right again', async () => {
    const clock = movableClock();
    const t = await newTestApp('lease-rollback', { clock });
    apps.push(t);
    await signInAndSync(t.app, server, server.fixture.users.rep2);
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');

    clock.offset = 2 * HOUR; // time passes normally: trusted time moves forward
    expect((await stateOf(t.app)).phase).toBe('ready');
    clock.offset = 0; // the user sets the clock back two hours to stretch the lease
    const rolledBack = await stateOf(t.app);
    expect(rolledBack.phase).toBe('locked');
    expect(rolledBack.reason).toBe('clock_rolled_back');
    expect(await t.app.searchCustomers({ query: '' })).toMatchObject({ ok: false, error: { code: 'locked' } });

    clock.offset = 2 * HOUR + 60_000;
    expect((await stateOf(t.app)).phase).toBe('ready');
    await server.restart();
  });

  it('crypto-wipes after the wipe-after period while open', async () => {
    const clock = movableClock();
    const t = await newTestApp('lease-wipe-open', { clock });
    apps.push(t);
    const ready = await signInAndSync(t.app, server, server.fixture.users.manager);
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');

    clock.offset = ready.leaseUntil! - Date.now() + HOUR;
    expect((await stateOf(t.app)).phase).toBe('locked');
    clock.offset = ready.wipeAfter! - Date.now() + 1000;
    const wiped = await stateOf(t.app);
    expect(wiped.phase).toBe('wiped');
    expect(wiped.reason).toBe('wipe_after_expired');
    await expectShredded(t);
    await server.restart();
  });

  it('crypto-wipes at the next start when the wipe-after period passed while the app was closed', async () => {
    const clock = movableClock();
    const t = await newTestApp('lease-wipe-start', { clock });
    apps.push(t);
    const ready = await signInAndSync(t.app, server, server.fixture.users.director);
    await t.app.close();
    await server.stop();

    clock.offset = ready.wipeAfter! - Date.now() + HOUR;
    const app = await t.reopen();
    const state = await stateOf(app);
    expect(state.phase).toBe('wiped');
    await expectShredded(t);
    await server.restart();
  });
});
