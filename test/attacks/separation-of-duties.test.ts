// Attacks on separation of duties (issue 8, findings 1 and 2), over HTTP against a real server.
// An IT admin must never reach customer data on its own; an auditor must never decide anything;
// a change that widens access needs a second administrator. Each test fails on the code before
// the fix: there an admin PATCHed itself into the director role, shared customers directly, and
// the auditor held review.conduct.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelVault, syncToEnd } from '../support/server/sync-kit';
import { signInWithMfa } from '../../server/test/client';
import { FIXTURE_PASSWORD } from '../../server/test/fixtures';
import { expectNoCustomers, pendingRequests, pulledCustomers, send, startWorld, type World } from './sod-kit';

const DAY = 86_400_000;

describe('finding 1: an IT admin cannot give itself customer data', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w?.s.close();
  });

  it('PATCHing its own user into the director role is refused (self_change)', async () => {
    const { s, dev } = w;
    const res = await send(dev.itAdmin, 'PATCH', `/v1/admin/users/${s.fixture.users.itAdmin.id}`, { roleId: 'role-director' });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('self_change');
    const row = await s.ctx.db.selectFrom('users').select('role_id').where('id', '=', s.fixture.users.itAdmin.id).executeTakeFirstOrThrow();
    expect(row.role_id).toBe('role-it-admin');
    await expectNoCustomers(dev.itAdmin, 'after PATCHing itself into the director role');
  });

  it('PATCHing the role it holds to add customer.read with scope all is refused', async () => {
    const { s, dev } = w;
    const patch = { actions: ['admin.users', 'admin.devices', 'admin.roles', 'audit.read', 'review.conduct', 'customer.read'], dataScope: 'all', readClearance: 'confidential' };
    const res = await send(dev.itAdmin, 'PATCH', '/v1/admin/roles/role-it-admin', patch);
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('self_change');
    // The same change made by a peer is still refused: such a role mixes duties.
    const peer = await send(dev.itAdmin2, 'PATCH', '/v1/admin/roles/role-it-admin', patch);
    expect([peer.status, peer.json.error?.code]).toEqual([403, 'self_change']);
    const role = await s.ctx.db.selectFrom('roles').selectAll().where('id', '=', 'role-it-admin').executeTakeFirstOrThrow();
    expect([JSON.parse(role.actions).includes('customer.read'), role.data_scope]).toEqual([false, 'none']);
    await expectNoCustomers(dev.itAdmin, 'after PATCHing its own role');
  });

  it('a role mixing administration with record work, or an administering role with a scope, is refused (400)', async () => {
    const { dev } = w;
    const offline = { offlineAllowed: false, leaseHours: 8, wipeAfterHours: 24, exportAllowed: false, maxDevices: 1 };
    const mixed = await send(dev.itAdmin, 'POST', '/v1/admin/roles', {
      name: 'Helpdesk+', actions: ['admin.users', 'customer.read'], dataScope: 'none', readClearance: 'public', writeClearance: 'public', offline,
    });
    expect([mixed.status, mixed.json.error.code, mixed.json.error.details.violation]).toEqual([400, 'separation_of_duties', 'mixed_duties']);
    const scoped = await send(dev.itAdmin, 'POST', '/v1/admin/roles', {
      name: 'Auditor with data', actions: ['audit.read'], dataScope: 'all', readClearance: 'public', writeClearance: 'public', offline,
    });
    expect([scoped.status, scoped.json.error.details.violation]).toEqual([400, 'admin_scope_not_none']);
    const onDefault = await send(dev.itAdmin, 'PATCH', '/v1/admin/roles/role-auditor', { actions: ['audit.read', 'dashboard.team'] });
    expect([onDefault.status, onDefault.json.error.code]).toEqual([400, 'separation_of_duties']);
  });

  it('a read-write share made by the admin goes to approval and grants nothing meanwhile', async () => {
    const { s, dev } = w;
    const before = await pulledCustomers(dev.rep2);
    expect(before).toEqual(['c4']);
    const res = await send(dev.itAdmin, 'POST', '/v1/shares', { customerId: 'c1', granteeType: 'user', granteeId: s.fixture.users.rep2.id, access: 'write' });
    expect(res.status).toBe(202);
    expect(res.json.pendingApproval).toMatchObject({ kind: 'share.create', status: 'pending', requestedBy: s.fixture.users.itAdmin.id, reasons: ['share_granted'] });
    expect(await s.ctx.db.selectFrom('shares').selectAll().execute()).toEqual([]);
    expect(await pulledCustomers(dev.rep2)).toEqual(['c4']);
    // A share with itself is a change to its own access.
    const toSelf = await send(dev.itAdmin, 'POST', '/v1/shares', { customerId: 'c1', granteeType: 'user', granteeId: s.fixture.users.itAdmin.id, access: 'write' });
    expect([toSelf.status, toSelf.json.error.code]).toEqual([403, 'self_change']);
    await expectNoCustomers(dev.itAdmin, 'after sharing');
  });
});

