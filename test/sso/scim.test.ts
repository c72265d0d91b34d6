// The SCIM 2.0 service driven with the bodies Microsoft Entra ID and Okta send (./scim-fixtures.ts):
// provisioning, group → role + unit rules (with separation of duties), re-scoping on a group
// change, deactivation that revokes and wipes an online device within 2 s, bearer-token checks
// and SCIM-format 400s for malformed input.

import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_IDS } from '../../shared/permissions/default-roles';
import { SSO_PENDING_ROLE_ID } from '../../server/db/migrations/0008_identity_providers';
import { createGroupRule, revokeScimTokens, rotateScimToken, updateProvider } from '../../server/sso/providers';
import { newDeviceKey } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';
import { startTestOidcProvider, type TestOidcProvider } from '../oidc/test-provider';
import { entra, okta } from './scim-fixtures';
import { openEventStream, scimClient, type ScimCall } from './scim-kit';
import { browserSignIn, CLI, configureProvider, enrollFromToken, post, ssoStart } from './sso-kit';

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe('SCIM 2.0 provisioning', () => {
  let idp: TestOidcProvider;
  let s: TestServer;
  let providerId: string;
  let token: string;
  let scim: ScimCall;

  beforeAll(async () => {
    idp = await startTestOidcProvider([
      { sub: 'entra-oid-na-li', preferred_username: 'na.li@acme.example', mfa: true },
      { sub: 'okta-00u-fang', preferred_username: 'fang.wang@acme.example', mfa: true },
      { sub: 'entra-oid-b-user', preferred_username: 'b.user@acme.example', mfa: true },
    ]);
  });
  afterAll(async () => {
    await idp.close();
  });
  beforeEach(async () => {
    s = await startTestServer();
    providerId = await configureProvider(s, idp, { trustMfa: true });
    token = (await rotateScimToken(s.ctx, providerId, CLI)).token;
    scim = scimClient(s.baseUrl, token);
    const u = s.fixture.units;
    await createGroupRule(s.ctx, providerId, { groupName: 'Sales Team A', roleId: DEFAULT_ROLE_IDS.rep, unitId: u.teamA.id, priority: 10, allowAdminRole: false }, CLI);
    await createGroupRule(s.ctx, providerId, { groupName: 'Sales Team B', roleId: DEFAULT_ROLE_IDS.rep, unitId: u.teamB.id, priority: 20, allowAdminRole: false }, CLI);
  });
  afterEach(async () => {
    await s.close();
  });

  const userRow = (id: string) => s.ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  /** A device for a provisioned user, enrolled after an SSO sign-in at the provider (MFA asserted and trusted). */
  async function deviceFor(username: string) {
    const { idToken } = await browserSignIn(await ssoStart(s, providerId), username);
    const done = await post(s, '/v1/auth/sso/complete', { providerId, idToken });
    if (done.json.next !== 'enroll') throw new Error(`sso: ${JSON.stringify(done.json)}`);
    return enrollFromToken(s.baseUrl, done.json.enrollmentToken);
  }

  it('serves ServiceProviderConfig, Schemas and ResourceTypes', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.json).toMatchObject({ patch: { supported: true }, filter: { supported: true }, bulk: { supported: false } });
    const types = await scim('GET', '/ResourceTypes');
    expect(types.json.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    const schemas = await scim('GET', '/Schemas');
    expect(schemas.json.totalResults).toBe(2);
  });

  it('Entra: creates a user, finds it by userName, updates it; the user signs in by SSO and gets the mapped role and unit', async () => {
    const created = await scim('POST', '/Users', entra.createUser('na.li@acme.example'));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ userName: 'na.li@acme.example', active: true, displayName: 'Li Na', externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef' });
    const id = created.json.id as string;
    // Until a group places the user, it holds no access at all.
    expect((await userRow(id)).role_id).toBe(SSO_PENDING_ROLE_ID);

    const found = await scim('GET', entra.userFilter('NA.LI@acme.example'));
    expect(found.json).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    expect((await scim('GET', entra.userFilter('nobody@acme.example'))).json.totalResults).toBe(0);
    const updated = await scim('PATCH', `/Users/${id}`, entra.updateUser);
    expect(updated.status).toBe(200);
    expect(updated.json.displayName).toBe('Li Na (Shanghai)');
    expect(updated.json.emails).toContainEqual(expect.objectContaining({ value: 'na.li@acme.example', type: 'work' }));

    const group = await scim('POST', '/Groups', entra.createGroup('Sales Team A'));
    expect(group.status).toBe(201);
    expect((await scim('GET', entra.groupFilter('Sales Team A'))).json.Resources[0]).not.toHaveProperty('members');
    expect((await scim('PATCH', `/Groups/${group.json.id}`, entra.addMember(id))).status).toBe(200);
    const placed = await userRow(id);
    expect([placed.role_id, placed.unit_id]).toEqual([DEFAULT_ROLE_IDS.rep, s.fixture.units.teamA.id]);

    // SSO: linked by the provider's preferred_username = the provisioned userName; MFA asserted and trusted.
    const start = await ssoStart(s, providerId);
    const { idToken } = await browserSignIn(start, 'na.li@acme.example');
    const done = await post(s, '/v1/auth/sso/complete', { providerId, idToken });
    expect(done.json.next, JSON.stringify(done.json)).toBe('enroll');
    const enrolled = await post(s, '/v1/devices/enroll', {
      enrollmentToken: done.json.enrollmentToken, publicKey: newDeviceKey().publicKey, name: 'sso', platform: 'linux', appVersion: '0.1.0',
    });
    expect(enrolled.status).toBe(200);
    expect(decodeJwt(enrolled.json.grant)).toMatchObject({ sub: id, dataScope: 'own', buckets: [`o:${id}`] });
  });

  it('Okta: a group move re-scopes the user\'s online device; a rename re-places by the rules', async () => {
    const user = await scim('POST', '/Users', okta.createUser('fang.wang@acme.example'));
    const id = user.json.id as string;
    const teamA = await scim('POST', '/Groups', okta.createGroup('Sales Team A'));
    const teamB = await scim('POST', '/Groups', okta.createGroup('Sales Team B'));
    await scim('PATCH', `/Groups/${teamA.json.id}`, okta.moveMember(null, id, 'fang.wang@acme.example'));
    expect((await userRow(id)).unit_id).toBe(s.fixture.units.teamA.id);

    const device = await deviceFor('fang.wang@acme.example');
    const stream = await openEventStream(s.baseUrl, device);
    try {
      await scim('PATCH', `/Groups/${teamA.json.id}`, okta.moveMember(id, null, ''));
      await scim('PATCH', `/Groups/${teamB.json.id}`, okta.moveMember(null, id, 'fang.wang@acme.example'));
      await stream.next((e) => e.type === 'scope-changed');
      expect((await userRow(id)).unit_id).toBe(s.fixture.units.teamB.id);
      const refreshed = await device.refresh();
      expect(decodeJwt(((await refreshed.json()) as { grant: string }).grant)).toMatchObject({ sub: id });
    } finally {
      stream.close();
    }
    // Renaming team B's group to a name no rule knows: back to no access in the default unit.
    const renamed = await scim('PATCH', `/Groups/${teamB.json.id}`, okta.renameGroup(teamB.json.id, 'Former Team B'));
    expect(renamed.json.displayName).toBe('Former Team B');
    expect((await userRow(id)).role_id).toBe(SSO_PENDING_ROLE_ID);
  });

  it('Entra `Replace active "False"` revokes and wipes the user\'s online device within 2 s, naming the provider', async () => {
    const created = await scim('POST', '/Users', entra.createUser('na.li@acme.example'));
    const id = created.json.id as string;
    const group = await scim('POST', '/Groups', entra.createGroup('Sales Team A'));
    await scim('PATCH', `/Groups/${group.json.id}`, entra.addMember(id));
    const device = await deviceFor('na.li@acme.example');
    const stream = await openEventStream(s.baseUrl, device);
    try {
      const t0 = Date.now();
      const res = await scim('PATCH', `/Users/${id}`, entra.disableUser);
      expect(res.status).toBe(200);
      expect(res.json.active).toBe(false);
      const event = await stream.next((e) => e.type === 'revoked', 2000);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(event.type === 'revoked' && decodeJwt(event.directive)).toMatchObject({ did: device.deviceId });
    } finally {
      stream.close();
    }
    expect((await userRow(id)).status).toBe('deactivated');
    const deviceRow = await s.ctx.db.selectFrom('devices').selectAll().where('id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect([deviceRow.status, deviceRow.revoke_reason]).toEqual(['revoked', 'user_deactivated']);
    const trail = await s.ctx.db.selectFrom('audit_log').select(['action', 'details']).where('target', 'in', [id, device.deviceId]).orderBy('seq').execute();
    const actions = trail.map((t) => t.action);
    expect(actions).toEqual(expect.arrayContaining(['scim.user.deactivate', 'admin.user.deactivate', 'admin.device.revoke']));
    expect(JSON.parse(trail.find((t) => t.action === 'scim.user.deactivate')!.details)).toMatchObject({ provider: 'Acme Entra', reason: 'active_false' });
  });

  it('Okta `replace { active: false }` and a DELETE both deactivate', async () => {
    const a = (await scim('POST', '/Users', okta.createUser('a.user@acme.example'))).json.id as string;
    const b = (await scim('POST', '/Users', entra.createUser('b.user@acme.example'))).json.id as string;
    const deviceB = await deviceFor('b.user@acme.example');
    expect((await scim('PATCH', `/Users/${a}`, okta.deactivateUser)).json.active).toBe(false);
    expect((await userRow(a)).status).toBe('deactivated');
    expect((await scim('DELETE', `/Users/${b}`)).status).toBe(204);
    expect((await userRow(b)).status).toBe('deactivated');
    expect((await s.ctx.db.selectFrom('devices').select('status').where('id', '=', deviceB.deviceId).executeTakeFirstOrThrow()).status).toBe('revoked');
    expect((await scim('GET', `/Users/${b}`)).status).toBe(404);
  });

  it('pages with startIndex and count', async () => {
    for (const n of [1, 2, 3]) await scim('POST', '/Users', okta.createUser(`user${n}@acme.example`));
    const page = await scim('GET', '/Users?startIndex=2&count=1');
    expect(page.json).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.json.Resources[0].userName).toBe('user2@acme.example');
    expect((await scim('GET', '/Users?startIndex=0&count=-5')).json).toMatchObject({ startIndex: 1, itemsPerPage: 0, totalResults: 3 });
  });

  it('refuses a missing, wrong, rotated or revoked bearer token with 401 in SCIM format', async () => {
    expect((await scim('GET', '/Users', undefined, { token: 'svscim_not-a-token-at-all-00000000000' })).status).toBe(401);
    const res = await fetch(`${s.baseUrl}/scim/v2/Users`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { schemas: string[] }).schemas).toEqual([SCIM_ERROR]);
    const fresh = (await rotateScimToken(s.ctx, providerId, CLI)).token;
    expect((await scim('GET', '/Users')).status).toBe(401); // the old one
    expect((await scim('GET', '/Users', undefined, { token: fresh })).status).toBe(200);
    await revokeScimTokens(s.ctx, providerId, CLI);
    expect((await scim('GET', '/Users', undefined, { token: fresh })).status).toBe(401);
    // A disabled provider's token stops working too.
    const again = (await rotateScimToken(s.ctx, providerId, CLI)).token;
    await updateProvider(s.ctx, providerId, { enabled: false }, CLI);
    expect((await scim('GET', '/Users', undefined, { token: again })).status).toBe(401);
  });

  it('answers malformed SCIM with 400 in SCIM\'s error format, never 500', async () => {
    const user = (await scim('POST', '/Users', okta.createUser('x.user@acme.example'))).json.id as string;
    const group = (await scim('POST', '/Groups', okta.createGroup('Sales Team A'))).json.id as string;
    const bad: [string, string, unknown, string?][] = [
      ['POST', '/Users', undefined, '{"userName": '],
      ['POST', '/Users', { schemas: [], name: {} }],
      ['POST', '/Users', { userName: 42 }],
      ['POST', '/Users', { userName: 'y@acme.example', active: 'maybe' }],
      ['POST', '/Users', { userName: 'y@acme.example', emails: 'not-a-list' }],
      ['POST', '/Users', [1, 2, 3]],
      ['PATCH', `/Users/${user}`, { Operations: [{ op: 'replace', path: 'active', value: false }] }],
      ['PATCH', `/Users/${user}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'explode' }] }],
      ['PATCH', `/Users/${user}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: 'yes' }] }],
      ['PATCH', `/Users/${user}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: 'x' }] }],
      ['PATCH', `/Users/${user}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [] }],
      ['PATCH', `/Groups/${group}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: 'no-such-user' }] }] }],
      ['PATCH', `/Groups/${group}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'owners', value: 'x' }] }],
      ['GET', `/Users?filter=${encodeURIComponent('userName co "x"')}`, undefined],
      ['GET', `/Users?filter=${encodeURIComponent('password eq "x"')}`, undefined],
      ['GET', '/Users?startIndex=abc', undefined],
      ['POST', '/Groups', { displayName: '' }],
    ];
    for (const [method, path, body, raw] of bad) {
      const res = await scim(method, path, body, raw === undefined ? {} : { raw });
      expect(res.status, `${method} ${path} ${raw ?? JSON.stringify(body)}`).toBe(400);
      expect(res.json.schemas).toEqual([SCIM_ERROR]);
      expect(res.json.status).toBe('400');
    }
    expect((await scim('POST', '/Users', okta.createUser('x.user@acme.example'))).json).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect((await scim('GET', '/Users/no-such-user')).status).toBe(404);
    expect((await scim('GET', '/Nope')).json.schemas).toEqual([SCIM_ERROR]);
    // application/json is accepted like application/scim+json.
    expect((await scim('POST', '/Users', okta.createUser('z.user@acme.example'), { contentType: 'application/json' })).status).toBe(201);
  });

  it('separation of duties: a group maps to an administering role only when IT allows that rule explicitly', async () => {
    const rule = { groupName: 'IT Admins', roleId: DEFAULT_ROLE_IDS.it_admin, unitId: s.fixture.units.company.id, priority: 1 };
    await expect(createGroupRule(s.ctx, providerId, { ...rule, allowAdminRole: false }, CLI)).rejects.toMatchObject({ code: 'forbidden' });
    const id = (await scim('POST', '/Users', okta.createUser('admin.candidate@acme.example'))).json.id as string;
    const group = (await scim('POST', '/Groups', okta.createGroup('IT Admins'))).json.id as string;
    await scim('PATCH', `/Groups/${group}`, okta.moveMember(null, id, 'admin.candidate@acme.example'));
    // The provider pushing "IT Admins" membership gives nothing without an allowed rule.
    expect((await userRow(id)).role_id).toBe(SSO_PENDING_ROLE_ID);

    // A rule that was harmless when made, whose role later becomes administering, stops applying.
    const { rowToRole, roleToRow } = await import('../../server/db/mappers');
    const roleRow = await s.ctx.db.selectFrom('roles').selectAll().where('id', '=', DEFAULT_ROLE_IDS.auditor).executeTakeFirstOrThrow();
    const auditorRole = rowToRole(roleRow);
    const customRoleId = 'role-custom-readers';
    await s.ctx.db.insertInto('roles').values(roleToRow({ ...auditorRole, id: customRoleId, key: null, name: 'Readers', actions: ['customer.read'], dataScope: 'own' }, Date.now())).execute();
    await createGroupRule(s.ctx, providerId, { groupName: 'IT Admins', roleId: customRoleId, unitId: s.fixture.units.company.id, priority: 2, allowAdminRole: false }, CLI);
    await scim('PATCH', `/Groups/${group}`, okta.renameGroup(group, 'IT Admins'));
    await s.ctx.db.updateTable('roles').set({ actions: JSON.stringify(['audit.read']), data_scope: 'none' }).where('id', '=', customRoleId).execute();
    await scim('PATCH', `/Groups/${group}`, okta.moveMember(id, null, ''));
    await scim('PATCH', `/Groups/${group}`, okta.moveMember(null, id, 'admin.candidate@acme.example'));
    expect((await userRow(id)).role_id).toBe(SSO_PENDING_ROLE_ID);
    const denied = await s.ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'scim.user.place').where('outcome', '=', 'denied').execute();
    expect(denied.length).toBeGreaterThan(0);

    await createGroupRule(s.ctx, providerId, { ...rule, allowAdminRole: true }, CLI);
    await scim('PATCH', `/Groups/${group}`, okta.moveMember(id, null, ''));
    await scim('PATCH', `/Groups/${group}`, okta.moveMember(null, id, 'admin.candidate@acme.example'));
    expect((await userRow(id)).role_id).toBe(DEFAULT_ROLE_IDS.it_admin);
  });
});
