// Finding 14 — a role that loses an entity's read action (not its scope) kept those records on
// every device: the buckets did not change, so no pull ever removed them. The device's sync state
// now includes the entity types it was served under; when the role stops reading one, the next
// pull removes every record of that entity (like a scope shrink), and gives them back when the
// action returns. Runs on SQLite and PostgreSQL (SV_TEST_DB).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCustomer, ModelVault, syncToEnd } from '../support/server/sync-kit';
import { enrollTestDevice, type TestDevice } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';

describe('attack: keeping records after the role lost their read action (finding 14)', () => {
  let s: TestServer;
  let rep: TestDevice;
  let manager: TestDevice;
  const repVault = new ModelVault();
  const managerVault = new ModelVault();

  async function setRepActions(edit: (actions: string[]) => string[]): Promise<void> {
    const row = await s.ctx.db.selectFrom('roles').select('actions').where('id', '=', 'role-rep').executeTakeFirstOrThrow();
    await s.ctx.db.updateTable('roles').set({ actions: JSON.stringify(edit(JSON.parse(row.actions) as string[])) }).where('id', '=', 'role-rep').execute();
  }

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    for (const id of ['c1', 'c2', 'c3']) await addCustomer(s, u.rep.id, id);
    rep = await enrollTestDevice(s.baseUrl, u.rep.username, u.rep.password, u.rep.totpSecret, { now: s.clock.now });
    manager = await enrollTestDevice(s.baseUrl, u.manager.username, u.manager.password, u.manager.totpSecret, { now: s.clock.now });
    await syncToEnd(rep, repVault);
    await syncToEnd(manager, managerVault);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the rep role loses opportunity.read: the next pull removes every opportunity and keeps the rest', async () => {
    expect(repVault.ids('opportunity')).toEqual(['c1-op', 'c2-op', 'c3-op']);
    await setRepActions((actions) => actions.filter((a) => !a.startsWith('opportunity.')));
    const { pages } = await syncToEnd(rep, repVault);
    expect(repVault.ids('opportunity')).toEqual([]);
    expect(pages.flatMap((p) => p.removals).filter((r) => r.entity === 'opportunity')).toEqual(
      ['c1-op', 'c2-op', 'c3-op'].map((id) => ({ entity: 'opportunity', id, reason: 'scope_changed' })),
    );
    expect(repVault.ids('customer')).toEqual(['c1', 'c2', 'c3']);
    expect(repVault.ids('contact')).toEqual(['c1-ct', 'c2-ct', 'c3-ct']);
    // Another role's devices are untouched.
    await syncToEnd(manager, managerVault);
    expect(managerVault.ids('opportunity')).toEqual(['c1-op', 'c2-op', 'c3-op']);
  });

  it('later changes to opportunities do not reach the rep, and a restart from scratch brings none', async () => {
    await s.ctx.db.updateTable('opportunities').set({ title: 'changed' }).where('id', '=', 'c1-op').execute();
    const steady = await syncToEnd(rep, repVault);
    expect(repVault.ids('opportunity')).toEqual([]);
    // The device's new state was committed: a steady pull is no transition (no grant, no removals).
    expect(steady.pages.map((p) => [p.grant, p.removals.length])).toEqual([[undefined, 0]]);
    const fresh = new ModelVault();
    await syncToEnd(rep, fresh);
    expect(fresh.ids('opportunity')).toEqual([]);
    expect(fresh.ids('customer')).toEqual(['c1', 'c2', 'c3']);
  });

  it('when the action comes back, the opportunities come back', async () => {
    await setRepActions((actions) => [...actions, 'opportunity.read', 'opportunity.create', 'opportunity.update']);
    await syncToEnd(rep, repVault);
    expect(repVault.ids('opportunity')).toEqual(['c1-op', 'c2-op', 'c3-op']);
  });
});
