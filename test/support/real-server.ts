// A real server for the client core's integration tests (test support: it lives outside the
// client core, so the core's layering holds without exceptions): a fresh database with the fixture org,
// a handful of customers (own, another rep's, shared), listening on 127.0.0.1 on an ephemeral
// port. `stop()` closes the listener but keeps the database; `restart()` listens again on the
// SAME port (offline-then-back tests).

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { buildServer } from '../../server/app';
import type { ServerContext } from '../../server/context';
import { revokeDevice as adminRevokeDevice, deactivateUser as adminDeactivateUser } from '../../server/admin/service';
import { setMinAppVersion } from '../../server/devices/min-version';
import { createRecord, createShare, inRecordTransaction, reassignCustomer, revokeShare, updateRecord } from '../../server/records/repository';
import { createFixtureOrg, type Fixture, type FixtureUser } from '../../server/test/fixtures';
import { withTestDatabase, type TestDatabase } from '../../server/test/db';

export interface SeededCustomer {
  id: string;
  name: string;
  ownerKey: 'rep' | 'rep2';
  contactName: string;
  /** confidential/sensitive values that must never reach a rep's vault (above clearance) */
  secrets: string[];
}

export interface RealServer {
  url: string;
  port: number;
  ctx: ServerContext;
  /** the server's database, for assertions on what the server holds */
  db: TestDatabase['db'];
  fixture: Fixture;
  customers: { repOwn: SeededCustomer; repOwn2: SeededCustomer; otherRep: SeededCustomer; sharedWithRep: SeededCustomer };
  shareId: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  cleanup(): Promise<void>;
  /** server-side helpers that act as an admin would */
  revokeDevice(deviceId: string): Promise<void>;
  /** IT sets (null: removes) the minimum app version of a platform, as the CLI does. */
  setMinAppVersion(platform: 'win32' | 'darwin' | 'linux', minVersion: string | null): Promise<void>;
  deactivateUser(userId: string): Promise<void>;
  reassign(customerId: string, newOwnerId: string): Promise<void>;
  revokeShare(shareId: string): Promise<void>;
  shareWith(input: { id: string; customerId: string; granteeId: string; access: 'read' | 'write'; expiresAt: number | null }): Promise<void>;
  updateCustomer(customerId: string, fields: Record<string, unknown>): Promise<void>;
  devicesOf(userId: string): Promise<{ id: string; status: string; wipe_confirmed_at: number | null }[]>;
  auditRows(action?: string): Promise<{ at: number; action: string; actor_id: string | null; target: string | null; details: string }[]>;
  customerRow(id: string): Promise<Record<string, unknown> | undefined>;
}

/** The current TOTP code of a fixture user (offset in 30 s steps). */
export function totpFor(user: Pick<FixtureUser, 'totpSecret'>, stepOffset = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(user.totpSecret), digits: 6, period: 30, algorithm: 'SHA1' });
  return totp.generate({ timestamp: Date.now() + stepOffset * 30_000 });
}

