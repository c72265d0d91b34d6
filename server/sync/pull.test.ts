// Pull over real HTTP: scope per default role, clearance projection, paging and crash-resume.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';
import { callWithApproval } from '../test/approvals';
import type { FixtureUserKey } from '../test/fixtures';
import { addCustomer, ModelVault, pullPage, SECRET_CREDIT_BASE, SECRET_TERMS, syncToEnd } from '../../test/support/server/sync-kit';

// Independent statement of the fixture's expected scopes (fixture: company → East → Shanghai →
// team A {rep.li, mgr.zhang (manages A)}, team B {rep.wang}; dir.chen at East; svc.zhao at Shanghai).
const CUSTOMERS = { rep: ['c1', 'c2', 'c3'], rep2: ['c4', 'c5'], manager: ['c6'] } as const;
const EXPECTED: Record<FixtureUserKey, { customers: string[]; confidential: boolean; sensitive: boolean; opportunities: boolean }> = {
  rep: { customers: ['c1', 'c2', 'c3'], confidential: false, sensitive: true, opportunities: true },
  rep2: { customers: ['c4', 'c5'], confidential: false, sensitive: true, opportunities: true },
  manager: { customers: ['c1', 'c2', 'c3', 'c6'], confidential: true, sensitive: true, opportunities: true },
  director: { customers: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'], confidential: true, sensitive: true, opportunities: true },
  // customer service: unit scope over the branch, no opportunity.read, sensitive clearance
  service: { customers: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'], confidential: false, sensitive: true, opportunities: false },
  itAdmin: { customers: [], confidential: false, sensitive: false, opportunities: false },
  itAdmin2: { customers: [], confidential: false, sensitive: false, opportunities: false },
  auditor: { customers: [], confidential: false, sensitive: false, opportunities: false },
};

describe('pull: scope and projection per default role', () => {
  let s: TestServer;
  const devices = {} as Record<FixtureUserKey, TestDevice>;

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    for (const [key, ids] of Object.entries(CUSTOMERS)) {
      for (const id of ids) await addCustomer(s, u[key as FixtureUserKey].id, id);
    }
    for (const key of Object.keys(EXPECTED) as FixtureUserKey[]) {
      devices[key] = await enrollTestDevice(s.baseUrl, u[key].username, u[key].password, u[key].totpSecret, { now: s.clock.now });
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  for (const key of Object.keys(EXPECTED) as FixtureUserKey[]) {
    it(`${key}: only in-scope customers, no field above clearance in the response bytes`, async () => {
      const expected = EXPECTED[key];
      const vault = new ModelVault();
      const { texts, pages } = await syncToEnd(devices[key], vault);
      expect(vault.ids('customer')).toEqual(expected.customers);
      expect(vault.ids('contact')).toEqual(expected.customers.map((c) => `${c}-ct`));
      expect(vault.ids('activity')).toEqual(expected.customers.map((c) => `${c}-ac`));
      expect(vault.ids('opportunity')).toEqual(expected.opportunities ? expected.customers.map((c) => `${c}-op`) : []);
      expect(pages[0]?.grant, 'first sync carries the grant').toBeTypeOf('string');

      const raw = texts.join('\n');
      for (const r of vault.records.values()) {
        if (r.entity === 'customer') {
          expect('creditLimit' in r.record).toBe(expected.confidential);
          expect('paymentTerms' in r.record).toBe(expected.confidential);
          expect('taxId' in r.record).toBe(expected.sensitive);
        }
        if (r.entity === 'contact') expect('phone' in r.record).toBe(expected.sensitive);
      }
      if (!expected.confidential) {
        // Not only absent as keys: the values never travel.
        expect(raw).not.toContain(SECRET_TERMS);
        for (let n = 1; n <= 6; n++) expect(raw).not.toContain(String(SECRET_CREDIT_BASE + n));
      }
      if (expected.customers.length === 0) expect(raw).not.toContain('Customer c');
    });
  }

  it('writable is the record\'s write access: the rep and customer service have it, the read-only director not', async () => {
    const rep = new ModelVault();
    await syncToEnd(devices.rep, rep);
    expect([...rep.records.values()].filter((r) => r.entity === 'customer').every((r) => r.writable)).toBe(true);
    const director = new ModelVault();
    await syncToEnd(devices.director, director);
    expect([...director.records.values()].some((r) => r.writable)).toBe(false);
    // Customer service may not update master data but logs service notes on these customers:
    // the flag is the record's write access; the client checks each action against it.
    const service = new ModelVault();
    await syncToEnd(devices.service, service);
    expect([...service.records.values()].filter((r) => r.entity === 'customer').every((r) => r.writable)).toBe(true);
  });

  it('an unknown cursor is a clear 400, not a crash', async () => {
    const res = await pullPage(devices.rep, 'not-a-cursor');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('cursor');
  });

  it('every pull is audited with the number of records sent', async () => {
    const rows = await s.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'sync.pull').where('actor_id', '=', s.fixture.users.director.id).execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => (JSON.parse(r.details) as { records: number }).records)).toContain(24);
  });
});

