// The exposure ledger is exact: the report names exactly the records and field names the device's
// vault file held when it went offline — read here from the vault itself — and a scope change made
// on the server afterwards (a reassignment, a revoked share, a lowered clearance) changes nothing.
// Real server over HTTP, real client (app service, SQLCipher vault, OS keychain); the report is
// fetched over HTTP by an enrolled IT admin device. Runs on SQLite and (SV_TEST_DB=postgres) PostgreSQL.

import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_FILE } from '../../electron/core/app-service';
import { VAULT_KEY_ACCOUNT } from '../../electron/core/contracts';
import { ENTITY_TYPES, type EntityType } from '../../shared/domain/model';
import type { ExposureReport } from '../../shared/protocol/exposure';
import { enrollTestDevice, type TestDevice } from '../../server/test/client';
import { startRealServer, type RealServer } from '../support/real-server';
import { newTestApp, signInAndSync, unwrap, waitFor, type TestApp } from '../support/test-app';

const TABLE: Record<EntityType, string> = { customer: 'customers', contact: 'contacts', opportunity: 'opportunities', activity: 'activities' };
const LIST: Record<EntityType, 'customers' | 'contacts' | 'opportunities' | 'activities'> = TABLE as never;

/** entity -> record id -> sorted field names, as stored in the vault file. */
type Holdings = Record<EntityType, Record<string, string[]>>;

async function vaultHoldings(t: TestApp): Promise<Holdings> {
  const state = unwrap(await t.app.getState(), 'state');
  let keyHex = await t.secrets.get(VAULT_KEY_ACCOUNT);
  await t.app.close();
  // A read right after close answered null in about one run of ten here (cause not found: the
  // Secret Service, or something the app does at close): ask again before calling it missing.
  for (let i = 0; keyHex === null && i < 10; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    keyHex = await t.secrets.get(VAULT_KEY_ACCOUNT);
  }
  expect(keyHex, `the vault key in the OS keychain (app phase ${state.phase})`).toMatch(/^[0-9a-f]{64}$/);
  // Not read-only: a read-only connection cannot recover the WAL the closed app may leave behind.
  const db = new Database(join(t.dataDir, VAULT_FILE), { fileMustExist: true });
  try {
    db.pragma("cipher='sqlcipher'");
    db.pragma('legacy=4');
    db.pragma(`key="x'${keyHex}'"`);
    const out = {} as Holdings;
    for (const entity of ENTITY_TYPES) {
      out[entity] = {};
      for (const row of db.prepare(`SELECT id, record FROM ${TABLE[entity]}`).all() as { id: string; record: string }[]) {
        out[entity][row.id] = Object.keys(JSON.parse(row.record) as object).sort();
      }
    }
    return out;
  } finally {
    db.close();
  }
}

/** The same shape from the report: records with the field names of their field set. */
function reportHoldings(report: ExposureReport, statuses: readonly string[] = ['held']): Holdings {
  const out = {} as Holdings;
  for (const entity of ENTITY_TYPES) {
    out[entity] = {};
    for (const item of report[LIST[entity]]) {
      if (!statuses.includes(item.status)) continue;
      out[entity][item.id] = (report.fieldSets[item.fieldSet]?.fields ?? []).map((f) => f.name).sort();
    }
  }
  return out;
}

