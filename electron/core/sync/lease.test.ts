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

/**
 * The laptop's clocks: the wall clock (real time plus an offset the test moves) and the
 * monotonic clock nobody can set. `pass(ms)` is time really passing (both move); a bare change
 * of `offset` is someone setting the wall clock.
 */
function movableClock(): Clock & { offset: number; elapsed: number; pass(ms: number): void } {
  const clock = {
    offset: 0,
    elapsed: 0,
    now: () => Date.now() + clock.offset,
    monotonic: () => performance.now() + clock.elapsed,
    pass(ms: number) {
      clock.offset += ms;
      clock.elapsed += ms;
    },
  };
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

  it('locks at the lease moment while open and offline (no call needed), and a check-in unlocks', async () => {
    const clock = movableClock();
    const t = await newTestApp('lease-lock', { clock });
    apps.push(t);
    const ready = await signInAndSync(t.app, server, server.fixture.users.rep);
    expect(ready.phase).toBe('ready');
    const states: AppState[] = [];
    t.app.onStateChange((s) => states.push(s));
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');

    // Time passes offline up to just before the lease end.
    clock.pass(ready.leaseUntil! - clock.now() - 600);
    // Only the lease watcher can get us there: nothing calls the service meanwhile (it re-checks
    // at least every 30 s, then fires at the lease moment).
    await waitFor(() => states.some((s) => s.phase === 'locked'), 'locked by the lease watcher', 45_000);
    const locked = states.find((s) => s.phase === 'locked')!;
    expect(locked.reason).toBe('lease_expired');

    // Locked: data stays encrypted and unreadable through the API; nothing is deleted.
    expect(await t.app.searchCustomers({ query: '' })).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await t.app.getCustomer({ id: server.customers.repOwn.id })).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await t.secrets.get(VAULT_KEY_ACCOUNT)).toBeTruthy();
    expect(existsSync(join(t.dataDir, VAULT_FILE))).toBe(true);

    // The server is back and the device checks in: the server's time and a fresh grant decide
    // (the laptop's clock still stands three days ahead of it).
    await server.restart();
    const after = unwrap(await t.app.syncNow());
    expect(after.phase).toBe('ready');
    expect(unwrap(await t.app.searchCustomers({ query: '' })).total).toBe(3);
  }, 90_000);

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

  it('the trusted time a look at the state moved is kept across a restart: a clock set back meanwhile is caught', async () => {
    const clock = movableClock();
    const t = await newTestApp('lease-rollback-restart', { clock });
    apps.push(t);
    await signInAndSync(t.app, server, server.fixture.users.rep2);
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');

    // Noted at once in memory, written to the vault at most once a minute, and when the app closes.
    clock.offset = 2 * HOUR;
    expect((await stateOf(t.app)).phase).toBe('ready');
    await t.app.close();
    clock.offset = 0; // set back two hours while the app was closed
    const app = await t.reopen();
    const rolledBack = await waitFor(async () => {
      const s = await stateOf(app);
      return s.phase === 'locked' ? s : null;
    }, 'the lock at the next start');
    expect(rolledBack.reason).toBe('clock_rolled_back');
    await server.restart();
  });

  it('crypto-wipes after the wipe-after period while open', async () => {
    const clock = movableClock();
    const t = await newTestApp('lease-wipe-open', { clock });
    apps.push(t);
    const ready = await signInAndSync(t.app, server, server.fixture.users.manager);
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');

    // Time really passes while the app is open (the monotonic clock agrees): the wipe is earned.
    clock.pass(ready.leaseUntil! - clock.now() + HOUR);
    expect((await stateOf(t.app)).phase).toBe('locked');
    clock.pass(ready.wipeAfter! - clock.now() + 1000);
    const wiped = await stateOf(t.app);
    expect(wiped.phase).toBe('wiped');
    expect(wiped.reason).toBe('wipe_after_expired');
    await expectShredded(t);
    await server.restart();
  });

  it('a start past the wipe-after moment, server unreachable: the check-in fails, so the device wipes on its own clock', async () => {
    const clock = movableClock();
    const t = await newTestApp('lease-wipe-start', { clock });
    apps.push(t);
    const ready = await signInAndSync(t.app, server, server.fixture.users.director);
    await t.app.close();
    await server.stop();

    // A clock this far ahead of the last trusted time is suspect only while the server can be
    // asked; it cannot, so a laptop kept offline past the wipe-after period erases its data.
    clock.offset = ready.wipeAfter! - Date.now() + HOUR;
    const app = await t.reopen();
    const state = await waitFor(async () => {
      const s = await stateOf(app);
      return s.phase === 'wiped' ? s : null;
    }, 'the wipe after a failed check-in');
    expect(state.reason).toBe('wipe_after_expired');
    await expectShredded(t);
    await server.restart();
  });
});
