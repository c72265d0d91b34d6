// Fault: the client is SIGKILLed at every step of enrollment — after the device key and the
// pending-enrollment record are saved, after the server registered the device, after the vault
// was created, after the first grant was accepted. Each restart must settle the interrupted
// enrollment (retire the device on the server with a request signed by its key, delete the key
// and the half-made vault), so none of these dead devices counts toward the role's limit: on a
// role allowed two devices, two sign-ins afterwards succeed. (Before: each kill after the
// server's answer left an active device behind, and the user was locked out by `device_limit`.)

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_FILE } from '../../electron/core/app-service';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../../electron/core/contracts';
import { pendingEnrollmentPath } from '../../electron/core/session/pending-enrollment';
import { startRealServer, type RealServer } from '../support/real-server';
import { newTestApp, stateOf, type TestApp } from '../support/test-app';
import { killAllChildren, killWhen, runChild, signInFresh } from './process-kit';

const STEPS = ['key-saved', 'registered', 'vault-created', 'grant-accepted'] as const;


describe('kill at every step of enrollment, then sign in on a two-device role (child process, real vault and keychain)', () => {
  let server: RealServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    server = await startRealServer();
    // The rep's role allows two devices.
    const rep = server.fixture.users.rep;
    const user = await server.db.selectFrom('users').select('role_id').where('id', '=', rep.id).executeTakeFirstOrThrow();
    const role = await server.db.selectFrom('roles').select('offline').where('id', '=', user.role_id).executeTakeFirstOrThrow();
    const offline = { ...(JSON.parse(role.offline) as Record<string, unknown>), maxDevices: 2 };
    await server.db.updateTable('roles').set({ offline: JSON.stringify(offline) }).where('id', '=', user.role_id).execute();
  });
  afterEach(killAllChildren);
  afterAll(async () => {
    for (const t of apps) await t.cleanup();
    await server?.cleanup();
  });

  it('every interrupted enrollment is settled at the next start; two sign-ins then succeed, a third hits the real limit', async () => {
    const rep = server.fixture.users.rep;
    for (const step of STEPS) {
      const t = await newTestApp(`fault-enroll-${step}`);
      apps.push(t);
      await t.app.close();
      const running = runChild(t, {
        SV_CHILD_ENROLL: JSON.stringify({ serverUrl: server.url, username: rep.username, password: rep.password, totpSecret: rep.totpSecret }),
        SV_TEST_ENROLL_PAUSE_AT: step,
      });
      await killWhen(running, () => existsSync(join(t.dataDir, 'enroll-paused')), `enrollment paused at "${step}"`, { timeoutMs: 120_000 });
      expect(existsSync(pendingEnrollmentPath(t.dataDir))).toBe(true);
      expect(await t.secrets.get(DEVICE_KEY_ACCOUNT)).toBeTruthy();

      // The next start settles it: signed out, nothing left behind locally.
      const app = await t.reopen();
      expect((await stateOf(app)).phase).toBe('signed-out');
      expect(existsSync(pendingEnrollmentPath(t.dataDir))).toBe(false);
      expect(await t.secrets.get(DEVICE_KEY_ACCOUNT)).toBeNull();
      expect(await t.secrets.get(VAULT_KEY_ACCOUNT)).toBeNull();
      expect(existsSync(join(t.dataDir, VAULT_FILE))).toBe(false);
      // ... and on the server no active device of this user is left from it.
      expect((await server.devicesOf(rep.id)).filter((d) => d.status === 'active')).toEqual([]);
    }
    // The devices the server had registered before the kill are retired, not deleted.
    const retired = (await server.devicesOf(rep.id)).filter((d) => d.status === 'revoked');
    expect(retired.length).toBe(3); // registered, vault-created, grant-accepted
    expect((await server.auditRows('device.enrollment_abandoned')).length).toBe(3);

    // Two sign-ins on the two-device role succeed.
    for (const label of ['fault-enroll-after-1', 'fault-enroll-after-2']) {
      const t = await newTestApp(label);
      apps.push(t);
      expect((await signInFresh(t, server, rep)).phase).toBe('ready');
    }
    expect((await server.devicesOf(rep.id)).filter((d) => d.status === 'active')).toHaveLength(2);
    // A third is refused by the limit itself (the limit is real; the dead devices were not it).
    const third = await newTestApp('fault-enroll-after-3');
    apps.push(third);
    await expect(signInFresh(third, server, rep)).rejects.toThrow(/device_limit/);
  }, 420_000);
});