describe('finding 2: the auditor reads and exports, it decides nothing', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w?.s.close();
  });

  it('cannot open a campaign nor revoke the IT admin in one; the IT admin stays active', async () => {
    const { s, dev } = w;
    const open = await send(dev.auditor, 'POST', '/v1/reviews', { name: 'audit takeover', dueAt: s.clock.now() + DAY });
    expect([open.status, open.json.error.code]).toEqual([403, 'forbidden']);
    // Even in a campaign an administrator opened (creator = nobody the auditor controls), the
    // auditor cannot decide the IT admin's item.
    const campaign = await send(dev.itAdmin2, 'POST', '/v1/reviews', { name: 'Q4', dueAt: s.clock.now() + DAY });
    expect(campaign.status).toBe(200);
    const items = (await send(dev.auditor, 'GET', `/v1/reviews/${campaign.json.campaign.id}`)).json.items as { id: string; userId: string }[];
    const adminItem = items.find((i) => i.userId === s.fixture.users.itAdmin.id)!;
    const decide = await send(dev.auditor, 'POST', `/v1/reviews/${campaign.json.campaign.id}/items/${adminItem.id}/decision`, { decision: 'revoke' });
    expect([decide.status, decide.json.error.code]).toEqual([403, 'forbidden']);
    const admin = await s.ctx.db.selectFrom('users').select('status').where('id', '=', s.fixture.users.itAdmin.id).executeTakeFirstOrThrow();
    expect(admin.status).toBe('active');
    expect((await dev.itAdmin.refresh()).status).toBe(200);
    // Reading and exporting still work.
    expect((await send(dev.auditor, 'GET', `/v1/reviews/${campaign.json.campaign.id}/export?format=csv`)).status).toBe(200);
    expect((await send(dev.auditor, 'GET', '/v1/audit?limit=5')).status).toBe(200);
  });

  it('the reviews service itself refuses a decider without review.conduct (not only the route)', async () => {
    const { s } = w;
    const { createCampaign, decideItem } = await import('../../server/reviews/service');
    const auditorActor = { userId: s.fixture.users.auditor.id, deviceId: null };
    await expect(createCampaign(s.ctx, { name: 'direct', dueAt: s.clock.now() + DAY, staleDays: 30 }, auditorActor)).rejects.toMatchObject({ code: 'forbidden' });
    const campaign = await createCampaign(s.ctx, { name: 'cli', dueAt: s.clock.now() + DAY, staleDays: 30 }, { userId: null, deviceId: null });
    const item = await s.ctx.db.selectFrom('review_items').selectAll().where('campaign_id', '=', campaign.id).where('user_id', '=', s.fixture.users.itAdmin.id).executeTakeFirstOrThrow();
    await expect(decideItem(s.ctx, campaign.id, item.id, 'revoke', undefined, auditorActor)).rejects.toMatchObject({ code: 'forbidden' });
    const admin = await s.ctx.db.selectFrom('users').select('status').where('id', '=', s.fixture.users.itAdmin.id).executeTakeFirstOrThrow();
    expect(admin.status).toBe('active');
  });
});

