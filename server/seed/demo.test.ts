// The demo seed: realistic, deterministic, scaled by --customers, and usable end to end (a demo
// rep signs in with the documented password and TOTP helper and pulls only their scope).

import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../app';
import { enrollTestDevice } from '../test/client';
import { withTestDatabase, type TestDatabase } from '../test/db';
import { ModelVault, syncToEnd } from '../../test/support/server/sync-kit';
import { DEMO_PASSWORD, demoTotpSecret, formatDemoSummary, seedDemo, totpFor, type DemoSummary } from './demo';

describe('demo seed', () => {
  let database: TestDatabase;
  let summary: DemoSummary;

  beforeAll(async () => {
    database = await withTestDatabase();
    summary = await seedDemo(database, { customers: 120, seed: 7 });
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it('scales records with --customers and covers all six roles', async () => {
    expect(summary).toMatchObject({ customers: 120, contacts: 240, opportunities: 120, activities: 360 });
    expect(new Set(summary.signIns.map((s) => s.role))).toEqual(new Set(['rep', 'manager', 'director', 'service', 'it_admin', 'auditor']));
    const counts = await Promise.all(
      (['customers', 'contacts', 'opportunities', 'activities'] as const).map(async (t) =>
        Number((await database.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)),
    );
    expect(counts).toEqual([120, 240, 120, 360]);
    const log = await database.db.selectFrom('change_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(log.n)).toBeGreaterThanOrEqual(840); // every seeded record is in the change log
    expect(formatDemoSummary(summary)).toContain(DEMO_PASSWORD);
  });

  it('is a Chinese organisation with Chinese and English customer names', async () => {
    const units = await database.db.selectFrom('org_units').select('name').execute();
    expect(units.map((u) => u.name)).toEqual(expect.arrayContaining(['华东销售有限公司', '华东大区', '上海分公司', '深圳分公司']));
    const names = (await database.db.selectFrom('customers').select('name').execute()).map((c) => c.name);
    expect(names.some((n) => /有限公司$/.test(n))).toBe(true);
    expect(names.some((n) => /^[A-Za-z]/.test(n))).toBe(true);
  });

  it('is deterministic for a given seed', async () => {
    const other = await withTestDatabase();
    try {
      await seedDemo(other, { customers: 120, seed: 7 });
      const pick = (db: TestDatabase) => db.db.selectFrom('customers').select(['id', 'name', 'owner_id', 'credit_limit']).orderBy('id').execute();
      expect(await pick(other)).toEqual(await pick(database));
    } finally {
      await other.cleanup();
    }
  });

  it('refuses to seed twice into the same database with a clear error', async () => {
    await expect(seedDemo(database, { customers: 1 })).rejects.toThrow(/already seeded/);
    await expect(seedDemo(database, { customers: -1 })).rejects.toThrow(/customers must be/);
  });

  it('a demo rep signs in with the documented password and TOTP, and pulls only their own and shared customers', async () => {
    expect(totpFor('rep.sh1.1')).toMatch(/^\d{6}$/);
    const { app } = await buildServer({
      db: database.db, dialect: database.dialect, rateLimit: false,
      ...(database.location.databaseUrl ? { databaseUrl: database.location.databaseUrl } : {}),
    });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const rep = await enrollTestDevice(baseUrl, 'rep.sh1.2', DEMO_PASSWORD, demoTotpSecret('rep.sh1.2'));
      const vault = new ModelVault();
      await syncToEnd(rep, vault);
      const repId = 'user-rep-sh1-2';
      const own = (await database.db.selectFrom('customers').select('id').where('owner_id', '=', repId).execute()).map((c) => c.id);
      const shared = (await database.db.selectFrom('shares').select('customer_id').where('grantee_id', '=', repId).execute()).map((s) => s.customer_id);
      expect(shared.length).toBeGreaterThan(0);
      expect(vault.ids('customer')).toEqual([...own, ...shared].sort());
    } finally {
      await app.close();
    }
  });
});
