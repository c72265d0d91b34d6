import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, poolSizeDefault } from './connection';
import { withTestDatabase, type TestDatabase } from '../test/db';

describe('database layer', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('creates every table of the schema, and migrating again is a no-op', async () => {
    t = await withTestDatabase();
    const tables = (await t.db.introspection.getTables()).map((x) => x.name).sort();
    expect(tables).toEqual(
      [
        'activities', 'alert_device_state', 'alert_signals', 'alerts', 'applied_mutations', 'audit_checkpoints', 'audit_log', 'auth_tokens', 'change_log', 'contacts', 'customers',
        'devices', 'field_classification', 'held_mutations', 'meta', 'opportunities', 'org_units', 'roles',
        'review_campaigns', 'review_items', 'shares', 'sign_in_throttle', 'used_nonces', 'users', 'approval_requests',
        // 0008: identity providers and SCIM provisioning (server/sso/tables.ts)
        'identity_providers', 'scim_group_members', 'scim_group_rules', 'scim_groups', 'scim_tokens', 'scim_users', 'sso_nonces', 'user_identities',
        // 0013: the exposure ledger (server/exposure/ledger.ts)
        'exposure_devices', 'exposure_field_sets', 'exposure_ledger', 'exposure_pages',
        // 0015: the minimum app version per platform (server/devices/min-version.ts)
        'app_min_versions',
        // 0017: the recycle bin of deleted customers (server/ownership/recycle-bin.ts)
        'recycle_bin', 'recycle_bin_records',
      ].sort(),
    );
    expect((await migrateToLatest(t.db, t.dialect)).applied).toEqual([]);
  });

  it('round-trips epoch-ms times as numbers and numbers sequence columns', async () => {
    t = await withTestDatabase();
    const big = 4_102_444_800_000; // year 2100: beyond 32-bit
    await t.db.insertInto('change_log').values({
      at: big, entity: 'customer', record_id: 'c1', customer_id: 'c1', op: 'create',
      owner_before: null, owner_after: 'u1', actor_id: 'u1',
    }).execute();
    await t.db.insertInto('change_log').values({
      at: big + 1, entity: 'customer', record_id: 'c1', customer_id: 'c1', op: 'update',
      owner_before: 'u1', owner_after: 'u1', actor_id: 'u1',
    }).execute();
    const rows = await t.db.selectFrom('change_log').select(['seq', 'at']).orderBy('seq').execute();
    expect(rows).toEqual([{ seq: 1, at: big }, { seq: 2, at: big + 1 }]);
    expect(typeof rows[0]!.seq).toBe('number');
  });

  it('enforces foreign keys', async () => {
    t = await withTestDatabase();
    await expect(
      t.db.insertInto('devices').values({
        id: 'd1', user_id: 'nobody', public_key: 'k', name: 'n', platform: 'p', app_version: '1',
        status: 'active', enrolled_at: 1, last_check_in_at: null, revoked_at: null, revoke_reason: null,
        wipe_confirmed_at: null, synced_buckets: '[]', synced_read_clearance: null, synced_classification: null,
      }).execute(),
    ).rejects.toThrow();
  });

  it('sizes the PostgreSQL pool from SV_DB_POOL_SIZE, else 4 per core within 4..16, and refuses a bad setting', () => {
    expect(poolSizeDefault({}, 1)).toBe(4);
    expect(poolSizeDefault({}, 2)).toBe(8);
    expect(poolSizeDefault({}, 64)).toBe(16);
    expect(poolSizeDefault({ SV_DB_POOL_SIZE: '30' }, 2)).toBe(30);
    expect(poolSizeDefault({ SV_DB_POOL_SIZE: '' }, 2)).toBe(8);
    for (const bad of ['0', '-1', '2.5', 'ten', '1001']) {
      expect(() => poolSizeDefault({ SV_DB_POOL_SIZE: bad }, 2)).toThrow(/SV_DB_POOL_SIZE must be a whole number/);
    }
  });
});