describe('a lone IT admin cannot reach customer data by any sequence of admin calls', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w?.s.close();
  });

  /** Signs in as an account the admin created (it knows the password) and enrolls its TOTP. */
  async function signInAsCreated(username: string): Promise<number> {
    const res = await fetch(`${w.s.baseUrl}/v1/auth/sign-in`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: FIXTURE_PASSWORD }),
    });
    return res.status;
  }

  it('every route it holds, tried in sequence, ends with no customer pulled by it or any account it made', async () => {
    const { s, dev } = w;
    const me = s.fixture.users.itAdmin.id;
    const offline = { offlineAllowed: true, leaseHours: 72, wipeAfterHours: 336, exportAllowed: true, maxDevices: 5 };
    const attempts: { what: string; status: number }[] = [];
    const attempt = async (what: string, method: string, path: string, body?: unknown) => {
      const res = await send(dev.itAdmin, method, path, body);
      attempts.push({ what, status: res.status });
      await expectNoCustomers(dev.itAdmin, `after: ${what}`);
      return res;
    };

    await attempt('own user → director', 'PATCH', `/v1/admin/users/${me}`, { roleId: 'role-director' });
    await attempt('own user → manager of the company', 'PATCH', `/v1/admin/users/${me}`, { roleId: 'role-manager', managedUnitIds: ['unit-company'] });
    await attempt('own role gains customer.read', 'PATCH', '/v1/admin/roles/role-it-admin', { actions: ['admin.users', 'customer.read'], dataScope: 'all' });
    // A new role has no holders: creating it is allowed, but placing anyone into it is screened.
    const spy = await attempt('create a see-everything role', 'POST', '/v1/admin/roles', {
      name: 'Spy', actions: ['customer.read', 'contact.read'], dataScope: 'all', readClearance: 'confidential', writeClearance: 'public', offline,
    });
    expect(spy.status).toBe(200);
    const spyRole = spy.json.role.id as string;
    await attempt('own user → spy role', 'PATCH', `/v1/admin/users/${me}`, { roleId: spyRole });
    const mole = await attempt('create a director account with a known password', 'POST', '/v1/admin/users', {
      username: 'mole.1', displayName: 'Mole', password: FIXTURE_PASSWORD, unitId: 'unit-company', roleId: 'role-director',
    });
    expect(mole.status).toBe(202);
    expect(await signInAsCreated('mole.1')).not.toBe(200);
    await attempt('create a spy-role account', 'POST', '/v1/admin/users', {
      username: 'mole.2', displayName: 'Mole', password: FIXTURE_PASSWORD, unitId: 'unit-company', roleId: spyRole,
    });
    expect(await signInAsCreated('mole.2')).not.toBe(200);
    await attempt('create a second IT admin to approve with', 'POST', '/v1/admin/users', {
      username: 'mole.admin', displayName: 'Mole', password: FIXTURE_PASSWORD, unitId: 'unit-company', roleId: 'role-it-admin',
    });
    expect(await signInAsCreated('mole.admin')).not.toBe(200);
    // An account with a role that grants nothing is created at once; it is then moved, widened, shared with.
    const empty = await attempt('create an empty role', 'POST', '/v1/admin/roles', {
      name: 'Nothing', actions: [], dataScope: 'all', readClearance: 'confidential', writeClearance: 'public', offline,
    });
    const emptyRole = empty.json.role.id as string;
    const sleeper = await attempt('create an account in it', 'POST', '/v1/admin/users', {
      username: 'sleeper', displayName: 'Sleeper', password: FIXTURE_PASSWORD, unitId: 'unit-company', roleId: emptyRole,
    });
    expect(sleeper.status).toBe(200);
    const sleeperId = sleeper.json.user.id as string;
    await attempt('sleeper → director', 'PATCH', `/v1/admin/users/${sleeperId}`, { roleId: 'role-director' });
    await attempt('empty role gains customer.read', 'PATCH', `/v1/admin/roles/${emptyRole}`, { actions: ['customer.read'] });
    await attempt('share c1 with the sleeper', 'POST', '/v1/shares', { customerId: 'c1', granteeType: 'user', granteeId: sleeperId, access: 'write' });
    await attempt('share c1 with the whole company', 'POST', '/v1/shares', { customerId: 'c1', granteeType: 'unit', granteeId: 'unit-company', access: 'read' });
    await attempt('lower credit limit to public', 'PATCH', '/v1/admin/classification', { entity: 'customer', field: 'creditLimit', level: 'public' });
    await attempt('approve its own requests', 'GET', '/v1/admin/approvals?status=pending');
    for (const request of await pendingRequests(s)) {
      const approved = await attempt(`approve own ${request.kind}`, 'POST', `/v1/admin/approvals/${request.id}/approve`);
      expect([approved.status, approved.json.error.code]).toEqual([403, 'own_request']);
    }

    // The sleeper signs in (the admin knows its password and enrolls its TOTP) and pulls nothing.
    const { enrollTestDevice } = await import('../../server/test/client');
    const signIn = await fetch(`${s.baseUrl}/v1/auth/sign-in`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sleeper', password: FIXTURE_PASSWORD }),
    });
    const otpauth = ((await signIn.json()) as { otpauthUri: string }).otpauthUri;
    const secret = new URL(otpauth).searchParams.get('secret')!;
    const sleeperDevice = await enrollTestDevice(s.baseUrl, 'sleeper', FIXTURE_PASSWORD, secret, { now: s.clock.now });
    await expectNoCustomers(sleeperDevice, 'the account the admin created and controls');
    // Nothing that widens access was applied; every widening waits.
    expect((await pendingRequests(s)).every((r) => r.status === 'pending')).toBe(true);
    expect((await pendingRequests(s)).length).toBeGreaterThanOrEqual(7);
    expect(await s.ctx.db.selectFrom('shares').selectAll().execute()).toEqual([]);
    expect(attempts.filter((a) => a.status >= 500)).toEqual([]);
    // signInWithMfa is the path a real client takes; the held director account never exists.
    await expect(signInWithMfa(s.baseUrl, 'mole.1', FIXTURE_PASSWORD, secret, s.clock.now)).rejects.toThrow(/sign-in failed/);
  });
});

