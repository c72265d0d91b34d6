// The SSE event stream over real HTTP: revocation, data-changed interest, refusal of a revoked
// device, interest shared per user and rebuilt on a scope change, the batched ping re-check, and
// (on PostgreSQL) delivery across two server processes sharing one database.

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createParser } from 'eventsource-parser';
import Fastify from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverEventSchema, type ServerEvent } from '../../shared/protocol/sync';
import { withRescope } from '../admin/rescope';
import { buildServer } from '../app';
import { openDatabase } from '../db/connection';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { testDialect } from '../test/db';
import type { FixtureUserKey } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';
import { addCustomer, call } from '../../test/support/server/sync-kit';
import { FIXTURE_UNITS } from '../test/fixtures';
import { EVENTS_PATH, registerEventStream, type EventStreams } from './stream';

interface Stream {
  status: number;
  /** resolves with the next event matching `pred`, returning every event seen before it too */
  next(pred: (e: ServerEvent) => boolean): Promise<{ event: ServerEvent; before: ServerEvent[] }>;
  close(): void;
  body?: unknown;
}

async function openStream(baseUrl: string, device: TestDevice): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(baseUrl + EVENTS_PATH, { headers: device.signedHeaders('GET', EVENTS_PATH), signal: abort.signal });
  if (res.status !== 200 || !res.body) {
    return { status: res.status, body: await res.json(), next: () => Promise.reject(new Error('no stream')), close: () => abort.abort() };
  }
  const seen: ServerEvent[] = [];
  const waiters: { pred: (e: ServerEvent) => boolean; from: number; resolve: (v: { event: ServerEvent; before: ServerEvent[] }) => void }[] = [];
  let consumed = 0;
  const check = () => {
    for (const w of [...waiters]) {
      const idx = seen.findIndex((e, i) => i >= w.from && w.pred(e));
      if (idx >= 0) {
        waiters.splice(waiters.indexOf(w), 1);
        consumed = idx + 1;
        w.resolve({ event: seen[idx] as ServerEvent, before: seen.slice(w.from, idx) });
      }
    }
  };
  const parser = createParser({
    onEvent(message) {
      const event = serverEventSchema.parse(JSON.parse(message.data));
      expect(message.event).toBe(event.type);
      seen.push(event);
      check();
    },
  });
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: 200,
    next(pred) {
      return new Promise((resolve) => {
        waiters.push({ pred, from: consumed, resolve });
        check();
      });
    },
    close: () => abort.abort(),
  };
}

describe('event stream (SSE)', () => {
  let s: TestServer;
  const dev = {} as Record<FixtureUserKey, TestDevice>;

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    await addCustomer(s, u.rep.id, 'c1');
    await addCustomer(s, u.rep2.id, 'c4');
    for (const key of ['rep', 'rep2', 'manager', 'itAdmin'] as const) {
      dev[key] = await enrollTestDevice(s.baseUrl, u[key].username, u[key].password, u[key].totpSecret, { now: s.clock.now });
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('data-changed reaches the devices whose scope covers the owner, not the others', async () => {
    const rep = await openStream(s.baseUrl, dev.rep);
    const rep2 = await openStream(s.baseUrl, dev.rep2);
    await rep.next((e) => e.type === 'ping');
    await rep2.next((e) => e.type === 'ping');

    await call(dev.manager, 'POST', '/v1/sync/push', {
      mutations: [{ mutationId: randomUUID(), entity: 'customer', op: 'update', recordId: 'c1', baseVersion: null, fields: { notes: 'x' }, baseValues: { notes: 'note' }, createdAt: s.clock.now() }],
    });
    await rep.next((e) => e.type === 'data-changed');
    // rep2 is told about its own customer's change, and saw nothing for c1 before it.
    await call(dev.rep2, 'POST', '/v1/sync/push', {
      mutations: [{ mutationId: randomUUID(), entity: 'customer', op: 'update', recordId: 'c4', baseVersion: null, fields: { notes: 'y' }, baseValues: { notes: 'note' }, createdAt: s.clock.now() }],
    });
    const { before } = await rep2.next((e) => e.type === 'data-changed');
    expect(before.filter((e) => e.type === 'data-changed')).toHaveLength(0);
    rep.close();
    rep2.close();
  });

  it('delivers `revoked` with a signed wipe directive when an admin revokes the device, then refuses the stream', async () => {
    const stream = await openStream(s.baseUrl, dev.rep);
    await stream.next((e) => e.type === 'ping');
    await call(dev.itAdmin, 'POST', `/v1/admin/devices/${dev.rep.deviceId}/revoke`);
    const { event } = await stream.next((e) => e.type === 'revoked');
    expect(event.type === 'revoked' && decodeJwt(event.directive).did).toBe(dev.rep.deviceId);
    stream.close();

    const refused = await openStream(s.baseUrl, dev.rep);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'device_revoked' }, wipe: expect.any(String) });
  });
});

