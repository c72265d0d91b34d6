// IT's identity-provider commands for the server CLI (server/cli.ts): connect a provider, issue
// its SCIM token, and map its groups to roles and units. The CLI is trusted local access
// (audited as actor "cli"); the same operations as the admin API.

import { parseArgs } from 'node:util';
import { z } from 'zod';
import { providerInputSchema } from '../../shared/protocol/sso';
import type { ServerContext } from '../context';
import { reapplyProviderRules } from '../scim/placement';
import { createGroupRule, createProvider, listGroupRules, listProviders, loadProviderRow, rotateScimToken, SCIM_BASE_PATH } from './providers';

export const IDENTITY_USAGE = `
identity providers (single sign-on and SCIM provisioning):
  idp-add --name N --issuer URL --client-id ID --default-unit UNIT
          [--trust-mfa] [--password-roles role-it-admin,…] [--username-claim preferred_username]
                                 connect an OpenID Connect provider (issuer: its discovery URL base)
  idp-list                       list providers with their ids and SCIM token state
  scim-token <provider-id>       issue the provider's SCIM bearer token (printed once; the old one stops working)
  idp-rule <provider-id> --group NAME --role ROLE-ID --unit UNIT-ID [--priority 100] [--allow-admin-role]
                                 map a provider group to a role and an org unit`;

export const IDENTITY_COMMANDS: ReadonlySet<string> = new Set(['idp-add', 'idp-list', 'scim-token', 'idp-rule']);

const CLI_ACTOR = { userId: null, deviceId: null };

export class IdentityUsageError extends Error {}

export async function runIdentityCommand(
  argv: string[],
  /** Opens the database the location options name (server/data-dir.ts). */
  withContext: <T>(location: { data?: string | undefined; dataDir?: string | undefined }, fn: (ctx: ServerContext) => Promise<T>) => Promise<T>,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      'data-dir': { type: 'string' },
      name: { type: 'string' }, issuer: { type: 'string' }, 'client-id': { type: 'string' }, 'default-unit': { type: 'string' },
      'trust-mfa': { type: 'boolean' }, 'password-roles': { type: 'string' }, 'username-claim': { type: 'string' },
      group: { type: 'string' }, role: { type: 'string' }, unit: { type: 'string' }, priority: { type: 'string' },
      'allow-admin-role': { type: 'boolean' },
    },
  });
  const [command, arg] = positionals;
  const data = { data: values.data, dataDir: values['data-dir'] };
  switch (command) {
    case 'idp-add': {
      const parsed = providerInputSchema.safeParse({
        name: values.name, issuer: values.issuer, clientId: values['client-id'], defaultUnitId: values['default-unit'],
        trustMfa: values['trust-mfa'] ?? false,
        ...(values['username-claim'] ? { usernameClaim: values['username-claim'] } : {}),
        ...(values['password-roles'] ? { passwordRoleIds: values['password-roles'].split(',').map((r) => r.trim()).filter(Boolean) } : {}),
      });
      if (!parsed.success) throw new IdentityUsageError(z.prettifyError(parsed.error));
      return withContext(data, async (ctx) => {
        const p = await createProvider(ctx, parsed.data, CLI_ACTOR);
        console.log(`identity provider ${p.id} "${p.name}" added (issuer ${p.issuer}, client ${p.clientId})`);
        console.log(`redirect URI to register at the provider (native/public client, any port): http://127.0.0.1/callback`);
        return 0;
      });
    }
    case 'idp-list':
      return withContext(data, async (ctx) => {
        for (const p of await listProviders(ctx)) {
          const token = p.scimTokenHint ? `SCIM token ${p.scimTokenHint} since ${new Date(p.scimTokenCreatedAt!).toISOString()}` : 'no SCIM token';
          console.log(`${p.id}  ${p.enabled ? 'enabled ' : 'disabled'}  ${p.name}  ${p.issuer}  mfa ${p.trustMfa ? 'trusted' : 'TOTP'}  ${token}`);
          for (const r of await listGroupRules(ctx, p.id)) {
            console.log(`    group "${r.groupName}" → role ${r.roleId}, unit ${r.unitId} (priority ${r.priority}${r.allowAdminRole ? ', admin role allowed' : ''})`);
          }
        }
        return 0;
      });
    case 'scim-token': {
      if (!arg) throw new IdentityUsageError('scim-token needs a provider id (see idp-list)');
      return withContext(data, async (ctx) => {
        const { token } = await rotateScimToken(ctx, arg, CLI_ACTOR);
        console.log(`SCIM base URL: https://<this server>${SCIM_BASE_PATH}`);
        console.log(`SCIM bearer token (shown once, store it in the provider now):\n${token}`);
        return 0;
      });
    }
    case 'idp-rule': {
      if (!arg || !values.group || !values.role || !values.unit) throw new IdentityUsageError('idp-rule needs <provider-id> --group --role --unit');
      const priority = Number(values.priority ?? 100);
      if (!Number.isInteger(priority) || priority < 0) throw new IdentityUsageError('--priority must be a whole number ≥ 0');
      return withContext(data, async (ctx) => {
        const rule = await createGroupRule(ctx, arg, {
          groupName: values.group!, roleId: values.role!, unitId: values.unit!, priority, allowAdminRole: values['allow-admin-role'] ?? false,
        }, CLI_ACTOR);
        const moved = await reapplyProviderRules(ctx, await loadProviderRow(ctx, arg));
        console.log(`rule ${rule.id}: group "${rule.groupName}" → ${rule.roleId} in ${rule.unitId}; ${moved.length} user(s) re-placed`);
        return 0;
      });
    }
    default:
      throw new IdentityUsageError(`unknown command: ${command}`);
  }
}
