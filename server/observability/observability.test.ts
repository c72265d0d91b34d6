// GET /healthz, /readyz and /metrics over real HTTP, and the request id on every answer. The
// metrics are read before and after real requests (sign-in, pulls, an event stream, an admin
// call), so a counter that does not move fails the test.

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connection';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';
import { addCustomer } from '../../test/support/server/sync-kit';
import { EVENTS_PATH } from '../events/stream';
import { checkReadiness } from './health';

/** The value of one sample of the Prometheus text (0 when the series is absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return 0;
}

describe('health, readiness and metrics', () => {
  let s: TestServer;
  let rep: TestDevice;
  let admin: TestDevice;
  const scrape = async () => {
    const res = await fetch(`${s.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    for (let i = 0; i < 3; i++) await addCustomer(s, u.rep.id, `hc${i}`);
    rep = await enrollTestDevice(s.baseUrl, u.rep.username, u.rep.password, u.rep.totpSecret, { now: s.clock.now });
    admin = await enrollTestDevice(s.baseUrl, u.itAdmin.username, u.itAdmin.password, u.itAdmin.totpSecret, { now: s.clock.now });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('/healthz answers ok, with a request id; a plain caller id is echoed, anything else replaced', async () => {
    const res = await fetch(`${s.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const echoed = await fetch(`${s.baseUrl}/healthz`, { headers: { 'x-request-id': 'lb-42.a' } });
    expect(echoed.headers.get('x-request-id')).toBe('lb-42.a');
    const replaced = await fetch(`${s.baseUrl}/healthz`, { headers: { 'x-request-id': 'a b\u00e9"<script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Errors carry it too (a report names the id the log line has).
    const notFound = await fetch(`${s.baseUrl}/v1/nope`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/readyz is 200 with current migrations, 503 naming a migration the database lacks', async () => {
    const ok = await fetch(`${s.baseUrl}/readyz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ready: true, database: 'ok', migrations: 'current' });

    // Pretend the newest migration was never applied (a binary newer than its database).
    const newest = await s.database.db.selectFrom(sql`kysely_migration`.as('m')).select(sql<string>`name`.as('name'))
      .orderBy(sql`name`, 'desc').limit(1).executeTakeFirstOrThrow();
    await sql`DELETE FROM kysely_migration WHERE name = ${newest.name}`.execute(s.database.db);
    try {
      const pending = await fetch(`${s.baseUrl}/readyz`);
      expect(pending.status).toBe(503);
      expect(await pending.json()).toEqual({ ready: false, database: 'ok', migrations: 'pending', pending: [newest.name] });
    } finally {
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${newest.name}, ${new Date().toISOString()})`.execute(s.database.db);
    }
    expect((await fetch(`${s.baseUrl}/readyz`)).status).toBe(200);
  });

  it('readiness says "unreachable" for a database that does not answer (PostgreSQL down)', async () => {
    const down = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', poolSize: 1 });
    try {
      const r = await checkReadiness(down.db, 'postgres');
      expect(r).toMatchObject({ ready: false, database: 'unreachable', migrations: 'unknown' });
    } finally {
      await down.close();
    }
  });

  it('/metrics moves with requests: rate and latency by route pattern, records served, streams, audit appends', async () => {
    const before = await scrape();
    const pullOk = { route: '/v1/sync/pull', method: 'POST', status: '200' };

    const res = await rep.signedFetch('POST', '/v1/sync/pull', { cursor: null, limit: 500 });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { upserts: unknown[] };
    expect(page.upserts.length).toBeGreaterThanOrEqual(3);
    // A refused request counts under its status.
    const refused = await fetch(`${s.baseUrl}/v1/sync/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);
    // An id in the path is not a label value: the pattern is.
    const devices = await admin.signedFetch('GET', '/v1/admin/devices');
    expect(devices.status).toBe(200);

    const after = await scrape();
    expect(sample(after, 'sv_http_requests_total', pullOk) - sample(before, 'sv_http_requests_total', pullOk)).toBe(1);
    expect(sample(after, 'sv_http_requests_total', { route: '/v1/sync/pull', status: '401' }) - sample(before, 'sv_http_requests_total', { route: '/v1/sync/pull', status: '401' })).toBe(1);
    expect(sample(after, 'sv_http_request_duration_seconds_count', { route: '/v1/sync/pull', method: 'POST' })).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'sv_http_request_duration_seconds_sum', { route: '/v1/sync/pull', method: 'POST' })).toBeGreaterThan(0);
    expect(sample(after, 'sv_sync_records_served_total') - sample(before, 'sv_sync_records_served_total')).toBe(page.upserts.length);
    // The pull and the admin read are audited.
    expect(sample(after, 'sv_audit_appends_total', { outcome: 'ok' }) - sample(before, 'sv_audit_appends_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(after).not.toMatch(/route="\/v1\/admin\/devices\/[0-9a-f]/);
    expect(sample(after, 'sv_process_resident_memory_bytes')).toBeGreaterThan(0);
    // The pool is PostgreSQL's; SQLite has one connection and no pool series.
    if (s.database.dialect === 'postgres') expect(sample(after, 'sv_db_pool_max')).toBeGreaterThan(0);
    else expect(after).not.toMatch(/^sv_db_pool_max /m);

    // An open event stream counts while it is open.
    const abort = new AbortController();
    const stream = await fetch(s.baseUrl + EVENTS_PATH, { headers: rep.signedHeaders('GET', EVENTS_PATH), signal: abort.signal });
    expect(stream.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the first ping: subscribed
    expect(sample(await scrape(), 'sv_event_streams_open')).toBe(1);
    abort.abort();
    await reader.closed.catch(() => undefined);
    const deadline = Date.now() + 5_000;
    while (sample(await scrape(), 'sv_event_streams_open') !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sample(await scrape(), 'sv_event_streams_open')).toBe(0);
  });
});