describe('event streams held in numbers: one interest per user, one re-check per ping visit', () => {
  let s: TestServer;
  let streams: EventStreams;
  let baseUrl: string;
  let closeApp: () => Promise<void>;
  const pushNote = (device: TestDevice, recordId: string, before: string, after: string) =>
    call(device, 'POST', '/v1/sync/push', {
      mutations: [{ mutationId: randomUUID(), entity: 'customer', op: 'update', recordId, baseVersion: null, fields: { notes: after }, baseValues: { notes: before }, createdAt: s.clock.now() }],
    });

  beforeAll(async () => {
    s = await startTestServer();
    // The stream route again on its own listener, with pings every 300 ms (one slot visit per
    // 20 ms), over the same context, hub and database as the test server.
    const app = Fastify();
    streams = registerEventStream(app, s.ctx, { pingIntervalMs: 300 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    closeApp = () => app.close();
  });
  afterAll(async () => {
    await closeApp?.();
    await s?.close();
  });

  it('two streams of one user share one interest, rebuilt once when a re-scope moves the epoch, and not on pings', async () => {
    const u = s.fixture.users;
    await addCustomer(s, u.rep2.id, 'c4');
    const enroll = (key: 'manager' | 'rep2', name: string) =>
      enrollTestDevice(s.baseUrl, u[key].username, u[key].password, u[key].totpSecret, { now: s.clock.now, name });
    const [mgrLaptop, mgrDesktop, rep2] = [await enroll('manager', 'laptop'), await enroll('manager', 'desktop'), await enroll('rep2', 'laptop')];
    const built = streams.interestBuilds();
    const laptop = await openStream(baseUrl, mgrLaptop);
    const desktop = await openStream(baseUrl, mgrDesktop);
    const own = await openStream(baseUrl, rep2);
    for (const st of [laptop, desktop, own]) await st.next((e) => e.type === 'ping');
    expect(streams.interestBuilds() - built).toBe(2); // manager and rep2: two users, three streams

    // rep2 (team B) is outside the manager's team (A): the change to c4 reaches only rep2.
    await pushNote(rep2, 'c4', 'note', 'one');
    await own.next((e) => e.type === 'data-changed');

    // Move rep2 into team A: the manager's scope grows; both users are told in one fan-out.
    const { notifiedUsers } = await withRescope(s.ctx, () =>
      s.ctx.db.updateTable('users').set({ unit_id: FIXTURE_UNITS.teamA.id }).where('id', '=', u.rep2.id).execute());
    expect(notifiedUsers.sort()).toEqual([u.manager.id, u.rep2.id].sort());
    for (const st of [laptop, desktop]) {
      const { before } = await st.next((e) => e.type === 'scope-changed');
      expect(before.filter((e) => e.type === 'data-changed')).toHaveLength(0);
    }
    await streams.refreshInterest();
    expect(streams.interestBuilds() - built).toBe(4); // each user's interest rebuilt once

    await pushNote(rep2, 'c4', 'one', 'two');
    for (const st of [laptop, desktop, own]) await st.next((e) => e.type === 'data-changed');

    // Two more full ping rounds without a scope change rebuild nothing.
    for (let round = 0; round < 2; round++) for (const st of [laptop, desktop]) await st.next((e) => e.type === 'ping');
    expect(streams.interestBuilds() - built).toBe(4);
    for (const st of [laptop, desktop, own]) st.close();
  });

  it('a ping visit catches revocations no notification announced (written straight into the database)', async () => {
    const u = s.fixture.users;
    const service = await enrollTestDevice(s.baseUrl, u.service.username, u.service.password, u.service.totpSecret, { now: s.clock.now });
    const director = await enrollTestDevice(s.baseUrl, u.director.username, u.director.password, u.director.totpSecret, { now: s.clock.now });
    const a = await openStream(baseUrl, service);
    const b = await openStream(baseUrl, director);
    await a.next((e) => e.type === 'ping');
    await b.next((e) => e.type === 'ping');

    await s.ctx.db.updateTable('devices').set({ status: 'revoked', revoked_at: s.clock.now() }).where('id', '=', service.deviceId).execute();
    await s.ctx.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', u.director.id).execute();
    const [ra, rb] = [await a.next((e) => e.type === 'revoked'), await b.next((e) => e.type === 'revoked')];
    expect(ra.event.type === 'revoked' && decodeJwt(ra.event.directive)).toMatchObject({ did: service.deviceId, reason: 'device_revoked' });
    expect(rb.event.type === 'revoked' && decodeJwt(rb.event.directive)).toMatchObject({ did: director.deviceId, reason: 'user_deactivated' });
  });
});

describe.skipIf(testDialect() !== 'postgres')('event stream across two server processes on one PostgreSQL', () => {
  let a: TestServer;
  let closeB: () => Promise<void>;
  let baseUrlB: string;
  let hubB: { subscribe: (deviceId: string, userId: string, listener: (e: ServerEvent) => void) => () => void };

  beforeAll(async () => {
    a = await startTestServer();
    // Process B: its own connection pool and event hub over the same database.
    const opened = await openDatabase({ databaseUrl: a.database.location.databaseUrl as string, poolSize: 3 });
    const b = await buildServer({ db: opened.db, dialect: 'postgres', databaseUrl: a.database.location.databaseUrl as string, now: a.clock.now });
    await b.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrlB = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
    hubB = b.ctx.events;
    const readyB = (b.ctx.events as { ready?: () => Promise<void> }).ready;
    const readyA = (a.ctx.events as { ready?: () => Promise<void> }).ready;
    await readyA?.();
    await readyB?.();
    closeB = async () => {
      await b.app.close();
      await opened.close();
    };
  });
  afterAll(async () => {
    await closeB?.();
    await a?.close();
  });

  it('a device connected to B receives `revoked` when the admin revokes it through A', async () => {
    const u = a.fixture.users;
    const rep = await enrollTestDevice(a.baseUrl, u.rep.username, u.rep.password, u.rep.totpSecret, { now: a.clock.now });
    const admin = await enrollTestDevice(a.baseUrl, u.itAdmin.username, u.itAdmin.password, u.itAdmin.totpSecret, { now: a.clock.now });
    const stream = await openStream(baseUrlB, rep);
    await stream.next((e) => e.type === 'ping');

    await call(admin, 'POST', `/v1/admin/devices/${rep.deviceId}/revoke`);
    const { event, before } = await stream.next((e) => e.type === 'revoked');
    // Delivered by NOTIFY, not by B's periodic safety check (which only runs on a ping).
    expect(before.filter((e) => e.type === 'ping')).toHaveLength(0);
    expect(event.type === 'revoked' && decodeJwt(event.directive).did).toBe(rep.deviceId);
    stream.close();
  });

  it('one fan-out to 300 users published through A reaches each of them on B (in NOTIFY-sized batches)', async () => {
    const users = Array.from({ length: 300 }, (_, i) => `fanout-user-${i}-${randomUUID()}`);
    const got = new Map<string, ServerEvent>();
    const unsubscribe = users.map((userId) => hubB.subscribe(`device-of-${userId}`, userId, (e) => got.set(userId, e)));
    await a.ctx.events.publishToUsers(users.map((userId, i) => ({ userId, event: { type: 'scope-changed', scopeVersion: i } })));
    const deadline = Date.now() + 20_000;
    while (got.size < users.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(got.size).toBe(users.length);
    expect(got.get(users[299] as string)).toEqual({ type: 'scope-changed', scopeVersion: 299 });
    for (const u of unsubscribe) u();
  });
});
