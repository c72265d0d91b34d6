// The exposure ledger's rules, against a model client that applies pages per the protocol: a page
// counts as held only once a request's `applied` names its cursor (pipelined pulls included), a
// page on an abandoned path is dropped, and bucket drops, removals and field purges leave the
// ledger equal to what the client stored — record ids and field names.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pullResponseSchema, type PullResponse } from '../../shared/protocol/sync';
import { addCustomer, call, ModelVault } from '../../test/support/server/sync-kit';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { cliOn } from '../test/cli';
import type { FixtureUserKey } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';
import { exposureReport } from './report';

type Holdings = Record<string, string[]>;

async function pull(device: TestDevice, body: { cursor: string | null; applied?: string | null; limit?: number }): Promise<PullResponse> {
  const res = await device.signedFetch('POST', '/v1/sync/pull', { limit: 2000, ...body });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return pullResponseSchema.parse(JSON.parse(text));
}

/** Pull to the end as the app does: sequential, each request acknowledging what is stored; then one acknowledging pull. */
async function syncAndAcknowledge(device: TestDevice, stored: ModelVault): Promise<void> {
  for (;;) {
    const page = await pull(device, { cursor: stored.cursor, applied: stored.cursor });
    stored.apply(page);
    if (!page.hasMore) break;
  }
  stored.apply(await pull(device, { cursor: stored.cursor, applied: stored.cursor }));
}

function modelHoldings(vault: ModelVault): Holdings {
  const out: Holdings = {};
  for (const r of vault.records.values()) out[`${r.entity}:${String(r.record.id)}`] = Object.keys(r.record).sort();
  return out;
}

async function ledgerHoldings(s: TestServer, deviceId: string, statuses = ['held']): Promise<Holdings> {
  const report = await exposureReport(s.ctx, deviceId);
  const out: Holdings = {};
  const lists = [['customer', report.customers], ['contact', report.contacts], ['opportunity', report.opportunities], ['activity', report.activities]] as const;
  for (const [entity, list] of lists) {
    for (const item of list) {
      if (statuses.includes(item.status)) out[`${entity}:${item.id}`] = (report.fieldSets[item.fieldSet]?.fields ?? []).map((f) => f.name).sort();
    }
  }
  return out;
}

