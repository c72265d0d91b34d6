// Fault: the client is SIGKILLed in the middle of a revocation wipe (keychain entries already
// deleted, files not yet). The wipe confirmation was signed with the device key before the key
// went; it must survive the kill and reach the server at the next start, so IT sees "wipe
// confirmed" for that laptop. (Before: it was held only in memory and lost with the process.)

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_FILE } from '../../electron/core/app-service';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../../electron/core/contracts';
import { wipeConfirmationPath } from '../../electron/core/wipe';
import { startRealServer, type RealServer } from '../support/real-server';
import { newTestApp, stateOf, waitFor, type TestApp } from '../support/test-app';
import { killAllChildren, killWhen, runChild, signInFresh } from './process-kit';

describe('kill mid-wipe: the wipe confirmation is sent at the next start (real server, vault, keychain)', () => {
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

  for (const step of ['marker', 'keychain', 'files'] as const) {
    it(`killed after the wipe's "${step}" step: the server shows the wipe confirmed after the next start`, async () => {
      const t = await newTestApp(`fault-wipe-${step}`);
      apps.push(t);
      const manager = server.fixture.users.manager;
      await signInFresh(t, server, manager);
      await t.app.close();
      const device = (await server.devicesOf(manager.id)).find((d) => d.status === 'active')!;
      await server.revokeDevice(device.id);

      const vaultPath = join(t.dataDir, VAULT_FILE);
      const running = runChild(t, { SV_TEST_WIPE_PAUSE_AFTER: step });
      await killWhen(running, () => existsSync(`${vaultPath}.wipe-paused`), `the wipe paused after "${step}"`);

      // Killed mid-wipe: the server has not heard of the wipe yet.
      const before = (await server.devicesOf(manager.id)).find((d) => d.id === device.id)!;
      expect(before.status).toBe('revoked');
      expect(before.wipe_confirmed_at).toBeNull();
      if (step !== 'marker') expect(await t.secrets.get(DEVICE_KEY_ACCOUNT)).toBeNull();

      const app = await t.reopen();
      expect((await stateOf(app)).phase).toBe('revoked');
      const confirmed = await waitFor(async () => {
        const row = (await server.devicesOf(manager.id)).find((d) => d.id === device.id);
        return row?.wipe_confirmed_at ?? null;
      }, 'the wipe confirmation to reach the server');
      expect(confirmed).toBeGreaterThan(0);
      await waitFor(async () => (await server.auditRows('device.wipe_confirmed')).some((r) => r.target === device.id), 'the confirmation audited');
      // Sent: the file is gone, and the wipe finished (keys and vault files gone).
      await waitFor(() => !existsSync(wipeConfirmationPath(t.dataDir)), 'the pending confirmation removed');
      expect(await t.secrets.get(VAULT_KEY_ACCOUNT)).toBeNull();
      expect(existsSync(vaultPath)).toBe(false);
    });
  }
});
