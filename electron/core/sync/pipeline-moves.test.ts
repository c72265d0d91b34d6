// Stage moves as the pipeline board makes them, through the desktop API (REAL server, REAL vault,
// REAL keychain): a move is a local edit in the outbox, shown at once as pending; the push lands
// it on the server and the manager's dashboard and list follow after their sync. A deal shared
// read-only is refused on the device; a move the device still allowed but the server refuses
// (the role lost opportunity.update) becomes a sync issue and the deal is back at its server stage.
// Roles without opportunity.read get no list.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/sync/pipeline-moves.test.ts'

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_IDS } from '../../../shared/permissions/default-roles';
import { newTestApp, signInAndSync, stateOf, unwrap, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';

describe('pipeline moves (real server)', () => {
  let server: RealServer;
  let rep: TestApp;
  let manager: TestApp;
  let service: TestApp;
  const own = () => `${server.customers.repOwn.id}-opp`;
  const shared = () => `${server.customers.sharedWithRep.id}-opp`;
  const serverStage = async (id: string) => (await server.db.selectFrom('opportunities').select('stage').where('id', '=', id).executeTakeFirstOrThrow()).stage;

  beforeAll(async () => {
    server = await startRealServer();
    rep = await newTestApp('pipe-rep');
    manager = await newTestApp('pipe-mgr');
    service = await newTestApp('pipe-svc');
    await signInAndSync(rep.app, server, server.fixture.users.rep);
    await signInAndSync(manager.app, server, server.fixture.users.manager);
    await signInAndSync(service.app, server, server.fixture.users.service);
  });
  afterAll(async () => {
    for (const t of [rep, manager, service]) await t?.cleanup();
    await server?.cleanup();
  });

  it("the rep's list holds its own deals (movable) and the shared one (read-only)", async () => {
    const list = unwrap(await rep.app.listOpportunities({ sort: 'customer' }));
    const byId = new Map(list.rows.map((r) => [r.id, r]));
    expect(byId.get(own())).toMatchObject({ stage: 'proposal', writable: true, pending: false, customerName: server.customers.repOwn.name });
    expect(byId.get(shared())).toMatchObject({ writable: false });
    expect(byId.has(`${server.customers.otherRep.id}-opp`)).toBe(false);
  });

  it('a move goes through the outbox to the server; the manager sees it after sync', async () => {
    const before = unwrap(await manager.app.teamDashboard());
    const count = (d: typeof before, stage: string) => d.pipelineByStage.find((s) => s.stage === stage)!.count;

    unwrap(await rep.app.updateOpportunity({ id: own(), fields: { stage: 'negotiation' } }));
    const moved = unwrap(await rep.app.listOpportunities({ stages: ['negotiation'] })).rows.find((r) => r.id === own());
    expect(moved?.stage).toBe('negotiation');
    unwrap(await rep.app.syncNow());
    expect((await stateOf(rep.app)).outboxCount).toBe(0);
    expect(await serverStage(own())).toBe('negotiation');

    unwrap(await manager.app.syncNow());
    const after = unwrap(await manager.app.teamDashboard());
    expect(count(after, 'negotiation')).toBe(count(before, 'negotiation') + 1);
    expect(count(after, 'proposal')).toBe(count(before, 'proposal') - 1);
    const drill = unwrap(await manager.app.listOpportunities({ stages: ['negotiation'] }));
    expect(drill.total).toBe(count(after, 'negotiation'));
    expect(drill.rows.map((r) => r.id)).toContain(own());
  });

  it('a deal shared read-only is refused on the device and stays where it was', async () => {
    const result = await rep.app.updateOpportunity({ id: shared(), fields: { stage: 'won' } });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await stateOf(rep.app)).outboxCount).toBe(0);
    expect(unwrap(await rep.app.listOpportunities({ customerId: server.customers.sharedWithRep.id })).rows[0]?.stage).toBe('proposal');
  });

  it('a move the server refuses becomes a sync issue and the deal is back at its server stage', async () => {
    const role = await server.db.selectFrom('roles').select('actions').where('id', '=', DEFAULT_ROLE_IDS.rep).executeTakeFirstOrThrow();
    try {
      // Offline, so that no sync brings the narrower grant before the move: the device still
      // holds the grant that allowed it.
      await server.stop();
      const fewer = (JSON.parse(role.actions) as string[]).filter((a) => a !== 'opportunity.update');
      await server.db.updateTable('roles').set({ actions: JSON.stringify(fewer) }).where('id', '=', DEFAULT_ROLE_IDS.rep).execute();
      unwrap(await rep.app.updateOpportunity({ id: own(), fields: { stage: 'won' } }));
      await server.restart();
      unwrap(await rep.app.syncNow());
      expect(await serverStage(own())).toBe('negotiation');
      const issues = unwrap(await rep.app.listIssues());
      expect(issues).toEqual([expect.objectContaining({ kind: 'rejected', entity: 'opportunity', recordId: own(), reason: 'no_action' })]);
      const row = unwrap(await rep.app.listOpportunities({ customerId: server.customers.repOwn.id })).rows[0];
      expect(row).toMatchObject({ id: own(), stage: 'negotiation', pending: false });
      // The new grant no longer allows moves: the next one is refused on the device.
      expect(await rep.app.updateOpportunity({ id: own(), fields: { stage: 'won' } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      await server.restart();
      await server.db.updateTable('roles').set({ actions: role.actions }).where('id', '=', DEFAULT_ROLE_IDS.rep).execute();
    }
  });

  it('customer service reads no opportunities: the list is refused', async () => {
    expect(await service.app.listOpportunities({})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await service.app.listOpportunityViews()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
