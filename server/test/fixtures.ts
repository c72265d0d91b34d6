// A small, deterministic organisation for server tests (and a starting point for the demo seed):
//   company → region East → branch Shanghai → teams A and B
// one user per default role (two IT admins, for four-eyes approvals), each with a known password and an already enrolled TOTP secret.

import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Secret } from 'otpauth';
import { DEFAULT_ROLE_IDS } from '../../shared/permissions/default-roles';
import type { Database, OrgUnitsTable } from '../db/schema';
import { hashPassword } from '../identity/password';

export const FIXTURE_UNITS = {
  company: { id: 'unit-company', parent_id: null, name: 'Acme Sales Co.', kind: 'company' },
  region: { id: 'unit-east', parent_id: 'unit-company', name: 'East Region', kind: 'region' },
  branch: { id: 'unit-shanghai', parent_id: 'unit-east', name: 'Shanghai Branch', kind: 'branch' },
  teamA: { id: 'unit-team-a', parent_id: 'unit-shanghai', name: 'Team A', kind: 'team' },
  teamB: { id: 'unit-team-b', parent_id: 'unit-shanghai', name: 'Team B', kind: 'team' },
} as const satisfies Record<string, OrgUnitsTable>;

export interface FixtureUser {
  id: string;
  username: string;
  password: string;
  totpSecret: string;
  roleId: string;
  unitId: string;
}

const USER_SPECS = [
  { key: 'rep', username: 'rep.li', roleId: DEFAULT_ROLE_IDS.rep, unitId: FIXTURE_UNITS.teamA.id, managed: [] },
  { key: 'rep2', username: 'rep.wang', roleId: DEFAULT_ROLE_IDS.rep, unitId: FIXTURE_UNITS.teamB.id, managed: [] },
  { key: 'manager', username: 'mgr.zhang', roleId: DEFAULT_ROLE_IDS.manager, unitId: FIXTURE_UNITS.teamA.id, managed: [FIXTURE_UNITS.teamA.id] },
  { key: 'director', username: 'dir.chen', roleId: DEFAULT_ROLE_IDS.director, unitId: FIXTURE_UNITS.region.id, managed: [] },
  { key: 'service', username: 'svc.zhao', roleId: DEFAULT_ROLE_IDS.service, unitId: FIXTURE_UNITS.branch.id, managed: [] },
  { key: 'itAdmin', username: 'it.admin', roleId: DEFAULT_ROLE_IDS.it_admin, unitId: FIXTURE_UNITS.company.id, managed: [] },
  // A second IT admin: changes that widen access need a second administrator's approval.
  { key: 'itAdmin2', username: 'it.admin2', roleId: DEFAULT_ROLE_IDS.it_admin, unitId: FIXTURE_UNITS.company.id, managed: [] },
  { key: 'auditor', username: 'audit.sun', roleId: DEFAULT_ROLE_IDS.auditor, unitId: FIXTURE_UNITS.company.id, managed: [] },
] as const;

export type FixtureUserKey = (typeof USER_SPECS)[number]['key'];

export interface Fixture {
  units: typeof FIXTURE_UNITS;
  users: Record<FixtureUserKey, FixtureUser>;
}

export const FIXTURE_PASSWORD = 'correct horse battery';

/** A stable TOTP secret per username, so a test can compute codes without reading the DB. */
export function fixtureTotpSecret(username: string): string {
  return new Secret({ buffer: createHash('sha1').update(`sv-fixture:${username}`).digest().buffer }).base32;
}

/** Inserts the fixture org into a migrated database (default roles come from the migrations). */
export async function createFixtureOrg(db: Kysely<Database>, now = Date.now()): Promise<Fixture> {
  for (const unit of Object.values(FIXTURE_UNITS)) await db.insertInto('org_units').values(unit).execute();
  // One scrypt hash serves every fixture user (same password): keeps the fixture fast.
  const passwordHash = await hashPassword(FIXTURE_PASSWORD);
  const users = {} as Record<FixtureUserKey, FixtureUser>;
  for (const spec of USER_SPECS) {
    const user: FixtureUser = {
      id: `user-${spec.username.replace('.', '-')}`,
      username: spec.username,
      password: FIXTURE_PASSWORD,
      totpSecret: fixtureTotpSecret(spec.username),
      roleId: spec.roleId,
      unitId: spec.unitId,
    };
    await db
      .insertInto('users')
      .values({
        id: user.id, username: user.username, display_name: spec.username, unit_id: user.unitId, role_id: user.roleId,
        managed_unit_ids: JSON.stringify(spec.managed), status: 'active', password_hash: passwordHash,
        totp_secret: user.totpSecret, totp_pending_secret: null, failed_attempts: 0, locked_until: null,
        last_sign_in_at: null, last_totp_step: null, created_at: now,
      })
      .execute();
    users[spec.key] = user;
  }
  return { units: FIXTURE_UNITS, users };
}
