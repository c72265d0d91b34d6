// Pull's owner directory over real HTTP: the display names of exactly the owners the user can
// see (owner buckets, plus owners of customers shared with them), on the first page and after
// the bucket set changes; never on a steady delta page without such owners.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullResponse } from '../../shared/protocol/sync';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';
import type { FixtureUserKey } from '../test/fixtures';
import { addCustomer, call, ModelVault, syncToEnd } from '../../test/support/server/sync-kit';

/** Names the fixture users distinctly (the fixture's display names equal the usernames). */
function displayNameOf(key: FixtureUserKey): string {
  return `Display ${key}`;
}

function directoryOf(pages: PullResponse[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pages) for (const d of p.directory ?? []) out[d.id] = d.displayName;
  return out;
}

describe('pull: owner directory', () => {
  let s: TestServer;
  const dev = {} as Record<'rep' | 'rep2' | 'manager', TestDevice>;

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    for (const key of Object.keys(u) as FixtureUserKey[]) {
      await s.ctx.db.updateTable('users').set({ display_name: displayNameOf(key) }).where('id', '=', u[key].id).execute();
    }
    await addCustomer(s, u.rep.id, 'c1');
    await addCustomer(s, u.rep2.id, 'c4');
    await addCustomer(s, u.manager.id, 'c6');
    for (const key of ['rep', 'rep2', 'manager'] as const) {
      dev[key] = await enrollTestDevice(s.baseUrl, u[key].username, u[key].password, u[key].totpSecret, { now: s.clock.now });
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a manager gets the names of exactly the team (team A: rep.li and mgr.zhang) on the first page', async () => {
    const u = s.fixture.users;
    const { pages } = await syncToEnd(dev.manager, new ModelVault(), 2);
    expect(pages.length).toBeGreaterThan(1);
    expect(directoryOf(pages.slice(0, 1))).toEqual({ [u.rep.id]: displayNameOf('rep'), [u.manager.id]: displayNameOf('manager') });
    // No other user data travels in the directory entries: id, name and (owners in scope) the unit.
    for (const d of pages[0]?.directory ?? []) expect(d).toEqual({ id: d.id, displayName: d.displayName, unitId: 'unit-team-a' });
    expect(JSON.stringify(pages)).not.toContain(u.rep.username);
    // The org units of the scope: Team A and the units above it; Team B (not in scope) is not sent.
    expect(pages[0]?.units?.map((x) => x.id).sort()).toEqual(['unit-company', 'unit-east', 'unit-shanghai', 'unit-team-a']);
    expect(pages[0]?.units?.find((x) => x.id === 'unit-team-a')).toEqual({ id: 'unit-team-a', parentId: 'unit-shanghai', name: 'Team A', kind: 'team' });
    expect(pages[1]?.units).toBeUndefined();
  });

  it('a rep gets only themselves; a steady delta page carries no directory', async () => {
    const vault = new ModelVault();
    const first = await syncToEnd(dev.rep, vault);
    expect(directoryOf(first.pages)).toEqual({ [s.fixture.users.rep.id]: displayNameOf('rep') });
    await addCustomer(s, s.fixture.users.rep.id, 'c2');
    const delta = await syncToEnd(dev.rep, vault);
    expect(vault.ids('customer')).toEqual(['c1', 'c2']);
    expect(delta.pages.every((p) => p.directory === undefined)).toBe(true);
  });

  it('a customer shared with the rep brings its owner\'s name (and only that owner\'s)', async () => {
    const vault = new ModelVault();
    await syncToEnd(dev.rep2, vault);
    await call(dev.manager, 'POST', '/v1/shares', {
      customerId: 'c6', granteeType: 'user', granteeId: s.fixture.users.rep2.id, access: 'read',
    });
    const { pages } = await syncToEnd(dev.rep2, vault);
    expect(vault.ids('customer')).toEqual(['c4', 'c6']);
    expect(directoryOf(pages)).toEqual({ [s.fixture.users.rep2.id]: displayNameOf('rep2'), [s.fixture.users.manager.id]: displayNameOf('manager') });
  });
});