// ---- every admin route × actor × {widening, narrowing} ---------------------------------------
// self: an IT admin acting on its own user or role; peer: an IT admin acting on someone else;
// auditor and manager: the same calls as the peer's. Combinations that do not exist are left
// out: nobody creates their own account, field levels and new roles belong to nobody, there is
// no reactivation route (deactivate only narrows) and a share only ever grants.

type Verdict = 'applied' | 'pending' | ['refused', number, string];
type Actor = 'self' | 'peer' | 'auditor' | 'manager';
interface Row {
  route: string;
  actor: Actor;
  change: 'widening' | 'narrowing';
  call: (w: World, ids: { emptyRole: string; request: () => Promise<string> }) => Promise<[string, string, unknown?]>;
  verdict: Verdict;
}

const FORBIDDEN: Verdict = ['refused', 403, 'forbidden'];
const SELF: Verdict = ['refused', 403, 'self_change'];
const OFFLINE = { offlineAllowed: true, leaseHours: 72, wipeAfterHours: 336, exportAllowed: false, maxDevices: 2 };
const both = (route: string, change: Row['change'], call: Row['call'], peer: Verdict): Row[] => [
  { route, actor: 'peer', change, call, verdict: peer },
  { route, actor: 'auditor', change, call, verdict: FORBIDDEN },
  { route, actor: 'manager', change, call, verdict: FORBIDDEN },
];
const u = (w: World) => w.s.fixture.users;

