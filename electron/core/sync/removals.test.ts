// Removal with indirect causes (a record leaves the device when the user's scope no longer covers
// it, even if the record itself did not change): one test per cause shows the
// vault before and after one sync — through the app service, against the REAL server.
//   reassign · team move · role scope change · clearance lowered · share revoked · share expired

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTestApp, signInAndSync, unwrap, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';

describe('scope shrink removes exactly what left the scope (real server, vault, keychain)', () => {
  let server: RealServer;
  let rep: TestApp;
  let manager: TestApp;

  const idsIn = async (t: TestApp) => unwrap(await t.app.searchCustomers({ query: '', limit: 500 })).rows.map((r) => r.id).sort();
  const sync = async (t: TestApp) => unwrap(await t.app.syncNow());

  beforeAll(async () => {
    server = await startRealServer();
    rep = await newTestApp('removal-rep');
    manager = await newTestApp('removal-mgr');
    await signInAndSync(rep.app, server, server.fixture.users.rep);
    await signInAndSync(manager.app, server, server.fixture.users.manager);
  });
  afterAll(async () => {
    await rep?.cleanup();
    await manager?.cleanup();
    await server?.cleanup();
  });

  it('share expired: the shared customer leaves at the first sync after the expiry', async () => {
    const { otherRep } = server.customers;
    const expiresAt = Date.now() + 1500;
    await server.shareWith({ id: 'share-expiring', customerId: otherRep.id, granteeId: server.fixture.users.rep.id, access: 'read', expiresAt });
    await sync(rep);
    expect(await idsIn(rep)).toContain(otherRep.id);
    expect(unwrap(await rep.app.getCustomer({ id: otherRep.id })).contacts).toHaveLength(1);
    while (Date.now() <= expiresAt) await new Promise((r) => setTimeout(r, 100));
    await sync(rep);
    expect(await idsIn(rep)).not.toContain(otherRep.id);
    expect(await rep.app.getCustomer({ id: otherRep.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // Everything still in scope stays.
    expect(await idsIn(rep)).toEqual([server.customers.repOwn.id, server.customers.repOwn2.id, server.customers.sharedWithRep.id].sort());
  });

  it('share revoked: the shared customer leaves, own customers stay', async () => {
    const { sharedWithRep, repOwn, repOwn2 } = server.customers;
    expect(await idsIn(rep)).toContain(sharedWithRep.id);
    await server.revokeShare(server.shareId);
    await sync(rep);
    expect(await idsIn(rep)).toEqual([repOwn.id, repOwn2.id].sort());
  });

  it('reassigned: the customer and its children leave the old owner', async () => {
    const { repOwn, repOwn2 } = server.customers;
    const before = unwrap(await rep.app.getCustomer({ id: repOwn2.id }));
    expect(before.contacts.length + before.opportunities.length + before.activities.length).toBe(3);
    await server.reassign(repOwn2.id, server.fixture.users.rep2.id);
    await sync(rep);
    expect(await idsIn(rep)).toEqual([repOwn.id]);
    expect(await rep.app.getCustomer({ id: repOwn2.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('clearance lowered: the fields above the new clearance are purged from every row, records stay', async () => {
    const { repOwn } = server.customers;
    const before = unwrap(await manager.app.getCustomer({ id: repOwn.id }));
    expect(before.customer.creditLimit).toBe(8_765_432);
    expect(before.customer.taxId).toBe('91440300TAXREP01');
    expect(before.contacts[0]?.phone).toBeTruthy();

    await server.db.updateTable('roles').set({ read_clearance: 'internal', write_clearance: 'internal' }).where('id', '=', 'role-manager').execute();
    const state = await sync(manager);
    expect(state.user?.readClearance).toBe('internal');
    const after = unwrap(await manager.app.getCustomer({ id: repOwn.id }));
    for (const field of ['creditLimit', 'paymentTerms', 'taxId']) expect(field in after.customer).toBe(false);
    expect(after.customer.name).toBe(repOwn.name);
    expect(after.customer.notes).toBeDefined(); // internal: still readable
    expect('phone' in (after.contacts[0] ?? {})).toBe(false);
    expect(await idsIn(manager)).toContain(repOwn.id);

    // Raised again: the fields come back.
    await server.db.updateTable('roles').set({ read_clearance: 'confidential', write_clearance: 'confidential' }).where('id', '=', 'role-manager').execute();
    await sync(manager);
    expect(unwrap(await manager.app.getCustomer({ id: repOwn.id })).customer.creditLimit).toBe(8_765_432);
  });

  it('role data scope changed (team → own): the team members\' customers leave the manager', async () => {
    const { repOwn } = server.customers;
    expect(await idsIn(manager)).toContain(repOwn.id);
    await server.db.updateTable('roles').set({ data_scope: 'own' }).where('id', '=', 'role-manager').execute();
    await sync(manager);
    expect(await idsIn(manager)).toEqual([]);
    await server.db.updateTable('roles').set({ data_scope: 'team' }).where('id', '=', 'role-manager').execute();
    await sync(manager);
    expect(await idsIn(manager)).toContain(repOwn.id);
  });

  it('team move: the rep moves to another team and the manager no longer holds the rep\'s customers', async () => {
    const { repOwn } = server.customers;
    expect(await idsIn(manager)).toContain(repOwn.id);
    await server.db.updateTable('users').set({ unit_id: server.fixture.units.teamB.id }).where('id', '=', server.fixture.users.rep.id).execute();
    await sync(manager);
    expect(await idsIn(manager)).not.toContain(repOwn.id);
    expect(await manager.app.getCustomer({ id: repOwn.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // The rep keeps their own customer: ownership follows the owner.
    await sync(rep);
    expect(await idsIn(rep)).toEqual([repOwn.id]);
  });
});
