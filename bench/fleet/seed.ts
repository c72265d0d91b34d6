// The fleet's organisation, written straight into the database (enrolling 10,000 devices through
// sign-in, TOTP and enroll would take longer than the measurements): the fixture org (its IT
// admins act for the benchmark), one user per device, and a role `fleet` (data scope "team") held
// by the users whose devices the role change re-scopes. Each device gets an Ed25519 key pair and
// an access token signed with the server key, exactly what enrollment would have issued.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../server/db/schema';
import { issueAccessToken } from '../../server/devices/grant';
import type { ServerContext } from '../../server/context';
import { loadOrCreateServerKeys } from '../../server/keys';
import { DEFAULT_ROLE_IDS } from '../../shared/permissions/default-roles';
import { createFixtureOrg, FIXTURE_UNITS, type Fixture } from '../../server/test/fixtures';
import type { FleetDevice } from './sign';

export const FLEET_ROLE_ID = 'role-fleet';
const BATCH = 500;

export interface FleetSeed {
  fixture: Fixture;
  devices: (FleetDevice & { userId: string })[];
  /** devices whose users hold the `fleet` role (the role change re-scopes exactly these) */
  rescoped: Set<string>;
}

export async function seedFleet(db: Kysely<Database>, streams: number, rescopeDevices: number): Promise<FleetSeed> {
  const now = Date.now();
  const fixture = await createFixtureOrg(db, now);
  const rep = await db.selectFrom('roles').selectAll().where('id', '=', DEFAULT_ROLE_IDS.rep).executeTakeFirstOrThrow();
  await db.insertInto('roles').values({ ...rep, id: FLEET_ROLE_ID, key: null, name: 'Fleet', data_scope: 'team', updated_at: now }).execute();
  const template = await db.selectFrom('users').selectAll().where('id', '=', fixture.users.rep.id).executeTakeFirstOrThrow();

  const keys = await loadOrCreateServerKeys(db);
  const ctx = { keys, now: Date.now } as unknown as ServerContext;
  const devices: FleetSeed['devices'] = [];
  const rescoped = new Set<string>();
  for (let start = 0; start < streams; start += BATCH) {
    const users: Database['users'][] = [];
    const rows: Database['devices'][] = [];
    for (let i = start; i < Math.min(streams, start + BATCH); i++) {
      const userId = `fleet-user-${i}`;
      const deviceId = randomUUID();
      const fleetRole = i < rescopeDevices;
      users.push({
        ...template, id: userId, username: `fleet.${i}`, display_name: `Fleet ${i}`,
        unit_id: i % 2 === 0 ? FIXTURE_UNITS.teamA.id : FIXTURE_UNITS.teamB.id,
        role_id: fleetRole ? FLEET_ROLE_ID : DEFAULT_ROLE_IDS.rep, managed_unit_ids: '[]', created_at: now,
      });
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      rows.push({
        id: deviceId, user_id: userId, public_key: (publicKey.export({ format: 'jwk' }) as { x: string }).x, name: `fleet ${i}`,
        platform: 'linux', app_version: '0.1.0', status: 'active', enrolled_at: now, last_check_in_at: now, revoked_at: null,
        revoke_reason: null, wipe_confirmed_at: null, synced_buckets: '[]', synced_read_clearance: null, synced_classification: null,
        synced_entities: null, audit_latest_at: null, install_id: null, host_name: null, os_version: null, last_ip: null, signed_out_at: null, check_in_due_at: null,
      });
      const { accessToken } = await issueAccessToken(ctx, userId, deviceId);
      devices.push({ id: deviceId, userId, key: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), token: accessToken });
      if (fleetRole) rescoped.add(deviceId);
    }
    await db.insertInto('users').values(users).execute();
    await db.insertInto('devices').values(rows).execute();
  }
  return { fixture, devices, rescoped };
}