const TABLE: Row[] = [
  { route: 'updateUser', actor: 'self', change: 'widening', call: async (w) => ['PATCH', `/v1/admin/users/${u(w).itAdmin.id}`, { roleId: 'role-director' }], verdict: SELF },
  { route: 'updateUser', actor: 'self', change: 'narrowing', call: async (w) => ['PATCH', `/v1/admin/users/${u(w).itAdmin.id}`, { roleId: 'role-auditor' }], verdict: SELF },
  ...both('updateUser', 'widening', async (w) => ['PATCH', `/v1/admin/users/${u(w).rep2.id}`, { roleId: 'role-director' }], 'pending'),
  // (director → rep would not narrow: the rep role writes, the director role only reads)
  ...both('updateUser', 'narrowing', async (w) => ['PATCH', `/v1/admin/users/${u(w).manager.id}`, { managedUnitIds: [] }], 'applied'),
  ...both('createUser', 'widening', async () => ['POST', '/v1/admin/users', { username: 'new.rep', displayName: 'New', password: FIXTURE_PASSWORD, unitId: 'unit-team-a', roleId: 'role-rep' }], 'pending'),
  ...both('createUser', 'narrowing', async (_w, ids) => ['POST', '/v1/admin/users', { username: `idle.${Math.random().toString(36).slice(2, 8)}`, displayName: 'Idle', password: FIXTURE_PASSWORD, unitId: 'unit-team-a', roleId: ids.emptyRole }], 'applied'),
  { route: 'deactivateUser', actor: 'self', change: 'narrowing', call: async (w) => ['POST', `/v1/admin/users/${u(w).itAdmin.id}/deactivate`], verdict: SELF },
  ...both('deactivateUser', 'narrowing', async (w) => ['POST', `/v1/admin/users/${u(w).service.id}/deactivate`], 'applied'),
  { route: 'updateRole', actor: 'self', change: 'widening', call: async () => ['PATCH', '/v1/admin/roles/role-it-admin', { offline: { ...OFFLINE, maxDevices: 9 } }], verdict: SELF },
  { route: 'updateRole', actor: 'self', change: 'narrowing', call: async () => ['PATCH', '/v1/admin/roles/role-it-admin', { actions: ['admin.users'] }], verdict: SELF },
  ...both('updateRole', 'widening', async () => ['PATCH', '/v1/admin/roles/role-rep', { readClearance: 'confidential' }], 'pending'),
  ...both('updateRole', 'narrowing', async () => ['PATCH', '/v1/admin/roles/role-service', { offline: { ...OFFLINE, maxDevices: 1 } }], 'applied'),
  // A new role has no holders: nobody's access widens until someone is placed in it (screened).
  ...both('createRole', 'widening', async () => ['POST', '/v1/admin/roles', { name: `Wide ${Math.random()}`, actions: ['customer.read'], dataScope: 'all', readClearance: 'confidential', writeClearance: 'public', offline: OFFLINE }], 'applied'),
  ...both('createRole', 'narrowing', async () => ['POST', '/v1/admin/roles', { name: `Narrow ${Math.random()}`, actions: [], dataScope: 'none', readClearance: 'public', writeClearance: 'public', offline: OFFLINE }], 'applied'),
  ...both('setFieldLevel', 'widening', async () => ['PATCH', '/v1/admin/classification', { entity: 'customer', field: 'taxId', level: 'public' }], 'pending'),
  ...both('setFieldLevel', 'narrowing', async () => ['PATCH', '/v1/admin/classification', { entity: 'customer', field: 'industry', level: 'internal' }], 'applied'),
  { route: 'createShare', actor: 'self', change: 'widening', call: async (w) => ['POST', '/v1/shares', { customerId: 'c4', granteeType: 'user', granteeId: u(w).itAdmin.id, access: 'read' }], verdict: SELF },
  { route: 'createShare', actor: 'peer', change: 'widening', call: async (w) => ['POST', '/v1/shares', { customerId: 'c4', granteeType: 'user', granteeId: u(w).rep.id, access: 'write' }], verdict: 'pending' },
  { route: 'createShare', actor: 'auditor', change: 'widening', call: async (w) => ['POST', '/v1/shares', { customerId: 'c4', granteeType: 'user', granteeId: u(w).rep.id, access: 'read' }], verdict: FORBIDDEN },
  // The manager's own scope covers its team's customer: its share applies at once.
  { route: 'createShare', actor: 'manager', change: 'widening', call: async (w) => ['POST', '/v1/shares', { customerId: 'c3', granteeType: 'user', granteeId: u(w).rep2.id, access: 'read' }], verdict: 'applied' },
  ...both('revokeDevice', 'narrowing', async (w) => ['POST', `/v1/admin/devices/${w.dev.director.deviceId}/revoke`], 'applied'),
  { route: 'approveRequest', actor: 'self', change: 'widening', call: async (_w, ids) => ['POST', `/v1/admin/approvals/${await ids.request()}/approve`], verdict: ['refused', 403, 'own_request'] },
  ...both('approveRequest', 'widening', async (_w, ids) => ['POST', `/v1/admin/approvals/${await ids.request()}/approve`], 'applied'),
  { route: 'rejectRequest', actor: 'self', change: 'narrowing', call: async (_w, ids) => ['POST', `/v1/admin/approvals/${await ids.request()}/reject`], verdict: ['refused', 403, 'own_request'] },
  ...both('rejectRequest', 'narrowing', async (_w, ids) => ['POST', `/v1/admin/approvals/${await ids.request()}/reject`], 'applied'),
];

