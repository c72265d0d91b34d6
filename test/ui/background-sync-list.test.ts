// A background sync that changes nothing changes nothing on screen: the customer list reloads
// (and drops its loaded rows back to the first page) only when its request key changes, and the
// key follows the data version, which moves only when records changed. Driven through the app
// service with its periodic sync timer, against the REAL server, vault and keychain.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppState } from '../../shared/api/desktop-api';
import { customerListRequestKey } from '../../renderer/features/customers/list-request';
import { newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../support/test-app';
import { startRealServer, type RealServer } from '../support/real-server';

describe('background sync and the loaded customer list (real server, vault, keychain)', () => {
  let server: RealServer;
  let t: TestApp;
  const searchKey = JSON.stringify(['', {}]);

  beforeAll(async () => {
    server = await startRealServer();
    t = await newTestApp('bg-sync-list', { syncIntervalMs: 300 });
    await signInAndSync(t.app, server, server.fixture.users.rep);
  });
  afterAll(async () => {
    await t?.cleanup();
    await server?.cleanup();
  });

  const nextBackgroundSync = (after: AppState) =>
    waitFor(async () => {
      const s = await stateOf(t.app);
      return s.lastSyncAt !== null && s.lastSyncAt > (after.lastSyncAt ?? 0) && s.sync.status === 'idle' ? s : null;
    }, 'a background sync');

  it('a sync with no changes keeps the list key (loaded rows stay); a changed record moves it', async () => {
    const before = await stateOf(t.app);
    expect(before.phase).toBe('ready');
    // The list as loaded on screen: two pages of two rows.
    const loaded = [
      ...unwrap(await t.app.searchCustomers({ query: '', offset: 0, limit: 2 })).rows,
      ...unwrap(await t.app.searchCustomers({ query: '', offset: 2, limit: 2 })).rows,
    ];
    expect(loaded.length).toBe(3);
    const keyBefore = customerListRequestKey(searchKey, before);

    // Two background syncs with nothing new on the server.
    const idle1 = await nextBackgroundSync(before);
    const idle2 = await nextBackgroundSync(idle1);
    expect(idle2.lastSyncAt).toBeGreaterThan(before.lastSyncAt ?? 0);
    expect(idle2.dataVersion).toBe(before.dataVersion);
    expect(customerListRequestKey(searchKey, idle2)).toBe(keyBefore);
    // Nothing to reload, and what a reload would show is what is on screen.
    expect(unwrap(await t.app.searchCustomers({ query: '', offset: 0, limit: 4 })).rows).toEqual(loaded);

    // A record changed on the server: the next background sync moves the version and the key.
    const { repOwn } = server.customers;
    await server.updateCustomer(repOwn.id, { city: 'Hangzhou' });
    const changed = await waitFor(async () => {
      const s = await stateOf(t.app);
      return s.dataVersion !== before.dataVersion ? s : null;
    }, 'the change to arrive');
    expect(changed.dataVersion).toBeGreaterThan(before.dataVersion);
    expect(customerListRequestKey(searchKey, changed)).not.toBe(keyBefore);
    expect(unwrap(await t.app.searchCustomers({ query: '', offset: 0, limit: 4 })).rows.find((r) => r.id === repOwn.id)?.city).toBe('Hangzhou');

    // And quiet again afterwards.
    const settled = await nextBackgroundSync(await stateOf(t.app));
    const quiet = await nextBackgroundSync(settled);
    expect(quiet.dataVersion).toBe(settled.dataVersion);
  });

  it('a local edit moves the data version', async () => {
    const before = await stateOf(t.app);
    unwrap(await t.app.updateCustomer({ id: server.customers.repOwn.id, fields: { notes: 'edited here' } }));
    expect((await stateOf(t.app)).dataVersion).toBeGreaterThan(before.dataVersion);
  });
});