describe('exposure ledger rules', () => {
  let s: TestServer;
  const dev = {} as Record<FixtureUserKey, TestDevice>;
  const enroll = async (key: FixtureUserKey) => {
    const u = s.fixture.users[key];
    dev[key] = await enrollTestDevice(s.baseUrl, u.username, u.password, u.totpSecret, { now: s.clock.now });
  };

  beforeEach(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    for (const id of ['c1', 'c2', 'c3']) await addCustomer(s, u.rep.id, id);
    await addCustomer(s, u.manager.id, 'c6');
    for (const key of ['rep', 'manager', 'itAdmin', 'itAdmin2'] as const) await enroll(key);
  });
  afterEach(async () => {
    await s?.close();
  });

  it('pipelined pulls: a page is held once a later request names it as applied, not when the next page is asked for', async () => {
    const received: PullResponse[] = [];
    const stored = new ModelVault();
    // One customer (4 records) per page.
    let page = await pull(dev.rep, { cursor: null, applied: null, limit: 4 });
    received.push(page);
    expect(await ledgerHoldings(s, dev.rep.deviceId)).toEqual({});
    while (page.hasMore) {
      // The next page is asked for before this one is stored: `applied` is still the older cursor.
      page = await pull(dev.rep, { cursor: page.cursor, applied: stored.cursor, limit: 4 });
      received.push(page);
      expect(await ledgerHoldings(s, dev.rep.deviceId)).toEqual(modelHoldings(stored));
      stored.apply(received[received.length - 2]!);
    }
    stored.apply(page);
    expect(received.length).toBeGreaterThanOrEqual(3);
    // Everything sent is at least "possibly held"; the last page is held after the next check-in's pull.
    expect(await ledgerHoldings(s, dev.rep.deviceId, ['held', 'possibly_held'])).toEqual(modelHoldings(stored));
    await pull(dev.rep, { cursor: stored.cursor, applied: stored.cursor });
    expect(await ledgerHoldings(s, dev.rep.deviceId)).toEqual(modelHoldings(stored));
    expect(Object.keys(modelHoldings(stored))).toHaveLength(12);
    const report = await exposureReport(s.ctx, dev.rep.deviceId);
    expect(report.ledger.complete).toBe(true);
    expect(report.fields.filter((f) => f.entity === 'customer' && f.level === 'confidential')).toEqual([]); // above the rep's clearance
  });

  it('a page the device never stored (it pulled again from its stored cursor) is dropped, not counted', async () => {
    const stored = new ModelVault();
    await syncAndAcknowledge(dev.rep, stored);
    await addCustomer(s, s.fixture.users.rep.id, 'c5');
    const lost = await pull(dev.rep, { cursor: stored.cursor, applied: stored.cursor });
    expect(lost.upserts.map((u) => u.record.id)).toContain('c5');
    expect((await ledgerHoldings(s, dev.rep.deviceId, ['possibly_held']))['customer:c5']).toBeDefined();
    // The device crashed before storing it and asks again from what it stored.
    const again = await pull(dev.rep, { cursor: stored.cursor, applied: stored.cursor });
    const pending = await s.ctx.db.selectFrom('exposure_pages').select('n').where('device_id', '=', dev.rep.deviceId).execute();
    expect(pending).toHaveLength(1);
    stored.apply(again);
    await pull(dev.rep, { cursor: stored.cursor, applied: stored.cursor });
    expect(await ledgerHoldings(s, dev.rep.deviceId)).toEqual(modelHoldings(stored));
    expect(await ledgerHoldings(s, dev.rep.deviceId, ['possibly_held'])).toEqual({});
  });

  it('a revoked share drops the customer with its children; a lowered clearance purges field names; an older client without `applied` is acknowledged by its cursor', async () => {
    const stored = new ModelVault();
    const { share } = (await call(dev.manager, 'POST', '/v1/shares', {
      customerId: 'c6', granteeType: 'user', granteeId: s.fixture.users.rep.id, access: 'read',
    })) as { share: { id: string } };
    await syncAndAcknowledge(dev.rep, stored);
    const before = await ledgerHoldings(s, dev.rep.deviceId);
    expect(Object.keys(before).filter((k) => k.endsWith(':c6') || k.includes(':c6-'))).toHaveLength(4);
    expect(before['customer:c1']).toContain('taxId');

    await call(dev.manager, 'POST', `/v1/shares/${share.id}/revoke`);
    await call(dev.itAdmin, 'PATCH', '/v1/admin/roles/role-rep', { readClearance: 'internal', writeClearance: 'internal' });
    // The older client: no `applied` at all.
    for (;;) {
      const page = await pull(dev.rep, { cursor: stored.cursor });
      stored.apply(page);
      if (!page.hasMore) break;
    }
    await pull(dev.rep, { cursor: stored.cursor });
    const after = await ledgerHoldings(s, dev.rep.deviceId);
    expect(after).toEqual(modelHoldings(stored));
    expect(Object.keys(after).some((k) => k.includes('c6'))).toBe(false);
    expect(after['customer:c1']).not.toContain('taxId');
    expect(after['contact:c1-ct']).not.toContain('phone');
  });

  it('the CLI writes the report as CSV and PDF and audits it', async () => {
    const stored = new ModelVault();
    await syncAndAcknowledge(dev.rep, stored);
    const csv = await cliOn(s.database, ['exposure', dev.rep.deviceId, '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1 + 12);
    expect(csv.stdout).toContain('Customer c1');
    expect(csv.stdout).not.toContain('TAX-c1'); // names of fields, never values
    const dir = mkdtempSync(join(tmpdir(), 'sv-exposure-cli-'));
    try {
      const out = join(dir, 'report.pdf');
      const written = await cliOn(s.database, ['exposure', dev.rep.deviceId, '--format', 'pdf', '--lang', 'zh-CN', '--out', out]);
      expect(written.code, written.stderr).toBe(0);
      const pdf = readFileSync(out);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.toString('latin1')).toContain(`device ${dev.rep.deviceId}; host `);
      expect(pdf.toString('latin1')).toContain('; 3 customers');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const audited = await s.ctx.db.selectFrom('audit_log').select(['actor_id', 'target']).where('action', '=', 'admin.device.exposure').execute();
    expect(audited).toEqual([{ actor_id: null, target: dev.rep.deviceId }, { actor_id: null, target: dev.rep.deviceId }]);
  });
});