describe('every admin route × actor × widening/narrowing gives the expected verdict', () => {
  let w: World;
  let emptyRole: string;
  beforeAll(async () => {
    w = await startWorld();
    const role = await send(w.dev.itAdmin2, 'POST', '/v1/admin/roles', { name: 'Empty', actions: [], dataScope: 'none', readClearance: 'public', writeClearance: 'public', offline: OFFLINE });
    emptyRole = role.json.role.id;
  });
  afterAll(async () => {
    await w?.s.close();
  });

  // A fresh request by the IT admin for each approve/reject row: a new account in the rep role.
  const request = async (): Promise<string> => {
    const res = await send(w.dev.itAdmin, 'POST', '/v1/admin/users', {
      username: `asked.${Math.random().toString(36).slice(2, 8)}`, displayName: 'Asked', password: FIXTURE_PASSWORD, unitId: 'unit-team-b', roleId: 'role-rep',
    });
    expect(res.status).toBe(202);
    return res.json.pendingApproval.id as string;
  };

  it.each(TABLE.map((row) => [`${row.route} × ${row.actor} × ${row.change}`, row] as const))('%s', async (_name, row) => {
    const device = { self: w.dev.itAdmin, peer: row.route.endsWith('Request') ? w.dev.itAdmin2 : w.dev.itAdmin, auditor: w.dev.auditor, manager: w.dev.manager }[row.actor];
    const [method, path, body] = await row.call(w, { emptyRole, request });
    const pendingBefore = (await pendingRequests(w.s)).filter((r) => r.status === 'pending').length;
    const res = await send(device, method, path, body);
    const pendingAfter = (await pendingRequests(w.s)).filter((r) => r.status === 'pending').length;
    if (row.verdict === 'applied') {
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expect(res.json.pendingApproval).toBeUndefined();
    } else if (row.verdict === 'pending') {
      expect(res.status, JSON.stringify(res.json)).toBe(202);
      expect(res.json.pendingApproval).toMatchObject({ status: 'pending', reasons: expect.arrayContaining([expect.any(String)]) });
      expect(pendingAfter).toBe(pendingBefore + 1);
    } else {
      expect([res.status, res.json.error?.code]).toEqual([row.verdict[1], row.verdict[2]]);
      expect(pendingAfter).toBe(pendingBefore);
    }
  });

  it('and through all of it, the IT admins pull no customer', async () => {
    await expectNoCustomers(w.dev.itAdmin, 'the IT admin after the whole table');
    await expectNoCustomers(w.dev.itAdmin2, 'the peer admin after the whole table');
  });
});

