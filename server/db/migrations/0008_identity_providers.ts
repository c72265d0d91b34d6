// 0008: enterprise identity — OpenID Connect providers configured by IT, the link from a
// provider's (issuer, sub) to a SalesVault user, the server-issued sign-in nonces, and SCIM 2.0
// provisioning state (per-provider bearer tokens stored hashed, provisioned users and groups,
// and IT's group → role + org unit rules).
//   identity_providers   one per connected IdP; `trust_mfa` + `mfa_values` decide when the IdP's
//                        amr/acr replaces the TOTP step; `password_role_ids` (JSON, null = no
//                        restriction) lists the roles of linked users that may still use a password
//   user_identities      (provider_id, subject) → user_id, unique per provider
//   sso_nonces           single-use nonces the server hands out before a sign-in (hash only)
//   scim_tokens          SHA-256 of each bearer token; rotation revokes the previous ones
//   scim_users           which provider provisioned a user, its externalId and SCIM attributes
//   scim_groups / scim_group_members   groups as pushed by the provider
//   scim_group_rules     displayName of a group → role + unit; `allow_admin_role` is IT's explicit
//                        consent that this rule may give an administering role
// Also adds the built-in role every provisioned user holds until a group rule places them: no
// actions, no data.

import { sql, type Expression, type Kysely, type Migration } from 'kysely';
import { DEFAULT_OFFLINE_POLICY } from '../../../shared/domain/model';
import type { Dialect } from '../../context';

export const SSO_PENDING_ROLE_ID = 'role-sso-pending';

export function identityProvidersMigration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const time = pg ? 'bigint' : 'integer';

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('identity_providers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('issuer', 'text', (c) => c.notNull().unique())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('username_claim', 'text', (c) => c.notNull())
        .addColumn('trust_mfa', 'integer', (c) => c.notNull())
        .addColumn('mfa_values', 'text', (c) => c.notNull())
        .addColumn('password_role_ids', 'text')
        .addColumn('default_unit_id', 'text', (c) => c.notNull().references('org_units.id'))
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('user_identities')
        .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id'))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('user_identities_pk', ['provider_id', 'subject'])
        .execute();
      await db.schema.createIndex('user_identities_user').on('user_identities').column('user_id').execute();

      await db.schema
        .createTable('sso_nonces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .addColumn('used_at', time)
        .execute();

      await db.schema
        .createTable('scim_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('hint', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('revoked_at', time)
        .execute();

      await db.schema
        .createTable('scim_users')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
        .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id'))
        .addColumn('external_id', 'text')
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('scim_users_provider').on('scim_users').column('provider_id').execute();

      await db.schema
        .createTable('scim_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id'))
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('scim_groups_provider').on('scim_groups').columns(['provider_id', 'display_name']).execute();

      await db.schema
        .createTable('scim_group_members')
        .addColumn('group_id', 'text', (c) => c.notNull().references('scim_groups.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addPrimaryKeyConstraint('scim_group_members_pk', ['group_id', 'user_id'])
        .execute();
      await db.schema.createIndex('scim_group_members_user').on('scim_group_members').column('user_id').execute();

      await db.schema
        .createTable('scim_group_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id'))
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
        .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('allow_admin_role', 'integer', (c) => c.notNull().check(sqlIn('allow_admin_role', ['0', '1'])))
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();

      await sql`insert into roles (id, key, name, actions, data_scope, read_clearance, write_clearance, offline, updated_at)
        values (${SSO_PENDING_ROLE_ID}, null, ${'Provisioned, awaiting group'}, ${'[]'}, ${'none'}, ${'public'}, ${'public'},
          ${JSON.stringify({ ...DEFAULT_OFFLINE_POLICY, exportAllowed: false })}, ${Date.now()})`.execute(db);
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of [
        'scim_group_rules', 'scim_group_members', 'scim_groups', 'scim_users', 'scim_tokens', 'sso_nonces',
        'user_identities', 'identity_providers',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
      await sql`delete from roles where id = ${SSO_PENDING_ROLE_ID}`.execute(db);
    },
  };
}

function sqlIn(column: string, values: readonly string[]): Expression<unknown> {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.raw(v)))})`;
}
