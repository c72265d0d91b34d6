// One test per removal cause (a scope shrink must remove exactly what left it): the model vault before and after one more sync.
// Indirect causes (team move, role scope, clearance, share revoked/expired) change nothing about
// the records themselves; the pull must still remove exactly what left the scope.

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callWithApproval } from '../test/approvals';
import { enrollTestDevice, type TestDevice } from '../test/client';
import type { FixtureUserKey } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';
import { addCustomer, call, ModelVault, syncToEnd } from '../../test/support/server/sync-kit';

describe('pull removals, one per cause', () => {
  let s: TestServer;
  const dev = {} as Record<FixtureUserKey, TestDevice>;
  const enroll = async (key: FixtureUserKey) => {
    const u = s.fixture.users[key];
    dev[key] = await enrollTestDevice(s.baseUrl, u.username, u.password, u.totpSecret, { now: s.clock.now });
  };

  beforeEach(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    await addCustomer(s, u.rep.id, 'c1');
    await addCustomer(s, u.rep.id, 'c2');
    await addCustomer(s, u.rep2.id, 'c4');
    await addCustomer(s, u.manager.id, 'c6');
    for (const key of ['rep', 'rep2', 'manager', 'director', 'itAdmin', 'itAdmin2'] as const) await enroll(key);
  });
  afterEach(async () => {
    await s?.close();
  });

  it('reassign: the rep loses the customer and its child records, the manager keeps it', async () => {
    const rep = new ModelVault();
    const manager = new ModelVault();
    await syncToEnd(dev.rep, rep);
    await syncToEnd(dev.manager, manager);
    expect(rep.ids('customer')).toEqual(['c1', 'c2']);

    await call(dev.manager, 'POST', '/v1/customers/c1/reassign', { ownerId: s.fixture.users.manager.id });

    const { pages } = await syncToEnd(dev.rep, rep);
    expect(rep.ids('customer')).toEqual(['c2']);
    expect(rep.ids('contact')).toEqual(['c2-ct']);
    const removals = pages.flatMap((p) => p.removals);
    expect(removals).toEqual(expect.arrayContaining([
      { entity: 'customer', id: 'c1', reason: 'reassigned' },
      { entity: 'contact', id: 'c1-ct', reason: 'reassigned' },
      { entity: 'opportunity', id: 'c1-op', reason: 'reassigned' },
      { entity: 'activity', id: 'c1-ac', reason: 'reassigned' },
    ]));
    await syncToEnd(dev.manager, manager);
    expect(manager.ids('customer')).toEqual(['c1', 'c2', 'c6']);
    expect(manager.get('customer', 'c1')?.ownerId).toBe(s.fixture.users.manager.id);
  });

  it('reassign out of the manager\'s team is refused by the engine', async () => {
    const res = await dev.manager.signedFetch('POST', '/v1/customers/c1/reassign', { ownerId: s.fixture.users.rep2.id });
    expect(res.status).toBe(403);
  });

  it('team move: a manager who now manages team B drops team A\'s bucket and receives team B\'s', async () => {
    const u = s.fixture.users;
    const manager = new ModelVault();
    await syncToEnd(dev.manager, manager);
    expect(manager.ids('customer')).toEqual(['c1', 'c2', 'c6']);

    // Managing team B widens the manager's reach: a second administrator approves it.
    await callWithApproval(dev.itAdmin, dev.itAdmin2, 'PATCH', `/v1/admin/users/${u.manager.id}`, { managedUnitIds: [s.fixture.units.teamB.id] });

    const { pages } = await syncToEnd(dev.manager, manager);
    expect(pages[0]?.droppedBuckets).toContain(`o:${u.rep.id}`);
    expect(pages[0]?.grant).toBeTypeOf('string');
    expect(manager.ids('customer')).toEqual(['c4', 'c6']);
    expect(manager.ids('contact')).toEqual(['c4-ct', 'c6-ct']);
  });

  it('role data scope changed: the director role narrowed to `own` leaves the director with nothing', async () => {
    const director = new ModelVault();
    await syncToEnd(dev.director, director);
    expect(director.ids('customer')).toEqual(['c1', 'c2', 'c4', 'c6']);

    await call(dev.itAdmin, 'PATCH', '/v1/admin/roles/role-director', { dataScope: 'own' });

    const { pages } = await syncToEnd(dev.director, director);
    expect(pages[0]?.droppedBuckets.length).toBeGreaterThanOrEqual(3);
    expect(director.records.size).toBe(0);
  });

  it('read clearance lowered: fields are purged and records kept; raised again: the fields come back', async () => {
    const manager = new ModelVault();
    await syncToEnd(dev.manager, manager);
    expect(manager.get('customer', 'c1')).toHaveProperty('creditLimit');
    expect(manager.get('contact', 'c1-ct')).toHaveProperty('phone');

    await call(dev.itAdmin, 'PATCH', '/v1/admin/roles/role-manager', { readClearance: 'internal', writeClearance: 'internal' });

    const { pages } = await syncToEnd(dev.manager, manager);
    const purged = Object.fromEntries(pages[0]!.fieldPurges.map((p) => [p.entity, [...p.fields].sort()]));
    expect(purged.customer).toEqual(['creditLimit', 'paymentTerms', 'taxId']);
    expect(purged.contact).toEqual(['email', 'phone', 'wechat']);
    expect(manager.ids('customer')).toEqual(['c1', 'c2', 'c6']);
    for (const r of manager.records.values()) {
      for (const f of ['creditLimit', 'paymentTerms', 'taxId', 'phone', 'email', 'wechat']) expect(r.record).not.toHaveProperty(f);
    }

    await callWithApproval(dev.itAdmin, dev.itAdmin2, 'PATCH', '/v1/admin/roles/role-manager', { readClearance: 'confidential', writeClearance: 'confidential' });
    await syncToEnd(dev.manager, manager);
    expect(manager.get('customer', 'c1')).toHaveProperty('creditLimit');
    expect(manager.get('contact', 'c1-ct')).toHaveProperty('phone');
  });

  it('classification raised: a field moved above the rep\'s clearance is purged from the rep\'s vault', async () => {
    const rep = new ModelVault();
    await syncToEnd(dev.rep, rep);
    expect(rep.get('customer', 'c1')).toHaveProperty('city', '上海');

    await call(dev.itAdmin, 'PATCH', '/v1/admin/classification', { entity: 'customer', field: 'city', level: 'confidential' });

    const { pages } = await syncToEnd(dev.rep, rep);
    expect(pages[0]?.fieldPurges).toEqual([{ entity: 'customer', fields: ['city'] }]);
    expect(rep.ids('customer')).toEqual(['c1', 'c2']);
    for (const id of ['c1', 'c2']) expect(rep.get('customer', id)).not.toHaveProperty('city');
    expect(pages.flatMap((p) => p.upserts).filter((u) => 'city' in u.record)).toEqual([]);
  });

  it('share revoked: the grantee drops the shared customer, the owner keeps it', async () => {
    const rep2 = new ModelVault();
    await syncToEnd(dev.rep2, rep2);
    expect(rep2.ids('customer')).toEqual(['c4']);

    const { share } = (await call(dev.manager, 'POST', '/v1/shares', {
      customerId: 'c1', granteeType: 'user', granteeId: s.fixture.users.rep2.id, access: 'read',
    })) as { share: { id: string } };
    await syncToEnd(dev.rep2, rep2);
    expect(rep2.ids('customer')).toEqual(['c1', 'c4']);
    expect(rep2.records.get('customer:c1')?.writable).toBe(false);

    await call(dev.manager, 'POST', `/v1/shares/${share.id}/revoke`);
    const { pages } = await syncToEnd(dev.rep2, rep2);
    expect(pages[0]?.droppedBuckets).toEqual([`s:${share.id}`]);
    expect(rep2.ids('customer')).toEqual(['c4']);
    expect(rep2.ids('contact')).toEqual(['c4-ct']);

    const rep = new ModelVault();
    await syncToEnd(dev.rep, rep);
    expect(rep.ids('customer')).toEqual(['c1', 'c2']);
  });

  it('share expired: nothing changed on the server, yet the grantee drops it once the expiry passes', async () => {
    const rep2 = new ModelVault();
    await call(dev.manager, 'POST', '/v1/shares', {
      customerId: 'c2', granteeType: 'user', granteeId: s.fixture.users.rep2.id, access: 'write', expiresAt: s.clock.now() + 60_000,
    });
    await syncToEnd(dev.rep2, rep2);
    expect(rep2.ids('customer')).toEqual(['c2', 'c4']);
    expect(rep2.records.get('customer:c2')?.writable).toBe(true);

    s.clock.advance(120_000);
    const { pages } = await syncToEnd(dev.rep2, rep2);
    expect(pages[0]?.droppedBuckets).toHaveLength(1);
    expect(rep2.ids('customer')).toEqual(['c4']);
  });

  it('deleted: a record deleted by the manager is removed from the rep\'s vault with reason deleted', async () => {
    const rep = new ModelVault();
    await syncToEnd(dev.rep, rep);
    const res = await call(dev.manager, 'POST', '/v1/sync/push', {
      mutations: [{ mutationId: randomUUID(), entity: 'customer', op: 'delete', recordId: 'c2', baseVersion: 1, fields: {}, createdAt: s.clock.now() }],
    });
    expect((res.results as { status: string }[])[0]?.status).toBe('applied');
    const { pages } = await syncToEnd(dev.rep, rep);
    expect(pages.flatMap((p) => p.removals)).toEqual(expect.arrayContaining([
      { entity: 'customer', id: 'c2', reason: 'deleted' },
      { entity: 'activity', id: 'c2-ac', reason: 'deleted' },
    ]));
    expect(rep.ids('customer')).toEqual(['c1']);
    expect(rep.ids('activity')).toEqual(['c1-ac']);
  });
});
