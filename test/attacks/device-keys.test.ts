// Finding 3 — small-order / non-full-order Ed25519 device keys were accepted at enrollment.
// With A = 32 zero bytes (a point of order 4), the signature R = identity, S = 0 satisfies the
// verification equation [S]B = R + [k]A whenever [k]A is the identity, i.e. for a large share of
// messages: anyone who knows the device id could sign as that device. Enrollment must refuse
// every key that is not a canonically encoded point of full prime order.

import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalRequest } from '../../shared/protocol/common';
import { migrationProvider } from '../../server/db/migrations/index';
import { withTestDatabase } from '../../server/test/db';
import { newDeviceKey, signInWithMfa } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';

const hexToB64u = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

// The eight points of order dividing 8 (libsodium's small-order blocklist, canonical encodings):
// multiples 0..7 of a point of order 8.
const SMALL_ORDER_HEX = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity (order 1)
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4 ("negative" x)
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4 (32 zero bytes)
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
];

/** R = identity, S = 0: a "signature" that needs no private key. */
const FORGED_SIGNATURE = Buffer.concat([Buffer.from(SMALL_ORDER_HEX[0]!, 'hex'), Buffer.alloc(32)]);

function mixedOrderKey(): string {
  const real = ed25519.Point.fromHex(Buffer.from(newDeviceKey().publicKey, 'base64url').toString('hex'));
  return hexToB64u(real.add(ed25519.Point.fromHex(SMALL_ORDER_HEX[1]!)).toHex());
}

describe('attack: enroll a device with a weak Ed25519 key (finding 3)', () => {
  let s: TestServer;
  let enrollmentToken: string;

  beforeAll(async () => {
    s = await startTestServer();
    const { rep } = s.fixture.users;
    enrollmentToken = await signInWithMfa(s.baseUrl, rep.username, rep.password, rep.totpSecret, s.clock.now);
  });
  afterAll(async () => {
    await s.close();
  });

  const enroll = async (publicKey: string) => {
    const res = await fetch(`${s.baseUrl}/v1/devices/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollmentToken, publicKey, name: 'attacker', platform: 'linux', appVersion: '0.1.0' }),
    });
    return { status: res.status, json: (await res.json()) as { error?: { code: string; details?: { problem: string } }; deviceId?: string } };
  };

  it('the attack is real: a forged R = identity, S = 0 signature verifies under the zero key for many requests', () => {
    // Node (OpenSSL) is what the server verifies device signatures with.
    const zeroKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: hexToB64u(SMALL_ORDER_HEX[6]!) }, format: 'jwk' });
    let accepted = 0;
    for (let i = 0; i < 64; i++) {
      const signed = canonicalRequest({
        method: 'GET', pathWithQuery: '/v1/sync/pull', bodySha256Hex: createHash('sha256').update('').digest('hex'),
        timestamp: String(Date.now()), nonce: randomBytes(18).toString('base64url'), deviceId: 'victim-device',
      });
      if (verify(null, Buffer.from(signed), zeroKey, FORGED_SIGNATURE)) accepted++;
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it.each(SMALL_ORDER_HEX.map((hex, i) => [i, hex] as const))('refuses small-order encoding #%i', async (_i, hex) => {
    const r = await enroll(hexToB64u(hex));
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe('device_key_invalid');
    expect(r.json.error?.details?.problem).toBe('small_order');
  });

  it('refuses a mixed-order key (a valid key plus a torsion point)', async () => {
    const r = await enroll(mixedOrderKey());
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe('device_key_invalid');
    expect(r.json.error?.details?.problem).toBe('not_prime_order');
  });

  it('refuses non-canonical encodings and points off the curve', async () => {
    // y = p + 1 (≡ 1, the identity, but not reduced); the sign bit set on x = 0; a y with no x.
    for (const hex of [
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0100000000000000000000000000000000000000000000000000000000000080',
      '0200000000000000000000000000000000000000000000000000000000000000',
    ]) {
      const r = await enroll(hexToB64u(hex));
      expect(r.status).toBe(400);
      expect(r.json.error?.code).toBe('device_key_invalid');
    }
  });

  it('never registers such a key, and the same enrollment step then accepts a real key', async () => {
    const rows = await s.database.db.selectFrom('devices').select('public_key').execute();
    expect(rows).toEqual([]);
    const denied = await s.database.db
      .selectFrom('audit_log').select('details').where('action', '=', 'device.enroll').where('outcome', '=', 'denied').execute();
    expect(denied.length).toBe(SMALL_ORDER_HEX.length + 1 + 3);

    const good = newDeviceKey();
    const r = await enroll(good.publicKey);
    expect(r.status).toBe(200);
    const stored = await s.database.db.selectFrom('devices').select('public_key').execute();
    expect(stored.map((d) => d.public_key)).toEqual([good.publicKey]);
  });
});

describe('a weak key stored by an earlier version (finding 3)', () => {
  it('is revoked by the 0006 migration; a valid key stays active, and a wipe time without a revocation before it is cleared', async () => {
    const t = await withTestDatabase();
    try {
      // Roll back to before 0006, store what an old server accepted, migrate forward again.
      const provider = migrationProvider(t.dialect);
      const names = Object.keys(await provider.getMigrations()).sort();
      const before0006 = names[names.indexOf('0006_audit_checkpoints_and_devices') - 1]!;
      const migrator = new Migrator({ db: t.db, provider });
      const down = await migrator.migrateTo(before0006);
      expect(down.error).toBeUndefined();
      await t.db.insertInto('org_units').values({ id: 'u', parent_id: null, name: 'Co', kind: 'company' }).execute();
      await t.db.insertInto('users').values({
        id: 'user-x', username: 'x', display_name: 'x', unit_id: 'u', role_id: 'role-rep', managed_unit_ids: '[]', status: 'active',
        password_hash: 'x', totp_secret: null, totp_pending_secret: null, failed_attempts: 0, locked_until: null,
        last_sign_in_at: null, last_totp_step: null, created_at: 1,
      }).execute();
      const device = (id: string, publicKey: string) => ({
        id, user_id: 'user-x', public_key: publicKey, name: id, platform: 'linux', app_version: '1', status: 'active' as const,
        enrolled_at: 1, last_check_in_at: 1, revoked_at: null, revoke_reason: null, wipe_confirmed_at: null, synced_buckets: '[]',
        synced_read_clearance: null, synced_classification: null,
      });
      await t.db.insertInto('devices').values([
        device('weak', hexToB64u(SMALL_ORDER_HEX[6]!)),
        // Finding 4's leftovers: a "wipe confirmed" stored by an active device, and a real one.
        { ...device('good', newDeviceKey().publicKey), wipe_confirmed_at: 5 },
        { ...device('wiped', newDeviceKey().publicKey), status: 'revoked' as const, revoked_at: 10, wipe_confirmed_at: 20 },
      ]).execute();
      const up = await migrator.migrateToLatest();
      expect(up.error).toBeUndefined();
      const rows = await t.db.selectFrom('devices').select(['id', 'status', 'revoke_reason', 'wipe_confirmed_at']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'good', status: 'active', revoke_reason: null, wipe_confirmed_at: null },
        { id: 'weak', status: 'revoked', revoke_reason: 'device_key_invalid', wipe_confirmed_at: null },
        { id: 'wiped', status: 'revoked', revoke_reason: null, wipe_confirmed_at: 20 },
      ]);
    } finally {
      await t.cleanup();
    }
  });
});
