// IT's identity commands through the real CLI (its runCli, in-process: server/test/cli.ts): connect a provider, issue its SCIM token
// (printed once, works against /scim/v2), refuse an administering group rule without the switch.

import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_IDS } from '../../shared/permissions/default-roles';
import { buildServer } from '../../server/app';
import { identityDb } from '../../server/sso/tables';
import { cliOn } from '../../server/test/cli';
import { withTestDatabase, type TestDatabase } from '../../server/test/db';
import { createFixtureOrg } from '../../server/test/fixtures';
import { scimClient } from './scim-kit';

describe('identity CLI', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  async function cli(db: TestDatabase, args: string[]): Promise<{ code: number; out: string }> {
    const { code, stdout, stderr } = await cliOn(db, args);
    return { code, out: stdout + stderr };
  }

  it('idp-add, scim-token and idp-rule act on the database; an admin-role rule needs --allow-admin-role', async () => {
    t = await withTestDatabase();
    const fixture = await createFixtureOrg(t.db);
    const added = await cli(t, ['idp-add', '--name', 'Acme Keycloak', '--issuer', 'https://sso.acme.example/realms/sales', '--client-id', 'salesvault', '--default-unit', fixture.units.company.id, '--trust-mfa']);
    expect(added.code, added.out).toBe(0);
    const row = await identityDb(t.db).selectFrom('identity_providers').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Acme Keycloak', trust_mfa: 1, client_id: 'salesvault' });
    expect((await cli(t, ['idp-add', '--name', 'x', '--issuer', 'http://sso.acme.example', '--client-id', 'c', '--default-unit', 'unit-company'])).code).toBe(2);

    const issued = await cli(t, ['scim-token', row.id]);
    expect(issued.code, issued.out).toBe(0);
    const token = /svscim_[A-Za-z0-9_-]+/.exec(issued.out)?.[0];
    expect(token).toBeTruthy();

    const refused = await cli(t, ['idp-rule', row.id, '--group', 'IT', '--role', DEFAULT_ROLE_IDS.it_admin, '--unit', fixture.units.company.id]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('allowAdminRole');
    const allowed = await cli(t, ['idp-rule', row.id, '--group', 'IT', '--role', DEFAULT_ROLE_IDS.it_admin, '--unit', fixture.units.company.id, '--allow-admin-role']);
    expect(allowed.code, allowed.out).toBe(0);
    const listed = await cli(t, ['idp-list']);
    expect(listed.out, listed.out).toContain('group "IT" → role role-it-admin, unit unit-company');

    // The printed token authenticates SCIM calls on a server over the same database.
    const { app } = await buildServer({ db: t.db, dialect: t.dialect, rateLimit: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = app.server.address() as { port: number };
      const scim = scimClient(`http://127.0.0.1:${address.port}`, token!);
      expect((await scim('GET', '/Users')).status).toBe(200);
    } finally {
      await app.close();
    }
  }, 240_000); // six CLI processes: slow on a loaded machine
});
