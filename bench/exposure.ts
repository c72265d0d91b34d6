// The exposure ledger's cost (server/exposure/ledger.ts): its storage for the manager's synced
// vault, and the server side of a first sync of the same scope with the ledger off and on.
// The ledger costs only server work (the client's import is unchanged), so the comparison pulls
// the whole scope over HTTP with a second device of the manager that only parses the pages, each
// request acknowledging the page before (`applied`, as the app does), the last one acknowledged
// by one more pull. Runs alternate off/on twice; each side's best time counts (the machine is shared).

import { sql } from 'kysely';
import { ledgerRowCount } from '../server/exposure/ledger';
import { demoTotpSecret, DEMO_PASSWORD } from '../server/seed/demo';
import { enrollTestDevice, type TestDevice } from '../server/test/client';
import type { Figures } from './report';
import type { BenchServer } from './server';

async function pullAll(device: TestDevice): Promise<{ ms: number; records: number }> {
  const started = performance.now();
  let cursor: string | null = null;
  let applied: string | null = null;
  let records = 0;
  for (;;) {
    const res = await device.signedFetch('POST', '/v1/sync/pull', { cursor, applied, limit: 2000 });
    if (res.status !== 200) throw new Error(`pull: ${res.status} ${(await res.text()).slice(0, 200)}`);
    const page = (await res.json()) as { cursor: string; hasMore: boolean; upserts: unknown[] };
    records += page.upserts.length;
    cursor = page.cursor;
    applied = page.cursor;
    if (!page.hasMore) break;
  }
  // The next check-in's pull acknowledges the last page.
  const res = await device.signedFetch('POST', '/v1/sync/pull', { cursor, applied, limit: 2000 });
  if (res.status !== 200) throw new Error(`acknowledging pull: ${res.status}`);
  await res.arrayBuffer();
  return { ms: performance.now() - started, records };
}

async function storageBytes(srv: BenchServer): Promise<{ bytes: number; how: string }> {
  const db = srv.database.db;
  if (srv.database.dialect === 'postgres') {
    const r = await sql<{ n: string }>`select pg_total_relation_size('exposure_ledger') + pg_total_relation_size('exposure_field_sets') as n`.execute(db);
    return { bytes: Number(r.rows[0]?.n ?? 0), how: 'pg_total_relation_size (table + indexes)' };
  }
  try {
    const r = await sql<{ n: number }>`select sum(pgsize) as n from dbstat where name in ('exposure_ledger', 'exposure_ledger_customer', 'sqlite_autoindex_exposure_ledger_1', 'exposure_field_sets', 'sqlite_autoindex_exposure_field_sets_1')`.execute(db);
    return { bytes: Number(r.rows[0]?.n ?? 0), how: 'SQLite dbstat pages (table + indexes)' };
  } catch {
    const r = await sql<{ n: number }>`select sum(length(device_id) + length(entity) + length(record_id) + length(customer_id) + length(field_set) + coalesce(length(buckets), 0)) as n from exposure_ledger`.execute(db);
    return { bytes: Number(r.rows[0]?.n ?? 0), how: 'column payload only (dbstat not compiled in: indexes not counted)' };
  }
}

export async function recordExposure(figures: Figures, srv: BenchServer, admin: TestDevice, manager: { username: string }, mainDeviceId: string): Promise<void> {
  const held = await ledgerRowCount(srv.database.db, mainDeviceId);
  figures.set('exposure.ledgerRows', held.rows, 'rows', "ledger rows of the manager's synced vault (one per record held)");
  const bytes = await storageBytes(srv);
  figures.set('exposure.ledgerBytes', bytes.bytes / 2 ** 20, 'MB', 'ledger storage for that one device', bytes.how);
  figures.set('exposure.bytesPerRecord', held.rows > 0 ? bytes.bytes / held.rows : Number.NaN, 'B', 'ledger bytes per record held');

  const device = await enrollTestDevice(srv.baseUrl, manager.username, DEMO_PASSWORD, demoTotpSecret(manager.username), { name: 'bench ledger A/B' });
  const times: Record<'off' | 'on', number[]> = { off: [], on: [] };
  let records = 0;
  try {
    for (const side of ['off', 'on', 'off', 'on'] as const) {
      srv.ctx.exposureLedger = side === 'on';
      const r = await pullAll(device);
      times[side].push(r.ms);
      records = r.records;
    }
  } finally {
    srv.ctx.exposureLedger = true;
    await admin.signedFetch('POST', `/v1/admin/devices/${device.deviceId}/revoke`);
  }
  const off = Math.min(...times.off);
  const on = Math.min(...times.on);
  const note = `best of 2 each, alternating; runs off ${times.off.map((t) => t.toFixed(0)).join('/')} ms, on ${times.on.map((t) => t.toFixed(0)).join('/')} ms`;
  figures.set('exposure.firstSyncServerOffMs', off, 'ms', `whole-scope pull of ${records.toLocaleString('en-US')} records over HTTP, ledger off`, note);
  figures.set('exposure.firstSyncServerOnMs', on, 'ms', 'the same with the ledger (pages recorded, acknowledged, replayed)');
  figures.set('exposure.overheadPercent', (100 * (on - off)) / off, '%', 'ledger overhead on the server side of a first sync');
}
