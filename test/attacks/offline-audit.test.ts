// Finding 10 — offline audit uploads trusted as sent: `at: 0`, targets the user could never see
// and any counts were appended as they came, and search text typed offline (possibly phone
// numbers) landed verbatim in a trail IT admins read. Each uploaded entry is now checked against
// what the server knows — its time inside the device's offline window (after enrollment and the
// entries it uploaded before, not in the future), its target a record the device was served —
// and kept but FLAGGED (with the reasons) when it does not fit; counts are bounded by the schema;
// a search entry carries only the query's length and kind. Runs on SQLite and PostgreSQL.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCustomer, call, ModelVault, syncToEnd } from '../support/server/sync-kit';
import { enrollTestDevice, type TestDevice } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';

interface Row { action: string; at: number; target: string | null; details: Record<string, unknown>; raw: string }

describe('attack: forged offline audit uploads (finding 10)', () => {
  let s: TestServer;
  let rep: TestDevice;

  async function upload(entries: Record<string, unknown>[]): Promise<Row[]> {
    await call(rep, 'POST', '/v1/audit/offline', { entries });
    const ids = new Set(entries.map((e) => e.id));
    const rows = await s.ctx.db.selectFrom('audit_log').selectAll().where('action', 'like', 'offline.%').orderBy('seq').execute();
    return rows
      .map((r) => ({ action: r.action, at: Number(r.at), target: r.target, details: JSON.parse(r.details) as Record<string, unknown>, raw: r.details }))
      .filter((r) => ids.has(r.details.offlineId));
  }

  async function flaggedAlerts(): Promise<{ details: Record<string, unknown> }[]> {
    const rows = await s.ctx.db.selectFrom('alerts').selectAll().where('rule', '=', 'offline_audit_flagged').where('device_id', '=', rep.deviceId).execute();
    return rows.map((r) => ({ details: JSON.parse(r.details) as Record<string, unknown> }));
  }

  beforeAll(async () => {
    s = await startTestServer();
    await addCustomer(s, s.fixture.users.rep.id, 'c1');
    await addCustomer(s, s.fixture.users.rep2.id, 'c4'); // never served to rep
    rep = await enrollTestDevice(s.baseUrl, s.fixture.users.rep.username, s.fixture.users.rep.password, s.fixture.users.rep.totpSecret, { now: s.clock.now });
    await syncToEnd(rep, new ModelVault());
    // Two days offline, then back.
    s.clock.advance(2 * 86_400_000);
    await rep.refresh();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('an entry inside the offline window about a record the device holds is kept with its own time, unflagged', async () => {
    const at = s.clock.now() - 86_400_000;
    const [row] = await upload([{ id: randomUUID(), at, action: 'view', entity: 'customer', recordId: 'c1' }]);
    expect(row?.at).toBe(at);
    expect(row?.details.flagged).toBeUndefined();
    expect(await flaggedAlerts()).toEqual([]);
  });

  it('times outside the window (at: 0, before enrollment, in the future) are flagged and not used as the entry\'s time', async () => {
    const received = s.clock.now();
    const rows = await upload([
      { id: randomUUID(), at: 0, action: 'view', entity: 'customer', recordId: 'c1' },
      { id: randomUUID(), at: received + 86_400_000, action: 'export', entity: 'customer', count: 3 },
    ]);
    expect(rows.map((r) => r.details.flags)).toEqual([['time_before_window'], ['time_in_future']]);
    expect(rows.map((r) => r.details.claimedAt)).toEqual([0, received + 86_400_000]);
    for (const r of rows) {
      expect(r.details.flagged).toBe(true);
      expect(r.at).toBeGreaterThanOrEqual(received);
    }
  });

  it('an entry older than what the device already uploaded is flagged (a later upload cannot backdate)', async () => {
    const [row] = await upload([{ id: randomUUID(), at: s.clock.now() - 36 * 3_600_000, action: 'view', entity: 'customer', recordId: 'c1' }]);
    expect(row?.details.flags).toEqual(['time_before_window']);
  });

  it('targets the device was never sent, or that do not exist, are flagged', async () => {
    const at = s.clock.now() - 1000;
    const rows = await upload([
      { id: randomUUID(), at, action: 'view', entity: 'customer', recordId: 'c4' },
      { id: randomUUID(), at, action: 'view', entity: 'contact', recordId: 'c4-ct' },
      { id: randomUUID(), at, action: 'view', entity: 'customer', recordId: 'no-such-customer' },
      { id: randomUUID(), at, action: 'view', entity: 'customer', recordId: 'c1', count: 50 },
    ]);
    expect(rows.map((r) => r.details.flags)).toEqual([['target_not_served'], ['target_not_served'], ['target_unknown'], ['view_count']]);
    expect(rows.map((r) => r.target)).toEqual(['customer:c4', 'contact:c4-ct', 'customer:no-such-customer', 'customer:c1']);
  });

  it('counts are bounded: an absurd count is refused with a 400', async () => {
    const res = await rep.signedFetch('POST', '/v1/audit/offline', {
      entries: [{ id: randomUUID(), at: s.clock.now(), action: 'export', entity: 'customer', count: 1e12 }],
    });
    expect(res.status).toBe(400);
  });

  it('search text never reaches the trail: an old client\'s query is reduced to its length and kind', async () => {
    const at = s.clock.now() - 500;
    const rows = await upload([
      { id: randomUUID(), at, action: 'search', entity: 'customer', query: '13800138000', count: 2 },
      { id: randomUUID(), at, action: 'search', entity: 'customer', query: '王建国', count: 1 },
      { id: randomUUID(), at, action: 'search', entity: 'customer', search: { length: 5, kind: 'latin' }, count: 0 },
    ]);
    expect(rows.map((r) => r.details.search)).toEqual([{ length: 11, kind: 'digits' }, { length: 3, kind: 'cjk' }, { length: 5, kind: 'latin' }]);
    expect(rows.map((r) => r.details.count)).toEqual([2, 1, 0]);
    for (const r of rows) {
      expect(r.raw).not.toContain('13800138000');
      expect(r.raw).not.toContain('王建国');
      expect(r.details.query).toBeUndefined();
    }
  });

  it('flagged entries raise an alert for IT, once per device and hour', async () => {
    const alerts = await flaggedAlerts();
    // The uploads above were flagged within the same simulated hour: one alert, not one per entry.
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.details.action).toMatch(/^offline\./);
    expect((alerts[0]!.details.flags as string[]).length).toBeGreaterThan(0);
  });
});
