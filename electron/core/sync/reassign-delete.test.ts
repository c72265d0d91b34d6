// Reassign and delete from the client core, offline first (docs/reassign-and-delete.md): a
// manager with the server down moves one of a rep's customers to another rep of the team and
// deletes another; both wait in the outbox and reach the server when it returns; the rep's next
// sync loses both; the recycle bin needs the server, and a restore brings the customer back to
// the rep. A role holding opportunity.reassign moves a single deal inside the team the same way
// (REAL server, REAL vaults, REAL keychain).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';
import { DEFAULT_ROLE_IDS } from '../../../shared/permissions/default-roles';

describe('reassign and delete through the outbox, and the recycle bin (real server)', () => {
  let server: RealServer;
  let manager: TestApp;
  let rep: TestApp;
  const rep3 = 'user-rep-zhou';

  beforeAll(async () => {
    server = await startRealServer();
    // A second rep in the manager's team.
    const repRow = await server.db.selectFrom('users').selectAll().where('id', '=', server.fixture.users.rep.id).executeTakeFirstOrThrow();
    await server.db.insertInto('users').values({ ...repRow, id: rep3, username: 'rep.zhou', display_name: '周小燕' }).execute();
    // The built-in manager does not move single deals; this organisation's manager role does.
    const role = await server.db.selectFrom('roles').select('actions').where('id', '=', DEFAULT_ROLE_IDS.manager).executeTakeFirstOrThrow();
    const actions = [...(JSON.parse(role.actions) as string[]), 'opportunity.reassign'];
    await server.db.updateTable('roles').set({ actions: JSON.stringify(actions) }).where('id', '=', DEFAULT_ROLE_IDS.manager).execute();
    manager = await newTestApp('reassign-mgr');
    rep = await newTestApp('reassign-rep');
    await signInAndSync(manager.app, server, server.fixture.users.manager);
    await signInAndSync(rep.app, server, server.fixture.users.rep);
    await waitFor(async () => (await stateOf(manager.app)).online, 'online');
  });
  afterAll(async () => {
    for (const t of [manager, rep]) await t?.cleanup();
    await server?.cleanup();
  });

  it('offline: reassign and delete wait in the outbox, reach the server when it returns, and leave the rep\'s vault', async () => {
    const { repOwn, repOwn2 } = server.customers;
    const targets = unwrap(await manager.app.reassignTargets({ id: repOwn.id }));
    expect(targets.owner.id).toBe(server.fixture.users.rep.id);
    expect(targets.people.map((p) => p.id)).toContain(rep3);
    expect(targets.people.map((p) => p.id)).not.toContain(server.fixture.users.rep2.id); // another team
    // Someone outside the team is refused on the device already.
    expect(await manager.app.reassignCustomer({ id: repOwn.id, ownerId: server.fixture.users.rep2.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // The rep's role holds neither action.
    expect(await rep.app.deleteCustomer({ id: repOwn.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await rep.app.reassignTargets({ id: repOwn.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    await server.stop();
    await waitFor(async () => !(await stateOf(manager.app)).online, 'offline');
    const moved = unwrap(await manager.app.reassignCustomer({ id: repOwn.id, ownerId: rep3 }));
    expect(moved.customer.ownerId).toBe(rep3);
    expect(moved.pending).toBe(true);
    unwrap(await manager.app.deleteCustomer({ id: repOwn2.id }));
    expect(await manager.app.getCustomer({ id: repOwn2.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(unwrap(await manager.app.listOutbox()).map((o) => `${o.entity}:${o.op}:${o.recordId}`)).toEqual([
      `customer:update:${repOwn.id}`, `customer:delete:${repOwn2.id}`,
    ]);
    // The recycle bin lives on the server.
    expect(await manager.app.listRecycleBin()).toMatchObject({ ok: false, error: { code: 'server_unreachable' } });

    await server.restart();
    await waitFor(async () => (await stateOf(manager.app)).outboxCount === 0, 'outbox drained');
    expect(unwrap(await manager.app.listIssues())).toEqual([]);
    expect((await server.customerRow(repOwn.id))?.owner_id).toBe(rep3);
    expect((await server.customerRow(repOwn2.id))?.deleted).toBe(1);

    unwrap(await rep.app.syncNow());
    for (const id of [repOwn.id, repOwn2.id]) expect(await rep.app.getCustomer({ id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('a restore from the recycle bin brings the customer and its children back to the rep', async () => {
    const { repOwn2 } = server.customers;
    const bin = unwrap(await manager.app.listRecycleBin());
    expect(bin.items.map((i) => [i.customerId, i.deletedBy])).toEqual([[repOwn2.id, server.fixture.users.manager.id]]);
    unwrap(await manager.app.restoreCustomer({ id: repOwn2.id }));
    expect(unwrap(await manager.app.listRecycleBin()).items).toEqual([]);
    unwrap(await rep.app.syncNow());
    const back = unwrap(await rep.app.getCustomer({ id: repOwn2.id }));
    expect(back.customer.name).toBe(repOwn2.name);
    expect(back.contacts.length).toBeGreaterThan(0);
  });

  it('one opportunity moves to another owner inside the team as an opportunity update; outside the team is refused', async () => {
    const u = server.fixture.users;
    const oppId = `${server.customers.repOwn.id}-opp`; // went to rep3 with the customer above
    unwrap(await manager.app.syncNow());
    const targets = unwrap(await manager.app.reassignTargets({ id: oppId, entity: 'opportunity' }));
    expect(targets.owner.id).toBe(rep3);
    expect(targets.people.map((p) => p.id)).toContain(u.rep.id);
    expect(targets.people.map((p) => p.id)).not.toContain(u.rep2.id);
    expect(await manager.app.reassignOpportunity({ id: oppId, ownerId: u.rep2.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // The rep's role does not hold opportunity.reassign.
    expect(await rep.app.reassignOpportunity({ id: `${server.customers.repOwn2.id}-opp`, ownerId: rep3 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const moved = unwrap(await manager.app.reassignOpportunity({ id: oppId, ownerId: u.rep.id }));
    expect(moved.opportunities.find((o) => o.id === oppId)?.ownerId).toBe(u.rep.id);
    expect(moved.customer.ownerId).toBe(rep3); // only the deal moves
    expect(unwrap(await manager.app.listOutbox()).map((o) => `${o.entity}:${o.op}:${o.recordId}`)).toEqual([`opportunity:update:${oppId}`]);
    unwrap(await manager.app.syncNow());
    expect((await stateOf(manager.app)).outboxCount).toBe(0);
    expect(unwrap(await manager.app.listIssues())).toEqual([]);
    const row = await server.db.selectFrom('opportunities').select('owner_id').where('id', '=', oppId).executeTakeFirst();
    expect(row?.owner_id).toBe(u.rep.id);
  });
});