describe('pull: paging and crash-resume', () => {
  let s: TestServer;
  let rep: TestDevice;
  const ids = Array.from({ length: 30 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    for (const id of ids) await addCustomer(s, u.rep.id, id);
    rep = await enrollTestDevice(s.baseUrl, u.rep.username, u.rep.password, u.rep.totpSecret, { now: s.clock.now });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('pages are bounded by limit, report progress, and a lost page is served again from the same cursor', async () => {
    const vault = new ModelVault();
    const first = await pullPage(rep, null, 10);
    expect(first.page?.upserts.length).toBeLessThanOrEqual(10);
    expect(first.page?.hasMore).toBe(true);
    expect(first.page?.remaining).toBe(120 - (first.page?.upserts.length ?? 0));
    vault.apply(first.page!);

    // The client "crashes" after receiving page 2 but before storing it …
    const lost = await pullPage(rep, vault.cursor, 10);
    // … and asks again with the cursor it had stored: the same records come again.
    const again = await pullPage(rep, vault.cursor, 10);
    expect(again.page?.upserts.map((u) => u.record.id)).toEqual(lost.page?.upserts.map((u) => u.record.id));

    await syncToEnd(rep, vault, 10);
    expect(vault.ids('customer')).toEqual(ids);
    expect(vault.records.size).toBe(120);

    // A later change arrives as a small delta.
    await addCustomer(s, s.fixture.users.rep.id, 'c99');
    const delta = await syncToEnd(rep, vault, 10);
    expect(delta.pages.flatMap((p) => p.upserts).length).toBe(4);
    expect(vault.ids('customer')).toContain('c99');
  });

  it('a scope change in the middle of a paged first sync restarts the transition without leaving orphans', async () => {
    const u = s.fixture.users;
    const director = await enrollTestDevice(s.baseUrl, u.director.username, u.director.password, u.director.totpSecret, { now: s.clock.now });
    const admin = await enrollTestDevice(s.baseUrl, u.itAdmin.username, u.itAdmin.password, u.itAdmin.totpSecret, { now: s.clock.now });
    const admin2 = await enrollTestDevice(s.baseUrl, u.itAdmin2.username, u.itAdmin2.password, u.itAdmin2.totpSecret, { now: s.clock.now });
    const vault = new ModelVault();
    const first = await pullPage(director, null, 10);
    vault.apply(first.page!);
    expect(vault.records.size).toBeGreaterThan(0);

    await admin.signedFetch('PATCH', '/v1/admin/roles/role-director', { dataScope: 'own' });
    const { pages } = await syncToEnd(director, vault, 10);
    expect(pages[0]?.droppedBuckets).toContain(`o:${u.rep.id}`);
    expect(vault.records.size).toBe(0);

    // Widening back to `unit` waits for a second administrator.
    await callWithApproval(admin, admin2, 'PATCH', '/v1/admin/roles/role-director', { dataScope: 'unit' });
    await syncToEnd(director, vault, 10);
    const all = await s.ctx.db.selectFrom('customers').select('id').where('deleted', '=', 0).execute();
    expect(vault.ids('customer')).toEqual(all.map((c) => c.id).sort());
  });

  it('a shrink whose response was lost is re-sent: device state commits only on acknowledgement', async () => {
    const u = s.fixture.users;
    const vault = new ModelVault();
    await syncToEnd(rep, vault);
    const admin = await enrollTestDevice(s.baseUrl, u.itAdmin.username, u.itAdmin.password, u.itAdmin.totpSecret, { now: s.clock.now });
    // Moving the rep's customers away: reassign is the repository's job; use the owner move here.
    const beforeCursor = vault.cursor;
    const res = await admin.signedFetch('PATCH', `/v1/admin/roles/role-rep`, { dataScope: 'none' });
    expect(res.status, await res.text()).toBe(200);

    const lost = await pullPage(rep, beforeCursor);
    expect(lost.page?.droppedBuckets).toEqual([`o:${u.rep.id}`]);
    // Crash: response not stored. The retry with the old cursor gets the same drop again.
    const retry = await pullPage(rep, beforeCursor);
    expect(retry.page?.droppedBuckets).toEqual([`o:${u.rep.id}`]);
    vault.apply(retry.page!);
    expect(vault.records.size).toBe(0);
    // Acknowledged: the next pull has nothing more to drop.
    const after = await pullPage(rep, vault.cursor);
    expect(after.page?.droppedBuckets).toEqual([]);
    await admin.signedFetch('PATCH', `/v1/admin/roles/role-rep`, { dataScope: 'own' });
  });
});
