import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { totpCode } from './totp';
import { approveWith } from '../test/approvals';
import { enrollTestDevice, newDeviceKey, signInWithMfa } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';

async function post(s: TestServer, path: string, body: unknown) {
  const res = await fetch(s.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // Response bodies are checked field by field below; typing each one would only restate the schemas.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, json: (await res.json()) as any };
}

describe('sign-in → MFA → enrollment', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer();
  });
  afterEach(async () => {
    await s.close();
  });

  it('enrolls a device and returns a grant signed by the published server key', async () => {
    const { rep } = s.fixture.users;
    const device = await enrollTestDevice(s.baseUrl, rep.username, rep.password, rep.totpSecret);
    expect(decodeProtectedHeader(device.grant).typ).toBe('sv-grant+jwt');
    const claims = decodeJwt(device.grant);
    expect(claims).toMatchObject({ sub: rep.id, did: device.deviceId, dataScope: 'own', readClearance: 'sensitive' });
    expect(claims.buckets).toEqual([`o:${rep.id}`]);
    const row = await s.database.db.selectFrom('devices').selectAll().where('id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect(row.public_key).toBe(device.publicKey);
    const actions = (await s.database.db.selectFrom('audit_log').select(['action', 'outcome']).orderBy('seq').execute()).map(
      (r) => `${r.action}:${r.outcome}`,
    );
    // alert.* entries come from the anomaly monitor (a new device; off-hours when run at night).
    expect(actions.filter((a) => !a.startsWith('alert.'))).toEqual(['auth.sign_in:ok', 'auth.mfa:ok', 'device.enroll:ok']);
    expect(actions).toContain('alert.raised:ok');
  });

  it('a 6th wrong password from the same address finds the username locked there, even with the right password', async () => {
    const { rep } = s.fixture.users;
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await post(s, '/v1/auth/sign-in', { username: rep.username, password: 'wrong password!' }));
    // The lock does not show in the answer: a locked username answers like a wrong password.
    answers.push(await post(s, '/v1/auth/sign-in', { username: rep.username, password: 'wrong password!' }));
    answers.push(await post(s, '/v1/auth/sign-in', { username: rep.username, password: rep.password }));
    for (const r of answers) {
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('invalid_credentials');
    }
    const lockouts = await s.database.db.selectFrom('audit_log').select('action').where('action', '=', 'auth.lockout').execute();
    expect(lockouts).toHaveLength(1);
    const denied = await s.database.db.selectFrom('audit_log').select('details').where('action', '=', 'auth.sign_in').where('outcome', '=', 'denied').execute();
    expect(denied.map((d) => JSON.parse(d.details).reason)).toEqual(['account_locked', 'account_locked']);
  });

  it('a short wrong password is a wrong password (the answer never states the policy), and counts as a failure', async () => {
    const { rep } = s.fixture.users;
    const short = await post(s, '/v1/auth/sign-in', { username: rep.username, password: 'abc' });
    expect(short.status).toBe(401);
    expect(short.json.error.code).toBe('invalid_credentials');
    expect(JSON.stringify(short.json)).not.toMatch(/8|characters|length/);
    const rows = await s.database.db.selectFrom('sign_in_throttle').select(['ip', 'failures']).where('username', '=', rep.username).execute();
    expect(rows.map((r) => r.failures)).toEqual([1, 1]);
  });

  it('a lock found at the code step says when it ends, as a time and as the seconds left', async () => {
    s.clock.freeze();
    const { rep } = s.fixture.users;
    const step = await post(s, '/v1/auth/sign-in', { username: rep.username, password: rep.password });
    const wrongCode = totpCode(rep.totpSecret, s.clock.now() - 10 * 60_000);
    for (let i = 0; i < 5; i++) expect((await post(s, '/v1/auth/mfa', { mfaToken: step.json.mfaToken, code: wrongCode })).json.error.code).toBe('mfa_invalid');
    s.clock.advance(4 * 60_000);
    const locked = await post(s, '/v1/auth/mfa', { mfaToken: step.json.mfaToken, code: totpCode(rep.totpSecret, s.clock.now()) });
    expect(locked.status).toBe(423);
    expect(locked.json.error.code).toBe('account_locked');
    expect(locked.json.error.details).toEqual({ lockedUntil: s.clock.now() + 11 * 60_000, retryAfterSeconds: 11 * 60 });
  });

  it('a first sign-in without TOTP offers an otpauth URI, and the first good code promotes it', async () => {
    s.clock.freeze(); // the code-reuse check below must stay within one time step
    const { itAdmin } = s.fixture.users;
    const admin = await enrollTestDevice(s.baseUrl, itAdmin.username, itAdmin.password, itAdmin.totpSecret, { now: s.clock.now });
    const created = await admin.signedFetch('POST', '/v1/admin/users', {
      username: 'new.hire', displayName: 'New Hire', password: 'a long password', unitId: s.fixture.units.teamA.id,
      roleId: 'role-rep',
    });
    // A new account that reads customers exists once a second administrator approves it.
    const { itAdmin2 } = s.fixture.users;
    await approveWith(await enrollTestDevice(s.baseUrl, itAdmin2.username, itAdmin2.password, itAdmin2.totpSecret, { now: s.clock.now }), created);
    const first = await post(s, '/v1/auth/sign-in', { username: 'new.hire', password: 'a long password' });
    expect(first.status).toBe(200);
    expect(first.json.mfaSetupRequired).toBe(true);
    const secret = new URL(first.json.otpauthUri).searchParams.get('secret')!;
    expect(secret).toMatch(/^[A-Z2-7]+$/);
    const wrong = await post(s, '/v1/auth/mfa', { mfaToken: first.json.mfaToken, code: totpCode(secret, s.clock.now() - 5 * 60_000) });
    expect(wrong.json.error.code).toBe('mfa_invalid');
    const good = await post(s, '/v1/auth/mfa', { mfaToken: first.json.mfaToken, code: totpCode(secret, s.clock.now()) });
    expect(good.status).toBe(200);
    const row = await s.database.db.selectFrom('users').selectAll().where('username', '=', 'new.hire').executeTakeFirstOrThrow();
    expect(row.totp_secret).toBe(secret);
    expect(row.totp_pending_secret).toBeNull();
    // The same code cannot be used twice (same time step), even with a fresh password step.
    const again = await post(s, '/v1/auth/sign-in', { username: 'new.hire', password: 'a long password' });
    expect(again.json.mfaSetupRequired).toBe(false);
    const reuse = await post(s, '/v1/auth/mfa', { mfaToken: again.json.mfaToken, code: totpCode(secret, s.clock.now()) });
    expect(reuse.json.error.code).toBe('mfa_invalid');
  });

  it('enrollment tokens are single use and the role limits the number of devices', async () => {
    const { rep } = s.fixture.users; // rep: maxDevices 2
    const enroll = async (token: string) =>
      post(s, '/v1/devices/enroll', { enrollmentToken: token, publicKey: newDeviceKey().publicKey, name: 'laptop', platform: 'linux', appVersion: '1' });
    // Each sign-in needs a fresh TOTP time step: move the server clock instead of waiting.
    const t1 = await signInWithMfa(s.baseUrl, rep.username, rep.password, rep.totpSecret, s.clock.now);
    expect((await enroll(t1)).status).toBe(200);
    expect((await enroll(t1)).json.error.code).toBe('token_expired');
    s.clock.advance(60_000);
    const t2 = await signInWithMfa(s.baseUrl, rep.username, rep.password, rep.totpSecret, s.clock.now);
    expect((await enroll(t2)).status).toBe(200);
    s.clock.advance(60_000);
    const t3 = await signInWithMfa(s.baseUrl, rep.username, rep.password, rep.totpSecret, s.clock.now);
    const third = await enroll(t3);
    expect(third.status).toBe(409);
    expect(third.json.error.code).toBe('device_limit');
  });
});
