// An unfinished enrollment frees its device slot: the device retires itself with a request signed
// by its key (only while it never checked in), and the server retires a device that never checked
// in within its window at the user's next enrollment. Runs on SQLite and PostgreSQL.

import { sign } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_IDS } from '../../shared/permissions/default-roles';
import { abandonEnrollmentMessage } from '../../shared/protocol/routes';
import { enrollTestDevice, newDeviceKey, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';

describe('enrollment lifecycle: abandoned and overdue enrollments do not hold a device slot', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer();
  });
  afterEach(async () => {
    await s.close();
  });

  const enroll = (): Promise<TestDevice> => {
    const u = s.fixture.users.rep;
    return enrollTestDevice(s.baseUrl, u.username, u.password, u.totpSecret, { now: s.clock.now });
  };
  const abandon = (body: unknown) =>
    fetch(`${s.baseUrl}/v1/devices/abandon-enrollment`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const statusOf = async (id: string) =>
    (await s.ctx.db.selectFrom('devices').select(['status', 'revoke_reason']).where('id', '=', id).executeTakeFirstOrThrow());

  it('a device that never checked in retires itself with its key; a checked-in device cannot; a forged signature is a 400', async () => {
    const dead = await enroll();
    const signature = sign(null, Buffer.from(abandonEnrollmentMessage(dead.publicKey)), dead.privateKey).toString('base64url');

    const other = newDeviceKey();
    const forged = sign(null, Buffer.from(abandonEnrollmentMessage(dead.publicKey)), other.privateKey).toString('base64url');
    const refused = await abandon({ publicKey: dead.publicKey, signature: forged });
    expect(refused.status).toBe(400);
    expect((await statusOf(dead.deviceId)).status).toBe('active');

    const res = await abandon({ publicKey: dead.publicKey, signature });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ retired: true });
    expect(await statusOf(dead.deviceId)).toEqual({ status: 'revoked', revoke_reason: 'enrollment_abandoned' });

    const live = await enroll();
    expect((await live.refresh()).status).toBe(200); // the first check-in completes its enrollment
    const liveSig = sign(null, Buffer.from(abandonEnrollmentMessage(live.publicKey)), live.privateKey).toString('base64url');
    expect(await (await abandon({ publicKey: live.publicKey, signature: liveSig })).json()).toEqual({ retired: false });
    expect((await statusOf(live.deviceId)).status).toBe('active');
  });

  it('a device silent past its check-in window is retired at the next enrollment and does not count toward the limit', async () => {
    // The rep role allows a fixed number of devices: fill them with devices that never check in.
    const role = await s.ctx.db.selectFrom('roles').select('offline').where('id', '=', DEFAULT_ROLE_IDS.rep).executeTakeFirstOrThrow();
    const { maxDevices } = JSON.parse(role.offline) as { maxDevices: number };
    const silent: TestDevice[] = [];
    for (let i = 0; i < maxDevices; i++) silent.push(await enroll());
    await expect(enroll()).rejects.toThrow(/device_limit/);

    s.clock.advance(31 * 60_000);
    const fresh = await enroll();
    expect((await statusOf(fresh.deviceId)).status).toBe('active');
    for (const d of silent) expect(await statusOf(d.deviceId)).toEqual({ status: 'revoked', revoke_reason: 'enrollment_abandoned' });
    const audit = await s.ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'device.enrollment_abandoned').execute();
    expect(audit).toHaveLength(maxDevices);
  });
});
