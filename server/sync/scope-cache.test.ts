// The permission inputs are cached per process and invalidated through meta.scope_epoch, which
// database triggers bump with every change to them (migration 0004). These tests run two server
// instances on ONE database (two connection pools on PG, two handles on the SQLite file), make
// admin changes through instance A and check that the very next request through B sees them.

import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../app';
import { openDatabase, type OpenedDatabase } from '../db/connection';
import { loadScopeData, readScopeEpoch } from '../org/permission-scope';
import { callWithApproval } from '../test/approvals';
import { enrollTestDevice, type TestDevice } from '../test/client';
import type { FixtureUserKey } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';
import { addCustomer, call, ModelVault, syncToEnd } from '../../test/support/server/sync-kit';

describe('scope cache invalidation (scope_epoch)', () => {
  let s: TestServer;
  let second: OpenedDatabase;
  let closeB: () => Promise<void>;
  let baseUrlB: string;
  const dev = {} as Record<FixtureUserKey, TestDevice>;

  /** The same device, talking to instance B. */
  const viaB = (d: TestDevice): TestDevice => ({
    ...d,
    signedFetch: (method, path, body, opts = {}) => {
      const payload = opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
      return fetch(baseUrlB + path, { method, headers: d.signedHeaders(method, path, payload, opts), body: payload as BodyInit | undefined });
    },
  });

  beforeEach(async () => {
    s = await startTestServer();
    second = await openDatabase(s.database.location);
    const b = await buildServer({
      db: second.db,
      dialect: second.dialect,
      ...(s.database.location.databaseUrl ? { databaseUrl: s.database.location.databaseUrl } : {}),
      rateLimit: false,
      now: s.clock.now,
    });
    await b.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrlB = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
    closeB = async () => {
      await b.app.close();
      await second.close();
    };
    const u = s.fixture.users;
    await addCustomer(s, u.rep.id, 'c1');
    await addCustomer(s, u.rep2.id, 'c4');
    for (const key of ['rep', 'rep2', 'manager', 'itAdmin', 'itAdmin2'] as const) {
      dev[key] = await enrollTestDevice(s.baseUrl, u[key].username, u[key].password, u[key].totpSecret, { now: s.clock.now });
    }
  });
  afterEach(async () => {
    await closeB?.();
    await s?.close();
  });

  it('a team move, a clearance change and a share made through A are seen by the next pull through B', async () => {
    const u = s.fixture.users;
    const manager = new ModelVault();
    await syncToEnd(viaB(dev.manager), manager); // B caches the inputs
    expect(manager.ids('customer')).toEqual(['c1']);

    await callWithApproval(dev.itAdmin, dev.itAdmin2, 'PATCH', `/v1/admin/users/${u.manager.id}`, { managedUnitIds: [s.fixture.units.teamB.id] });
    const moved = await syncToEnd(viaB(dev.manager), manager);
    expect(moved.pages[0]?.droppedBuckets).toContain(`o:${u.rep.id}`);
    expect(manager.ids('customer')).toEqual(['c4']);

    await call(dev.itAdmin, 'PATCH', '/v1/admin/roles/role-manager', { readClearance: 'internal', writeClearance: 'internal' });
    const lowered = await syncToEnd(viaB(dev.manager), manager);
    expect(lowered.pages[0]?.fieldPurges.find((p) => p.entity === 'customer')?.fields.sort()).toEqual(['creditLimit', 'paymentTerms', 'taxId']);

    const rep = new ModelVault();
    await syncToEnd(viaB(dev.rep), rep);
    expect(rep.ids('customer')).toEqual(['c1']);
    // An administrator's share waits for a second administrator.
    await callWithApproval(dev.itAdmin, dev.itAdmin2, 'POST', '/v1/shares', { customerId: 'c4', granteeType: 'user', granteeId: u.rep.id, access: 'read' });
    await syncToEnd(viaB(dev.rep), rep);
    expect(rep.ids('customer')).toEqual(['c1', 'c4']);
  });

  it('a user deactivated through A is refused by B on the very next request', async () => {
    const rep2 = new ModelVault();
    await syncToEnd(viaB(dev.rep2), rep2); // B caches rep2's subject
    await call(dev.itAdmin, 'POST', `/v1/admin/users/${s.fixture.users.rep2.id}/deactivate`);
    const res = await viaB(dev.rep2).signedFetch('POST', '/v1/sync/pull', { cursor: rep2.cursor });
    expect(res.status).toBe(403);

    // The admin route also revokes the user's devices; the user's status alone must suffice too
    // (it lives in the cached subject, the device row is read uncached).
    const rep = new ModelVault();
    await syncToEnd(viaB(dev.rep), rep);
    await s.ctx.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', s.fixture.users.rep.id).execute();
    const refused = await viaB(dev.rep).signedFetch('POST', '/v1/sync/pull', { cursor: rep.cursor });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('user_deactivated');
  });

  it('reuses the cached inputs until a scope write commits; sign-in bookkeeping does not invalidate', async () => {
    const db = s.ctx.db;
    const first = await loadScopeData(db);
    expect(await loadScopeData(db)).toBe(first);

    const epoch = await readScopeEpoch(db);
    await db.updateTable('users').set({ last_sign_in_at: s.clock.now(), failed_attempts: 0 }).where('id', '=', s.fixture.users.rep.id).execute();
    expect(await readScopeEpoch(db)).toBe(epoch);
    expect(await loadScopeData(db)).toBe(first);

    // A hand-written change (not through any service) still invalidates: the trigger sees it.
    await db.updateTable('users').set({ unit_id: s.fixture.units.teamB.id }).where('id', '=', s.fixture.users.rep.id).execute();
    expect(await readScopeEpoch(db)).not.toBe(epoch);
    const after = await loadScopeData(db);
    expect(after).not.toBe(first);
    expect(after.unitOfUser.get(s.fixture.users.rep.id)).toBe(s.fixture.units.teamB.id);
    expect(after.subjects.get(s.fixture.users.rep.id)?.user.unitId).toBe(s.fixture.units.teamB.id);
  });
});
