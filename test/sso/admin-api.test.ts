// IT's admin API for identity providers over signed HTTP: only admin.users may use it; issuers
// must be https (http only on loopback); the SCIM token it returns works once and is stored
// hashed; a group rule to an administering role needs the explicit switch; rule changes
// re-place the provider's users at once.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_IDS } from '../../shared/permissions/default-roles';
import { identityDb } from '../../server/sso/tables';
import { enrollTestDevice, type TestDevice } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';
import { okta } from './scim-fixtures';
import { scimClient } from './scim-kit';

describe('identity-provider admin API', () => {
  let s: TestServer;
  let admin: TestDevice;
  beforeEach(async () => {
    s = await startTestServer();
    const u = s.fixture.users.itAdmin;
    admin = await enrollTestDevice(s.baseUrl, u.username, u.password, u.totpSecret);
  });
  afterEach(async () => {
    await s.close();
  });

  const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any }); // eslint-disable-line @typescript-eslint/no-explicit-any
  const provider = {
    name: 'Acme Okta', issuer: 'https://acme.okta.example', clientId: '0oa1desktop', defaultUnitId: 'unit-company',
  };

  it('lets IT configure a provider, a SCIM token and group rules; a rep gets 403', async () => {
    const rep = s.fixture.users.rep;
    const repDevice = await enrollTestDevice(s.baseUrl, rep.username, rep.password, rep.totpSecret);
    expect((await repDevice.signedFetch('POST', '/v1/admin/identity-providers', provider)).status).toBe(403);

    const created = await json(await admin.signedFetch('POST', '/v1/admin/identity-providers', provider));
    expect(created.status).toBe(200);
    expect(created.body.provider).toMatchObject({ name: 'Acme Okta', trustMfa: false, scopes: ['openid', 'profile', 'email'], scimTokenHint: null });
    const id = created.body.provider.id as string;
    expect((await admin.signedFetch('POST', '/v1/admin/identity-providers', provider)).status).toBe(409);
    for (const issuer of ['http://acme.okta.example', 'ftp://x.example', 'https://x.example/?q=1', 'not a url']) {
      expect((await admin.signedFetch('POST', '/v1/admin/identity-providers', { ...provider, issuer })).status, issuer).toBe(400);
    }

    const issued = await json(await admin.signedFetch('POST', `/v1/admin/identity-providers/${id}/scim-token`));
    expect(issued.status).toBe(200);
    expect(issued.body.scimBaseUrlPath).toBe('/scim/v2');
    const stored = await identityDb(s.ctx.db).selectFrom('scim_tokens').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(issued.body.token);
    const scim = scimClient(s.baseUrl, issued.body.token);
    const user = (await scim('POST', '/Users', okta.createUser('new.rep@acme.example'))).json.id as string;
    const group = (await scim('POST', '/Groups', okta.createGroup('Team A Reps'))).json.id as string;
    await scim('PATCH', `/Groups/${group}`, okta.moveMember(null, user, 'new.rep@acme.example'));

    const adminRule = { groupName: 'Team A Reps', roleId: DEFAULT_ROLE_IDS.it_admin, unitId: 'unit-company' };
    expect((await admin.signedFetch('POST', `/v1/admin/identity-providers/${id}/group-rules`, adminRule)).status).toBe(403);
    const rule = await json(await admin.signedFetch('POST', `/v1/admin/identity-providers/${id}/group-rules`, {
      groupName: 'Team A Reps', roleId: DEFAULT_ROLE_IDS.rep, unitId: s.fixture.units.teamA.id,
    }));
    expect(rule.status).toBe(200);
    // The existing member moved when the rule was made, not at the provider's next push.
    const placed = await s.ctx.db.selectFrom('users').select(['role_id', 'unit_id']).where('id', '=', user).executeTakeFirstOrThrow();
    expect(placed).toEqual({ role_id: DEFAULT_ROLE_IDS.rep, unit_id: s.fixture.units.teamA.id });
    const listed = await json(await admin.signedFetch('GET', `/v1/admin/identity-providers/${id}/group-rules`));
    expect(listed.body.rules).toHaveLength(1);
    expect((await admin.signedFetch('DELETE', `/v1/admin/identity-providers/${id}/group-rules/${rule.body.rule.id}`)).status).toBe(200);
    expect((await s.ctx.db.selectFrom('users').select('role_id').where('id', '=', user).executeTakeFirstOrThrow()).role_id).toBe('role-sso-pending');

    const providers = await json(await admin.signedFetch('GET', '/v1/admin/identity-providers'));
    expect(providers.body.providers[0].scimTokenHint).toBe(`…${issued.body.token.slice(-4)}`);
    const revoked = await json(await admin.signedFetch('DELETE', `/v1/admin/identity-providers/${id}/scim-token`));
    expect(revoked.body.revoked).toBe(1);
    expect((await scim('GET', '/Users')).status).toBe(401);
    const audit = await s.ctx.db.selectFrom('audit_log').select(['action', 'outcome']).where('action', 'like', 'admin.idp.%').execute();
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual(expect.arrayContaining([
      'admin.idp.create:ok', 'admin.idp.scim_token_rotate:ok', 'admin.idp.group_rule_create:denied', 'admin.idp.group_rule_create:ok',
      'admin.idp.group_rule_delete:ok', 'admin.idp.scim_token_revoke:ok',
    ]));
  });
});