export async function startRealServer(): Promise<RealServer> {
  const database: TestDatabase = await withTestDatabase();
  const fixture = await createFixtureOrg(database.db);
  const { rep, rep2 } = fixture.users;
  const now = Date.now();

  const seeded = {
    repOwn: {
      id: 'cust-rep-1', name: '深圳华为技术有限公司', ownerKey: 'rep' as const, contactName: '王建国',
      fields: { city: '深圳', industry: '通信', creditLimit: 8_765_432, paymentTerms: 'NET-SECRET-91', taxId: '91440300TAXREP01', tags: ['重点', 'VIP'] },
      secrets: ['NET-SECRET-91', '8765432'],
    },
    repOwn2: {
      id: 'cust-rep-2', name: 'Contoso Robotics', ownerKey: 'rep' as const, contactName: 'Alice Moreau',
      fields: { city: 'Shanghai', industry: 'Manufacturing', creditLimit: 1_234_567, paymentTerms: 'NET-SECRET-45', taxId: '91310000TAXREP02', tags: ['robotics'] },
      secrets: ['NET-SECRET-45', '1234567'],
    },
    otherRep: {
      id: 'cust-rep2-1', name: '成都天府软件园', ownerKey: 'rep2' as const, contactName: '李秘密',
      fields: { city: '成都', industry: '软件', creditLimit: 5_555_555, paymentTerms: 'NET-SECRET-30', taxId: '91510100TAXOTHER', tags: ['其他'] },
      secrets: ['NET-SECRET-30', '5555555'],
    },
    sharedWithRep: {
      id: 'cust-rep2-shared', name: 'Globex Shared Holdings', ownerKey: 'rep2' as const, contactName: 'Bob Shared',
      fields: { city: 'Hangzhou', industry: 'Finance', creditLimit: 2_468_246, paymentTerms: 'NET-SECRET-60', taxId: '91330100TAXSHARE', tags: ['shared'] },
      secrets: ['NET-SECRET-60', '2468246'],
    },
  };
  const shareId = 'share-rep2-to-rep';
  const store = { db: database.db, dialect: database.dialect };
  await inRecordTransaction(store, async (trx) => {
    for (const c of Object.values(seeded)) {
      const owner = c.ownerKey === 'rep' ? rep : rep2;
      await createRecord(trx, {
        entity: 'customer', id: c.id, actorId: null, now,
        fields: { name: c.name, type: 'company', address: `${c.name} 地址`, notes: 'notes', ownerId: owner.id, ...c.fields },
      });
      await createRecord(trx, {
        entity: 'contact', id: `${c.id}-contact`, actorId: null, now,
        fields: { customerId: c.id, name: c.contactName, title: '经理', phone: '+86 138 0000 0000', email: 'x@example.com', wechat: 'wx' },
      });
      await createRecord(trx, {
        entity: 'opportunity', id: `${c.id}-opp`, actorId: null, now,
        fields: { customerId: c.id, title: `${c.name} 项目`, stage: 'proposal', amount: 100_000, expectedCloseDate: '2027-03-01', probability: 40, ownerId: owner.id },
      });
      await createRecord(trx, {
        entity: 'activity', id: `${c.id}-act`, actorId: null, now,
        fields: { customerId: c.id, kind: 'visit', at: now - 86_400_000, text: '拜访', authorId: owner.id },
      });
    }
    await createShare(trx, {
      id: shareId, customerId: seeded.sharedWithRep.id, granteeType: 'user', granteeId: rep.id, access: 'read',
      expiresAt: null, createdBy: rep2.id, now,
    });
  });

  let app: FastifyInstance;
  let ctx: ServerContext;
  let port = 0;
  const listen = async () => {
    const built = await buildServer({ db: database.db, dialect: database.dialect, rateLimit: false, ...(database.location.databaseUrl ? { databaseUrl: database.location.databaseUrl } : {}) });
    app = built.app;
    ctx = built.ctx;
    await app.listen({ host: '127.0.0.1', port });
    const address = app.server.address();
    if (address && typeof address === 'object') port = address.port;
  };
  await listen();
  let listening = true;

  const admin = { userId: fixture.users.itAdmin.id, deviceId: null };
  const customers = Object.fromEntries(
    Object.entries(seeded).map(([k, c]) => [k, { id: c.id, name: c.name, ownerKey: c.ownerKey, contactName: c.contactName, secrets: c.secrets }]),
  ) as RealServer['customers'];

  const server: RealServer = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get ctx() {
      return ctx;
    },
    db: database.db,
    fixture,
    customers,
    shareId,
    async stop() {
      if (!listening) return;
      listening = false;
      // Cut open SSE streams too: a stopped server is unreachable, not half-alive.
      app.server.closeAllConnections();
      await app.close();
    },
    async restart() {
      if (listening) return;
      await listen();
      listening = true;
    },
    async cleanup() {
      await server.stop();
      await database.cleanup();
    },
    async setMinAppVersion(platform, minVersion) {
      await setMinAppVersion(ctx, platform, minVersion, { userId: null, deviceId: null });
    },
    async revokeDevice(deviceId) {
      await adminRevokeDevice(ctx, deviceId, admin);
    },
    async deactivateUser(userId) {
      await adminDeactivateUser(ctx, userId, admin);
    },
    async reassign(customerId, newOwnerId) {
      await inRecordTransaction(store, (trx) => reassignCustomer(trx, { customerId, newOwnerId, actorId: admin.userId, now: Date.now() }));
      await ctx.events.publishDataChanged([newOwnerId]);
    },
    async revokeShare(id) {
      await inRecordTransaction(store, (trx) => revokeShare(trx, { shareId: id, actorId: admin.userId, now: Date.now() }));
    },
    async shareWith(input) {
      await inRecordTransaction(store, (trx) =>
        createShare(trx, { ...input, granteeType: 'user', createdBy: admin.userId, now: Date.now() }),
      );
    },
    async updateCustomer(customerId, fields) {
      await inRecordTransaction(store, (trx) => updateRecord(trx, { entity: 'customer', id: customerId, fields, actorId: admin.userId, now: Date.now() }));
    },
    async devicesOf(userId) {
      return database.db.selectFrom('devices').select(['id', 'status', 'wipe_confirmed_at']).where('user_id', '=', userId).execute();
    },
    async auditRows(action) {
      let q = database.db.selectFrom('audit_log').select(['at', 'action', 'actor_id', 'target', 'details']).orderBy('seq');
      if (action) q = q.where('action', '=', action);
      return (await q.execute()) as { at: number; action: string; actor_id: string | null; target: string | null; details: string }[];
    },
    async customerRow(id) {
      return (await database.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst()) as Record<string, unknown> | undefined;
    },
  };
  return server;
}

/** A keychain service name no other test run uses (everyone shares one Secret Service). */
export function uniqueKeychainService(label: string): string {
  return `SalesVault-test-${label}-${process.pid}-${randomUUID().slice(0, 8)}`;
}