describe('exposure ledger: the report equals the vault file at the moment the device went offline', () => {
  let server: RealServer;
  let t: TestApp;
  let it1: TestDevice;
  let deviceId: string;

  const report = async (): Promise<ExposureReport> => {
    const res = await it1.signedFetch('GET', `/v1/admin/devices/${deviceId}/exposure`);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    return (JSON.parse(text) as { report: ExposureReport }).report;
  };

  beforeAll(async () => {
    server = await startRealServer();
    t = await newTestApp('exposure-exact');
    const admin = server.fixture.users.itAdmin;
    it1 = await enrollTestDevice(server.url, admin.username, admin.password, admin.totpSecret);
  }, 60_000);

  afterAll(async () => {
    await t?.cleanup();
    await server?.cleanup();
  });

  it('after sign-in the ledger holds the rep\'s scope: the first sync acknowledges its own last pages', async () => {
    const rep = server.fixture.users.rep;
    await signInAndSync(t.app, server, rep);
    const devices = await server.devicesOf(rep.id);
    expect(devices).toHaveLength(1);
    deviceId = devices[0]!.id;
    const r = await report();
    expect(r.ledger.pendingPages).toBe(0);
    expect(r.ledger.complete).toBe(true);
    expect(r.counts.customer).toEqual({ held: 3, possiblyHeld: 0 });
    expect(r.customers.map((c) => c.name).sort()).toEqual(['Contoso Robotics', 'Globex Shared Holdings', '深圳华为技术有限公司'].sort());
    expect(r.device.keyStorage).toBe(process.platform === 'linux' ? 'secret_service' : expect.any(String));
  }, 60_000);

  it('a page sent but not yet acknowledged: new records are "possibly held", removals still count as held', async () => {
    const rep = server.fixture.users.rep;
    await server.revokeShare(server.shareId);
    await server.shareWith({ id: 'share-late', customerId: server.customers.otherRep.id, granteeId: rep.id, access: 'read', expiresAt: null });
    unwrap(await t.app.syncNow(), 'sync after the share changes');
    const pending = await report();
    expect(pending.ledger.pendingPages).toBeGreaterThan(0);
    const status = Object.fromEntries(pending.customers.map((c) => [c.id, c.status]));
    expect(status[server.customers.otherRep.id]).toBe('possibly_held');
    expect(status[server.customers.sharedWithRep.id]).toBe('held'); // its removal is not confirmed yet

    unwrap(await t.app.syncNow(), 'acknowledging sync');
    const settled = await report();
    const ids = settled.customers.map((c) => c.id);
    expect(ids).not.toContain(server.customers.sharedWithRep.id);
    expect(settled.contacts.map((c) => c.customerId)).not.toContain(server.customers.sharedWithRep.id);
    expect(settled.customers.find((c) => c.id === server.customers.otherRep.id)?.status).toBe('held');
  }, 60_000);

  it('offline: a reassignment, a revoked share and a lowered clearance on the server change nothing in the report', async () => {
    // The device's last sync is acknowledged (a sync the event stream started on its own may have
    // left its last page pending: the next pull acknowledges it), then it goes offline: the app
    // closes. Its vault file is what was lost.
    await waitFor(async () => {
      unwrap(await t.app.syncNow(), 'sync');
      return (await report()).ledger.pendingPages === 0;
    }, 'every page acknowledged');
    const lost = await vaultHoldings(t);
    const { repOwn, repOwn2, otherRep } = server.customers;
    expect(Object.keys(lost.customer).sort()).toEqual([repOwn.id, repOwn2.id, otherRep.id].sort());
    expect(lost.customer[repOwn.id]).toContain('taxId'); // sensitive: at the rep's clearance
    expect(lost.contact[`${repOwn.id}-contact`]).toContain('phone');

    const atOffline = await report();
    expect(reportHoldings(atOffline), `ledger ${JSON.stringify(atOffline.ledger)}`).toEqual(lost);
    expect(atOffline.counts.customer).toEqual({ held: 3, possiblyHeld: 0 });

    // Today's scope changes: one customer reassigned away, the late share revoked, and the rep
    // role's read clearance lowered to 'public'.
    const rep = server.fixture.users.rep;
    await server.reassign(repOwn2.id, server.fixture.users.rep2.id);
    await server.revokeShare('share-late');
    await server.db.updateTable('roles').set({ read_clearance: 'public' }).where('id', '=', rep.roleId).execute();

    const later = await report();
    expect(reportHoldings(later)).toEqual(lost);
    expect(reportHoldings(later, ['held', 'possibly_held'])).toEqual(lost);
    const customerFields = later.fields.filter((f) => f.entity === 'customer');
    expect(customerFields.find((f) => f.name === 'taxId')?.level).toBe('sensitive');
    expect(customerFields.find((f) => f.name === 'creditLimit')).toBeUndefined(); // confidential: never sent
    expect(later.fields.find((f) => f.entity === 'contact' && f.name === 'phone')?.level).toBe('sensitive');
    // No field value in the report: the secrets the server holds are not in its text.
    const text = JSON.stringify(later);
    for (const c of Object.values(server.customers)) for (const secret of c.secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('+86 138');
  }, 60_000);

  it('the CSV, JSON and PDF exports are served to an IT admin and audited; the rep may not ask', async () => {
    for (const format of ['csv', 'json', 'pdf'] as const) {
      const res = await it1.signedFetch('GET', `/v1/admin/devices/${deviceId}/exposure/export?format=${format}&lang=zh-CN`);
      const body = (await res.json()) as { fileName: string; mimeType: string; base64: string };
      expect(res.status).toBe(200);
      const bytes = Buffer.from(body.base64, 'base64');
      if (format === 'pdf') expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      if (format === 'csv') {
        const csv = bytes.toString('utf8');
        expect(csv).toContain(server.customers.repOwn.id);
        expect(csv).toContain('深圳华为技术有限公司');
        expect(csv.split('\n').filter((line) => line.trim() !== '')).toHaveLength(1 + 3 * 4);
      }
      if (format === 'json') expect((JSON.parse(bytes.toString('utf8')) as ExposureReport).customers).toHaveLength(3);
    }
    const audited = await server.auditRows('admin.device.exposure');
    expect(audited.length).toBeGreaterThanOrEqual(3);
    expect(audited.every((a) => a.target === deviceId)).toBe(true);

    const rep2 = server.fixture.users.rep2;
    const repDevice = await enrollTestDevice(server.url, rep2.username, rep2.password, rep2.totpSecret);
    const refused = await repDevice.signedFetch('GET', `/v1/admin/devices/${deviceId}/exposure`);
    expect(refused.status).toBe(403);
  }, 60_000);
});
