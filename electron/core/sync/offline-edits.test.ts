// Offline work against the REAL server: edits made while the server is down are pushed when it
// returns; a conflicting and a rejected edit both stay visible; a scope shrink pushes first and
// then purges; offline reads reach the server audit with their original times.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';

describe('offline edits, conflicts, rejections and the offline audit (real server)', () => {
  let server: RealServer;
  let t: TestApp;

  beforeAll(async () => {
    server = await startRealServer();
    t = await newTestApp('offline');
    await signInAndSync(t.app, server, server.fixture.users.rep);
    await waitFor(async () => (await stateOf(t.app)).online, 'online');
  });
  afterAll(async () => {
    await t?.cleanup();
    await server?.cleanup();
  });

  it('edits made while the server is down are kept in the outbox and pushed when it returns', async () => {
    const { repOwn } = server.customers;
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');

    const updated = unwrap(await t.app.updateCustomer({ id: repOwn.id, fields: { notes: '离线备注 offline note' } }));
    expect(updated.customer.notes).toBe('离线备注 offline note');
    expect(updated.pending).toBe(true);
    const visit = unwrap(await t.app.logActivity({ customerId: repOwn.id, kind: 'visit', text: '离线拜访 visit while offline' }));
    const created = unwrap(await t.app.createCustomer({ name: '离线新客户 Offline Newco', type: 'company', city: '上海' }));

    const offline = await stateOf(t.app);
    expect(offline.outboxCount).toBe(3);
    expect(unwrap(await t.app.listOutbox()).map((o) => o.op)).toEqual(['update', 'create', 'create']);
    expect(await t.app.syncNow()).toMatchObject({ ok: false, error: { code: 'server_unreachable' } });
    // Visible locally right away, including in search.
    expect(unwrap(await t.app.searchCustomers({ query: 'Newco' })).rows.map((r) => r.id)).toEqual([created.id]);

    // The server returns on the same port; the event stream reconnects and syncs by itself.
    await server.restart();
    await waitFor(async () => (await stateOf(t.app)).outboxCount === 0, 'outbox drained');

    expect((await server.customerRow(repOwn.id))?.notes).toBe('离线备注 offline note');
    const newRow = await server.customerRow(created.id);
    expect(newRow?.name).toBe('离线新客户 Offline Newco');
    expect(newRow?.owner_id).toBe(server.fixture.users.rep.id);
    const activity = await server.db.selectFrom('activities').selectAll().where('id', '=', visit.id).executeTakeFirst();
    expect(activity?.text).toBe('离线拜访 visit while offline');
    expect(unwrap(await t.app.listIssues())).toEqual([]);
  });

  it('a same-field conflict and a rejected edit both remain visible to the user and held on the server', async () => {
    const { repOwn, repOwn2 } = server.customers;
    const rep = server.fixture.users.rep;
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');

    // 1. conflict: the same field changes on the server meanwhile
    unwrap(await t.app.updateCustomer({ id: repOwn2.id, fields: { notes: 'rep offline version' } }));
    await server.updateCustomer(repOwn2.id, { notes: 'server version' });
    // 2. rejected: the customer is reassigned away before the edit arrives (scope shrink)
    unwrap(await t.app.updateCustomer({ id: repOwn.id, fields: { industry: 'edited after reassignment' } }));
    await server.reassign(repOwn.id, server.fixture.users.rep2.id);
    expect((await stateOf(t.app)).outboxCount).toBe(2);

    await server.restart();
    unwrap(await t.app.syncNow());
    const state = await stateOf(t.app);
    expect(state.outboxCount).toBe(0);
    expect(state.issueCount).toBe(2);

    const issues = unwrap(await t.app.listIssues());
    const conflict = issues.find((i) => i.kind === 'conflict');
    const rejected = issues.find((i) => i.kind === 'rejected');
    expect(conflict).toMatchObject({ recordId: repOwn2.id, entity: 'customer' });
    expect(conflict?.conflicts).toEqual([{ field: 'notes', yours: 'rep offline version', theirs: 'server version' }]);
    expect(rejected).toMatchObject({ recordId: repOwn.id, entity: 'customer' });
    expect(rejected?.reason).toBeTruthy();

    // Push first, then purge: the reassigned customer left the vault, its edit did not vanish.
    expect(await t.app.getCustomer({ id: repOwn.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(unwrap(await t.app.getCustomer({ id: repOwn2.id })).customer.notes).toBe('server version');
    const held = await server.db.selectFrom('held_mutations').selectAll().where('user_id', '=', rep.id).execute();
    expect(held.map((h) => h.kind).sort()).toEqual(['conflict', 'rejected']);
    expect((await server.customerRow(repOwn.id))?.industry).not.toBe('edited after reassignment');

    // Dismissing is the user's decision; until then they stay.
    unwrap(await t.app.dismissIssue({ id: conflict!.id }));
    expect(unwrap(await t.app.listIssues()).map((i) => i.kind)).toEqual(['rejected']);
  });

  it('refuses obviously denied edits offline through the permission engine', async () => {
    const { sharedWithRep, repOwn2 } = server.customers;
    // read-only share
    expect(await t.app.updateCustomer({ id: sharedWithRep.id, fields: { notes: 'nope' } })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // confidential field above the rep's write clearance
    expect(await t.app.updateCustomer({ id: repOwn2.id, fields: { creditLimit: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // a rep has no dashboard
    expect(await t.app.teamDashboard()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // nor export
    expect(await t.app.exportCustomers({ format: 'csv' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await stateOf(t.app)).outboxCount).toBe(0);
  });

  it('offline views and searches are uploaded at the next sync with their original times', async () => {
    const { repOwn2 } = server.customers;
    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    const viewedAt = Date.now();
    unwrap(await t.app.getCustomer({ id: repOwn2.id }));
    unwrap(await t.app.searchCustomers({ query: 'Contoso' }));
    // Let the original times be clearly earlier than the upload.
    await new Promise((r) => setTimeout(r, 300));
    await server.restart();
    unwrap(await t.app.syncNow());

    const rows = await server.auditRows();
    const repId = server.fixture.users.rep.id;
    // The latest uploads of this view and this search (earlier tests viewed the same records).
    const view = rows.filter((r) => r.action === 'offline.view' && r.actor_id === repId && r.target === `customer:${repOwn2.id}`).at(-1);
    // The search text itself never reaches the server's trail: only its length and kind ('Contoso').
    const search = rows.filter((r) => r.action === 'offline.search' && r.actor_id === repId && (JSON.parse(r.details) as { search?: { length: number; kind: string } }).search?.length === 7).at(-1);
    expect(view).toBeTruthy();
    expect(search).toBeTruthy();
    expect((JSON.parse(search!.details) as { search: unknown }).search).toEqual({ length: 7, kind: 'latin' });
    for (const row of [view!, search!]) {
      const details = JSON.parse(row.details) as { receivedAt: number; flagged?: boolean };
      expect(row.details).not.toContain('Contoso');
      expect(details.flagged).toBeUndefined();
      expect(row.at).toBeGreaterThanOrEqual(viewedAt);
      expect(row.at).toBeLessThan(details.receivedAt);
    }
  });
});
