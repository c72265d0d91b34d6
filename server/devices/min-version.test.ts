import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceView, MinAppVersions } from '../../shared/protocol/routes';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { cliOn } from '../test/cli';
import { withTestDatabase, type TestDatabase } from '../test/db';
import { createFixtureOrg } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';


describe('minimum app version per platform', () => {
  let s: TestServer | undefined;
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await t?.cleanup();
    t = undefined;
  });

  async function enroll(key: 'rep' | 'itAdmin' | 'manager', platform: string, appVersion: string): Promise<TestDevice> {
    const user = s!.fixture.users[key];
    s!.clock.advance(60_000); // a fresh TOTP step per sign-in
    return enrollTestDevice(s!.baseUrl, user.username, user.password, user.totpSecret, { now: s!.clock.now, platform, appVersion });
  }

  async function json<T>(res: Response): Promise<T> {
    return (await res.json()) as T;
  }

  const mutation = () => ({
    mutationId: randomUUID(), entity: 'activity', op: 'create', recordId: `act-${randomUUID()}`, baseVersion: null,
    fields: { subject: 'x' }, baseValues: {}, createdAt: s!.clock.now(),
  });

  it('refuses check-in, pull and push below the minimum with 426 and the minimum; an updated app is let through', async () => {
    s = await startTestServer();
    const rep = await enroll('rep', 'linux', '1.3.0');
    const manager = await enroll('manager', 'win32', '1.3.0');
    const admin = await enroll('itAdmin', 'darwin', '2.0.0');

    const before = await json<MinAppVersions>(await admin.signedFetch('GET', '/v1/admin/min-versions'));
    expect(before).toEqual({ minimums: [], belowMinimum: { win32: 0, darwin: 0, linux: 0 } });

    // Only admin.devices may set it; a rep is refused (and the refusal is audited).
    expect((await rep.signedFetch('POST', '/v1/admin/min-versions', { platform: 'linux', minVersion: '9.0.0' })).status).toBe(403);
    // Bad input: a clear 400 naming the field, nothing stored.
    const bad = await admin.signedFetch('POST', '/v1/admin/min-versions', { platform: 'linux', minVersion: 'latest' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('body.minVersion');
    expect((await admin.signedFetch('POST', '/v1/admin/min-versions', { platform: 'beos', minVersion: '1.0.0' })).status).toBe(400);

    const set = await admin.signedFetch('POST', '/v1/admin/min-versions', { platform: 'linux', minVersion: '1.4.0' });
    expect(set.status).toBe(200);
    const view = await json<MinAppVersions>(set);
    expect(view.minimums).toEqual([{ platform: 'linux', minVersion: '1.4.0', setBy: s.fixture.users.itAdmin.id, setAt: expect.any(Number) }]);
    expect(view.belowMinimum).toEqual({ win32: 0, darwin: 0, linux: 1 });

    // linux 1.3.0: every check-in, pull and push is refused with the minimum in the body
    for (const res of [
      await rep.refresh('1.3.0'),
      await rep.signedFetch('POST', '/v1/sync/pull', { cursor: null, limit: 100 }),
      await rep.signedFetch('POST', '/v1/sync/push', { mutations: [mutation()] }),
    ]) {
      expect(res.status).toBe(426);
      expect(await res.json()).toMatchObject({
        error: { code: 'app_update_required', details: { platform: 'linux', minimum: '1.4.0', current: '1.3.0' } },
      });
    }
    // another platform's minimum does not touch win32
    expect((await manager.refresh('1.3.0')).status).toBe(200);
    expect((await manager.signedFetch('POST', '/v1/sync/pull', { cursor: null, limit: 100 })).status).toBe(200);
    // a build that is not a semantic version counts as below
    expect((await rep.refresh('dev-build')).status).toBe(426);

    // the updated app checks in: its version is recorded and it syncs again
    expect((await rep.refresh('1.4.0')).status).toBe(200);
    expect((await rep.signedFetch('POST', '/v1/sync/pull', { cursor: null, limit: 100 })).status).toBe(200);
    const devices = (await json<{ devices: DeviceView[] }>(await admin.signedFetch('GET', '/v1/admin/devices'))).devices;
    expect(devices.find((d) => d.id === rep.deviceId)).toMatchObject({ platform: 'linux', appVersion: '1.4.0' });
    expect((await json<MinAppVersions>(await admin.signedFetch('GET', '/v1/admin/min-versions'))).belowMinimum.linux).toBe(0);

    // raising it again refuses the 1.4.0 app; clearing it lets anything through
    await admin.signedFetch('POST', '/v1/admin/min-versions', { platform: 'linux', minVersion: '1.4.1' });
    expect((await rep.refresh('1.4.0')).status).toBe(426);
    const cleared = await json<MinAppVersions>(await admin.signedFetch('POST', '/v1/admin/min-versions', { platform: 'linux', minVersion: null }));
    expect(cleared.minimums).toEqual([]);
    expect((await rep.refresh('1.3.0')).status).toBe(200);

    const audit = await s.database.db.selectFrom('audit_log').select(['action', 'outcome', 'target', 'details', 'actor_id'])
      .where('action', 'in', ['admin.min_version.set', 'admin.setMinAppVersion', 'device.check_in']).orderBy('seq').execute();
    const sets = audit.filter((a) => a.action === 'admin.min_version.set');
    expect(sets.map((a) => JSON.parse(a.details) as unknown)).toEqual([
      { platform: 'linux', before: null, after: '1.4.0', activeDevicesBelow: 1 },
      { platform: 'linux', before: '1.4.0', after: '1.4.1', activeDevicesBelow: 1 },
      { platform: 'linux', before: '1.4.1', after: null, activeDevicesBelow: 0 },
    ]);
    expect(audit.some((a) => a.action === 'admin.setMinAppVersion' && a.outcome === 'denied' && a.actor_id === s!.fixture.users.rep.id)).toBe(true);
    const refusedCheckIns = audit.filter((a) => a.action === 'device.check_in' && a.outcome === 'denied');
    expect(refusedCheckIns).toHaveLength(3);
    expect(JSON.parse(refusedCheckIns[0]!.details)).toEqual({ reason: 'app_update_required', platform: 'linux', minimum: '1.4.0', current: '1.3.0' });
  });

  it('the CLI sets, shows and clears a minimum, audited as the CLI', async () => {
    t = await withTestDatabase();
    await createFixtureOrg(t.db);
    const db = t;
    const cli = (...args: string[]) => cliOn(db, args);

    const set = await cli('min-version', 'set', 'win32', '1.5.0');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/win32\s+minimum 1\.5\.0 .* by cli; 0 active device\(s\) below/);
    expect((await cli('min-version', 'show')).stdout).toMatch(/darwin\s+no minimum/);
    expect((await cli('min-version', 'set', 'win32', 'soon')).code).toBe(2);
    expect((await cli('min-version', 'set', 'amiga', '1.0.0')).code).toBe(2);
    expect((await cli('min-version', 'clear', 'win32')).stdout).toMatch(/win32\s+no minimum/);
    const rows = await t.db.selectFrom('audit_log').select(['actor_id', 'details']).where('action', '=', 'admin.min_version.set').orderBy('seq').execute();
    expect(rows.map((r) => [r.actor_id, JSON.parse(r.details)])).toEqual([
      [null, { platform: 'win32', before: null, after: '1.5.0', activeDevicesBelow: 0 }],
      [null, { platform: 'win32', before: '1.5.0', after: null, activeDevicesBelow: 0 }],
    ]);
  });
});
