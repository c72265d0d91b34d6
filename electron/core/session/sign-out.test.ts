// Sign-out against the REAL server, vault and keychain: the device tells the server before it
// wipes itself, so a role allowed one device can sign out and in again as often as it likes, and
// the same installation signing in again raises no "new device" alert.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSettingsFile } from '../local-settings';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VAULT_KEY_ACCOUNT } from '../contracts';
import { VAULT_FILE } from './options';
import { expectShredded, newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';

describe('sign-out retires the device on the server', () => {
  let server: RealServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    server = await startRealServer();
  });
  afterAll(async () => {
    for (const t of apps) await t.cleanup();
    await server?.cleanup();
  });

  it('sign out → sign in four times in a row on a role allowed one device; one new-device alert', async () => {
    const rep = server.fixture.users.rep;
    const role = await server.db.selectFrom('roles').select('offline').where('id', '=', rep.roleId).executeTakeFirstOrThrow();
    const offline = { ...(JSON.parse(role.offline) as Record<string, unknown>), maxDevices: 1 };
    await server.db.updateTable('roles').set({ offline: JSON.stringify(offline) }).where('id', '=', rep.roleId).execute();

    const t = await newTestApp('sign-out');
    apps.push(t);
    for (let round = 0; round < 4; round++) {
      // This test is about devices, not TOTP: let the same time step be used again.
      await server.db.updateTable('users').set({ last_totp_step: null }).where('id', '=', rep.id).execute();
      const state = await signInAndSync(t.app, server, rep);
      expect(state.phase).toBe('ready');
      unwrap(await t.app.signOut(), 'signOut');
      expect((await stateOf(t.app)).phase).toBe('signed-out');
      await expectShredded(t);
    }

    const devices = await server.db.selectFrom('devices').selectAll().where('user_id', '=', rep.id).orderBy('enrolled_at').execute();
    expect(devices).toHaveLength(4);
    const installId = new LocalSettingsFile(t.dataDir).read().installId;
    expect(installId).toMatch(/^[0-9a-f-]{36}$/);
    for (const d of devices) {
      expect(d).toMatchObject({ status: 'revoked', revoke_reason: 'signed_out', install_id: installId, last_ip: '127.0.0.1' });
      expect(d.host_name).toBeTruthy();
      expect(d.os_version).toBeTruthy();
      expect(d.name.startsWith(d.host_name!)).toBe(true);
    }
    const alerts = await server.db.selectFrom('alerts').select('device_id').where('rule', '=', 'new_device').where('user_id', '=', rep.id).execute();
    expect(alerts.map((a) => a.device_id)).toEqual([devices[0]!.id]);
  });

  it('offline with unsent changes: sign-out is refused as "unsent changes", the vault and the changes stay; online it uploads them, then signs out', async () => {
    const rep = server.fixture.users.rep;
    await server.db.updateTable('users').set({ last_totp_step: null }).where('id', '=', rep.id).execute();
    const t = await newTestApp('sign-out-offline');
    apps.push(t);
    await signInAndSync(t.app, server, rep);
    const { repOwn } = server.customers;
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    unwrap(await t.app.updateCustomer({ id: repOwn.id, fields: { notes: '退出前的修改 before sign-out' } }));
    unwrap(await t.app.updateCustomer({ id: repOwn.id, fields: { address: '上海市浦东新区' } }));

    const refused = await t.app.signOut();
    expect(refused).toMatchObject({ ok: false, error: { code: 'unsent_changes' } });
    const state = await stateOf(t.app);
    expect(state).toMatchObject({ phase: 'ready', outboxCount: 2 });
    expect(await t.secrets.get(VAULT_KEY_ACCOUNT)).toBeTruthy();
    expect(existsSync(join(t.dataDir, VAULT_FILE))).toBe(true);
    expect(unwrap(await t.app.getCustomer({ id: repOwn.id })).customer.notes).toBe('退出前的修改 before sign-out');

    await server.restart();
    unwrap(await t.app.signOut(), 'signOut');
    expect((await stateOf(t.app)).phase).toBe('signed-out');
    await expectShredded(t);
    expect((await server.customerRow(repOwn.id))?.notes).toBe('退出前的修改 before sign-out');
  });
});