describe('four eyes: a second administrator approves or rejects, and all of it is audited', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w?.s.close();
  });

  it('A requests a widening role change, A cannot approve it, B approves, the rep re-scopes', async () => {
    const { s, dev } = w;
    expect(await pulledCustomers(dev.rep)).toEqual(['c1', 'c2']);
    const asked = await send(dev.itAdmin, 'PATCH', '/v1/admin/roles/role-rep', { dataScope: 'unit' });
    expect(asked.status).toBe(202);
    const id = asked.json.pendingApproval.id as string;
    expect(asked.json.pendingApproval).toMatchObject({ kind: 'role.update', target: 'role-rep', reasons: ['scope_widened'], permission: 'admin.roles' });
    expect(await pulledCustomers(dev.rep)).toEqual(['c1', 'c2']);

    const listed = await send(dev.itAdmin2, 'GET', '/v1/admin/approvals?status=pending');
    expect(listed.json.approvals.map((a: { id: string }) => a.id)).toEqual([id]);
    expect((await send(dev.auditor, 'GET', '/v1/admin/approvals')).status).toBe(403);
    expect((await send(dev.rep, 'POST', `/v1/admin/approvals/${id}/approve`)).status).toBe(403);
    const own = await send(dev.itAdmin, 'POST', `/v1/admin/approvals/${id}/approve`);
    expect([own.status, own.json.error.code]).toEqual([403, 'own_request']);

    const approved = await send(dev.itAdmin2, 'POST', `/v1/admin/approvals/${id}/approve`);
    expect(approved.status, JSON.stringify(approved.json)).toBe(200);
    expect(approved.json.approval).toMatchObject({ status: 'approved', decidedBy: s.fixture.users.itAdmin2.id });
    // Team A's unit subtree: the rep now also sees the manager's customer, not team B's.
    expect(await pulledCustomers(dev.rep)).toEqual(['c1', 'c2', 'c3']);
    expect((await send(dev.itAdmin2, 'POST', `/v1/admin/approvals/${id}/approve`)).status).toBe(409);
  });

  it('a rejected request changes nothing; nobody approves a change that widens their own access', async () => {
    const { s, dev } = w;
    const asked = await send(dev.itAdmin, 'PATCH', '/v1/admin/roles/role-rep', { readClearance: 'confidential' });
    const id = asked.json.pendingApproval.id as string;
    const rejected = await send(dev.itAdmin2, 'POST', `/v1/admin/approvals/${id}/reject`);
    expect(rejected.json.approval).toMatchObject({ status: 'rejected', decidedBy: s.fixture.users.itAdmin2.id });
    expect((await send(dev.itAdmin2, 'POST', `/v1/admin/approvals/${id}/approve`)).status).toBe(409);
    const role = await s.ctx.db.selectFrom('roles').select('read_clearance').where('id', '=', 'role-rep').executeTakeFirstOrThrow();
    expect(role.read_clearance).toBe('sensitive');
    const vault = new ModelVault();
    await syncToEnd(dev.rep, vault);
    expect(vault.get('customer', 'c1')).not.toHaveProperty('creditLimit');

    // A moves B into the director role: B may not approve it, and A may not either.
    const moveB = await send(dev.itAdmin, 'PATCH', `/v1/admin/users/${s.fixture.users.itAdmin2.id}`, { roleId: 'role-director' });
    expect(moveB.status).toBe(202);
    const mine = await send(dev.itAdmin2, 'POST', `/v1/admin/approvals/${moveB.json.pendingApproval.id}/approve`);
    expect([mine.status, mine.json.error.code]).toEqual([403, 'self_change']);
    await expectNoCustomers(dev.itAdmin2, 'after trying to approve its own promotion');
  });

  it('request, approval and rejection are in the audit trail', async () => {
    const { s } = w;
    const rows = await s.ctx.db.selectFrom('audit_log').selectAll().where('action', 'like', 'admin.%').orderBy('seq').execute();
    const seen = rows.map((r) => `${r.action}:${r.outcome}:${r.actor_id}`);
    const A = s.fixture.users.itAdmin.id;
    const B = s.fixture.users.itAdmin2.id;
    expect(seen.filter((x) => x === `admin.approval.request:ok:${A}`)).toHaveLength(3);
    expect(seen).toContain(`admin.approval.approve:denied:${A}`);
    expect(seen).toContain(`admin.approval.approve:ok:${B}`);
    expect(seen).toContain(`admin.approval.reject:ok:${B}`);
    expect(seen).toContain(`admin.approval.approve:denied:${B}`);
    // The applied change names its approver as the actor and links the request.
    const applied = rows.find((r) => r.action === 'admin.role.update')!;
    expect(applied.actor_id).toBe(B);
    expect(JSON.parse(applied.details)).toMatchObject({ changes: { dataScope: 'unit' }, approval: expect.stringMatching(/^approval-/) });
    const request = rows.find((r) => r.action === 'admin.approval.request')!;
    expect(JSON.parse(request.details)).toMatchObject({ kind: 'role.update', change: { roleId: 'role-rep', patch: { dataScope: 'unit' } } });
  });
});
