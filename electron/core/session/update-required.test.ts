// The minimum app version, end to end on the client: a real server refuses the app's version,
// the real app (SQLCipher vault, OS keychain) locks WITHOUT wiping and keeps its unsent edit,
// stays locked across a restart while the server is down, and unlocks — pushing the edit —
// when IT lowers the minimum, or when an updated app checks in.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectShredded, newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';
import { VAULT_FILE } from '../app-service';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../contracts';

const PLATFORM = process.platform as 'linux' | 'darwin' | 'win32';

describe('update required: the app locks below the minimum version and unlocks when allowed', () => {
  let server: RealServer;
  let t: TestApp | undefined;
  let other: TestApp | undefined;

  beforeAll(async () => {
    server = await startRealServer();
  });
  afterAll(async () => {
    await t?.cleanup();
    await other?.cleanup();
    await server?.cleanup();
  });

  async function expectVaultKept(app: TestApp): Promise<void> {
    expect(await app.secrets.get(VAULT_KEY_ACCOUNT)).toMatch(/^[0-9a-f]{64}$/);
    expect(await app.secrets.get(DEVICE_KEY_ACCOUNT)).toBeTruthy();
    expect(existsSync(join(app.dataDir, VAULT_FILE))).toBe(true);
  }

  it('locks with its data still encrypted, keeps the unsent edit, unlocks when the minimum is lowered, then when the app is updated', async () => {
    t = await newTestApp('minver', { appVersion: '1.3.0' });
    const rep = server.fixture.users.rep;
    await signInAndSync(t.app, server, rep);
    const customers = unwrap(await t.app.searchCustomers({ query: '' })).total ?? 0;
    expect(customers).toBeGreaterThan(0);

    // IT requires 1.4.0 on this platform. The app does not know yet: an edit made now waits in the outbox.
    await server.setMinAppVersion(PLATFORM, '1.4.0');
    const created = unwrap(await t.app.createCustomer({ name: '升级前新客户 Before Update Co', type: 'company', city: '杭州' }));
    expect((await stateOf(t.app)).outboxCount).toBe(1);

    // The next check-in is refused: locked (not wiped), with the minimum, the edit still waiting.
    const refused = await t.app.syncNow();
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('app_update_required');
    let state = await stateOf(t.app);
    expect(state).toMatchObject({
      phase: 'locked', reason: 'app_update_required', outboxCount: 1,
      updateRequired: { platform: PLATFORM, minimum: '1.4.0', current: '1.3.0' },
    });
    expect(state.update?.state).toBe('unavailable'); // no updater in this build: it says so
    const locked = await t.app.searchCustomers({ query: '' });
    expect(locked.ok ? 'readable' : locked.error.code).toBe('locked');
    await expectVaultKept(t);
    expect((await server.customerRow(created.id))).toBeUndefined();

    // Restarted while the server is down: still locked at once (the refusal is kept in the vault).
    await t.app.close();
    await server.stop();
    await t.reopen();
    state = await stateOf(t.app);
    expect(state).toMatchObject({ phase: 'locked', reason: 'app_update_required', updateRequired: { minimum: '1.4.0', current: '1.3.0' } });
    expect((await t.app.searchCustomers({ query: '' })).ok).toBe(false);
    await server.restart();

    // IT lowers the minimum: the next check-in is accepted, the app unlocks and the edit is delivered.
    await server.setMinAppVersion(PLATFORM, '1.3.0');
    state = unwrap(await t.app.syncNow(), 'syncNow after lowering');
    expect(state).toMatchObject({ phase: 'ready', reason: null, updateRequired: null, outboxCount: 0 });
    expect(unwrap(await t.app.searchCustomers({ query: '' })).total).toBe(customers + 1);
    expect(await server.customerRow(created.id)).toMatchObject({ name: '升级前新客户 Before Update Co' });

    // Raised again, above this app: locked once more.
    await server.setMinAppVersion(PLATFORM, '1.5.0');
    expect((await t.app.syncNow()).ok).toBe(false);
    expect(await stateOf(t.app)).toMatchObject({ phase: 'locked', reason: 'app_update_required', updateRequired: { minimum: '1.5.0' } });

    // The updated app (1.5.0) opens the same vault: unlocked, its check-in accepted, version recorded.
    await t.app.close();
    await t.reopen({ appVersion: '1.5.0' });
    state = await waitFor(async () => {
      const s = await stateOf(t!.app);
      return s.phase === 'ready' && s.lastSyncAt !== null && s.sync.status === 'idle' ? s : null;
    }, 'the updated app ready');
    expect(state.updateRequired).toBeNull();
    expect(unwrap(await t.app.searchCustomers({ query: '' })).total).toBe(customers + 1);
    await expectVaultKept(t);
    const device = await server.db.selectFrom('devices').select(['app_version', 'status']).where('user_id', '=', rep.id).where('status', '=', 'active').executeTakeFirstOrThrow();
    expect(device.app_version).toBe('1.5.0');
    const checkIns = await server.auditRows('device.check_in');
    expect(checkIns.some((r) => JSON.parse(r.details).reason === 'app_update_required')).toBe(true);
  });

  it('a locked old app still obeys a revocation: it wipes as usual', async () => {
    await server.setMinAppVersion(PLATFORM, null);
    other = await newTestApp('minver-revoke', { appVersion: '1.0.0' });
    const manager = server.fixture.users.manager;
    await signInAndSync(other.app, server, manager);
    await waitFor(async () => (await stateOf(other!.app)).online, 'event stream connected');
    await server.setMinAppVersion(PLATFORM, '2.0.0');
    expect((await other.app.syncNow()).ok).toBe(false);
    expect(await stateOf(other.app)).toMatchObject({ phase: 'locked', reason: 'app_update_required' });

    const device = (await server.devicesOf(manager.id)).find((d) => d.status === 'active');
    await server.revokeDevice(device!.id);
    const state = await waitFor(async () => {
      const s = await stateOf(other!.app);
      return s.phase === 'revoked' ? s : null;
    }, 'revoked while update-required');
    expect(state).toMatchObject({ reason: 'device_revoked', updateRequired: null });
    await expectShredded(other);
    await server.setMinAppVersion(PLATFORM, null);
  });
});
