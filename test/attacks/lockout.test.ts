// Finding 11 — account lockout revealed which usernames exist (only real accounts ever answered
// 423) and let anyone lock any account, the IT admin's included, with 5 requests.
// Now a failed password step answers byte for byte the same for an unknown username, a wrong
// password and a locked username, and failures count per (client address, username): a
// stranger's failures from one address do not lock the user out from another. A high cap across
// all addresses still stops distributed guessing.
//
// Client addresses: every 127.x.y.z address is loopback on Linux, so requests are sent from
// distinct local addresses (the server reads the socket's address; nothing is spoofable).

import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FAILURES_ALL_ADDRESSES, MAX_FAILURES_PER_ADDRESS } from '../../server/identity/throttle';
import { totpCode } from '../../server/identity/totp';
import { startTestServer, type TestServer } from '../../server/test/server';

interface RawAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

function postFrom(localAddress: string, baseUrl: string, path: string, body: unknown): Promise<RawAnswer> {
  const url = new URL(path, baseUrl);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('attack: probe usernames and lock accounts through the lockout (finding 11)', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer();
  });
  afterEach(async () => {
    await s.close();
  });

  const signIn = (from: string, username: string, password: string) =>
    postFrom(from, s.baseUrl, '/v1/auth/sign-in', { username, password });

  it('an unknown username and a real one give byte-identical answers for 10 attempts (past the lockout)', async () => {
    const { itAdmin } = s.fixture.users;
    const unknown: RawAnswer[] = [];
    const real: RawAnswer[] = [];
    for (let i = 0; i < 10; i++) {
      unknown.push(await signIn('127.0.0.2', 'no.such.user', 'wrong password!'));
      real.push(await signIn('127.0.0.2', itAdmin.username, 'wrong password!'));
    }
    expect(real).toEqual(unknown);
    expect(new Set(real.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(real[0]!.status).toBe(401);
    expect(JSON.parse(real[0]!.body)).toMatchObject({ error: { code: 'invalid_credentials' } });
    // The lock did engage for the real account (from that address): the right password is
    // refused there too, with the very same answer.
    expect(await signIn('127.0.0.2', itAdmin.username, itAdmin.password)).toEqual(real[0]);
    const lockouts = await s.database.db.selectFrom('audit_log').select(['target', 'details']).where('action', '=', 'auth.lockout').execute();
    expect(lockouts.map((r) => r.target).sort()).toEqual([itAdmin.username, 'no.such.user']);
  });

  it('a locked username costs the same password-hashing time as an unknown one (no timing oracle)', async () => {
    const { manager } = s.fixture.users;
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) await signIn('127.0.0.4', manager.username, `wrong password ${i}!`);
    // Interleaved, and the fastest of several each: the machine's load then moves both alike,
    // and a skipped hash shows in the fastest answer as clearly as in any other.
    const fastest = { locked: Infinity, unknown: Infinity };
    for (let i = 0; i < 7; i++) {
      // A new unknown name each time: failures would lock an unknown name too.
      for (const [which, username] of [['locked', manager.username], ['unknown', `nobody.here.${i}`]] as const) {
        const started = performance.now();
        expect((await signIn('127.0.0.4', username, manager.password)).status).toBe(401);
        fastest[which] = Math.min(fastest[which], performance.now() - started);
      }
    }
    // Both run one scrypt (tens of milliseconds); a skipped hash would be an order of magnitude
    // faster (a ratio near 0.05), far outside this band.
    expect(fastest.locked / fastest.unknown).toBeGreaterThan(0.25);
    expect(fastest.locked / fastest.unknown).toBeLessThan(4);
  });

  it(`${MAX_FAILURES_PER_ADDRESS} failures from address A do not stop the real user signing in from address B`, async () => {
    const { itAdmin } = s.fixture.users;
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS + 2; i++) {
      expect((await signIn('127.0.0.2', itAdmin.username, `wrong password ${i}!`)).status).toBe(401);
    }
    const fromB = await signIn('127.0.0.3', itAdmin.username, itAdmin.password);
    expect(fromB.status).toBe(200);
    const { mfaToken } = JSON.parse(fromB.body) as { mfaToken: string };
    const mfa = await postFrom('127.0.0.3', s.baseUrl, '/v1/auth/mfa', { mfaToken, code: totpCode(itAdmin.totpSecret, s.clock.now()) });
    expect(mfa.status).toBe(200);
    expect(JSON.parse(mfa.body)).toHaveProperty('enrollmentToken');
    // Address A stays locked for that username; its complete sign-in elsewhere does not unlock A.
    expect((await signIn('127.0.0.2', itAdmin.username, itAdmin.password)).status).toBe(401);
  });

  it('failures spread over many addresses still lock the username everywhere at the global cap', async () => {
    const { rep } = s.fixture.users;
    const addresses = Math.ceil(MAX_FAILURES_ALL_ADDRESSES / (MAX_FAILURES_PER_ADDRESS - 1));
    let sent = 0;
    const guessFrom = async (address: string) => {
      expect((await signIn(address, rep.username, `wrong password ${sent}!`)).status).toBe(401);
      sent++;
    };
    for (let a = 0; a < addresses && sent < MAX_FAILURES_ALL_ADDRESSES - 1; a++) {
      // Stay under the per-address lock so that only the global cap can stop the guessing.
      for (let i = 0; i < MAX_FAILURES_PER_ADDRESS - 1 && sent < MAX_FAILURES_ALL_ADDRESSES - 1; i++) await guessFrom(`127.0.1.${a + 1}`);
    }
    // One failure short of the cap, the right password still works from anywhere...
    expect((await signIn('127.0.2.1', rep.username, rep.password)).status).toBe(200);
    // ...and the failure that reaches it locks the username on every address.
    await guessFrom('127.0.1.250');
    const fresh = await signIn('127.0.2.1', rep.username, rep.password);
    expect(fresh.status).toBe(401);
    expect(fresh.body).toBe((await signIn('127.0.2.2', 'no.such.user', 'wrong password!')).body);
    const row = await s.database.db.selectFrom('users').select('locked_until').where('id', '=', rep.id).executeTakeFirstOrThrow();
    expect(row.locked_until).toBeGreaterThan(s.clock.now());
    // After the lockout period the user signs in again.
    s.clock.advance(16 * 60_000);
    expect((await signIn('127.0.2.1', rep.username, rep.password)).status).toBe(200);
  }, 180_000);
});
