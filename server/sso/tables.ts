// The tables of migration 0008 as Kysely sees them. Kept beside the code that uses them: the
// modules here reach them through `identityDb(ctx.db)`, which adds these tables to the server's
// Database type.

import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

export interface IdentityProvidersTable {
  id: string;
  name: string;
  issuer: string;
  client_id: string;
  /** JSON string[] */
  scopes: string;
  username_claim: string;
  trust_mfa: number;
  /** JSON string[]: amr entries or acr values that count as MFA */
  mfa_values: string;
  /** JSON string[] | null */
  password_role_ids: string | null;
  default_unit_id: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface UserIdentitiesTable {
  provider_id: string;
  subject: string;
  user_id: string;
  created_at: number;
}

export interface SsoNoncesTable {
  /** SHA-256 of the nonce, base64url */
  id: string;
  provider_id: string;
  expires_at: number;
  used_at: number | null;
}

export interface ScimTokensTable {
  id: string;
  provider_id: string;
  token_hash: string;
  /** last 4 characters, to recognise a token in the admin screen */
  hint: string;
  created_at: number;
  revoked_at: number | null;
}

export interface ScimUsersTable {
  user_id: string;
  provider_id: string;
  external_id: string | null;
  /** JSON: the SCIM attributes SalesVault keeps (name, emails) */
  attributes: string;
  created_at: number;
  updated_at: number;
}

export interface ScimGroupsTable {
  id: string;
  provider_id: string;
  display_name: string;
  external_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface ScimGroupMembersTable {
  group_id: string;
  user_id: string;
}

export interface ScimGroupRulesTable {
  id: string;
  provider_id: string;
  group_name: string;
  role_id: string;
  unit_id: string;
  priority: number;
  allow_admin_role: number;
  created_at: number;
}

export type IdentityTables = {
  identity_providers: IdentityProvidersTable;
  user_identities: UserIdentitiesTable;
  sso_nonces: SsoNoncesTable;
  scim_tokens: ScimTokensTable;
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
  scim_group_members: ScimGroupMembersTable;
  scim_group_rules: ScimGroupRulesTable;
};

export type IdentityDb = Kysely<Database & IdentityTables>;

export function identityDb(db: Kysely<Database>): IdentityDb {
  return db.withTables<IdentityTables>();
}
