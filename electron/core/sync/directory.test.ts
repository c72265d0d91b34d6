// Owner names reach the client through the pull's `directory`: the manager's dashboard and the
// customer lists show display names, not user ids (REAL server, REAL vault, REAL keychain).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTestApp, signInAndSync, unwrap, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';

const NAMES = { rep: '李小龙', rep2: '王大锤', manager: '张经理' } as const;

describe('owner display names from the pull directory (real server)', () => {
  let server: RealServer;
  let manager: TestApp;
  let rep: TestApp;

  beforeAll(async () => {
    server = await startRealServer();
    for (const key of Object.keys(NAMES) as (keyof typeof NAMES)[]) {
      await server.db.updateTable('users').set({ display_name: NAMES[key] }).where('id', '=', server.fixture.users[key].id).execute();
    }
    manager = await newTestApp('dir-mgr');
    rep = await newTestApp('dir-rep');
    await signInAndSync(manager.app, server, server.fixture.users.manager);
    await signInAndSync(rep.app, server, server.fixture.users.rep);
  });
  afterAll(async () => {
    for (const t of [manager, rep]) await t?.cleanup();
    await server?.cleanup();
  });

  it("the manager's pipeline by rep and customer list name the team's reps", async () => {
    const dashboard = unwrap(await manager.app.teamDashboard());
    const byRep = dashboard.pipelineByRep.find((r) => r.ownerId === server.fixture.users.rep.id);
    expect(byRep?.ownerName).toBe(NAMES.rep);
    expect(dashboard.pipelineByRep.every((r) => r.ownerName !== r.ownerId)).toBe(true);
    const list = unwrap(await manager.app.searchCustomers({ query: '' }));
    expect(list.rows.find((r) => r.id === server.customers.repOwn.id)?.ownerName).toBe(NAMES.rep);
  });

  it("a rep's list names the owner of a customer shared with them", async () => {
    const list = unwrap(await rep.app.searchCustomers({ query: '' }));
    expect(list.rows.find((r) => r.id === server.customers.sharedWithRep.id)?.ownerName).toBe(NAMES.rep2);
    expect(list.rows.find((r) => r.id === server.customers.repOwn.id)?.ownerName).toBe(NAMES.rep);
  });
});
