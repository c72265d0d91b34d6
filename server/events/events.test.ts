// The SSE event stream over real HTTP: revocation, data-changed interest, refusal of a revoked
// device, and (on PostgreSQL) delivery across two server processes sharing one database.

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createParser } from 'eventsource-parser';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverEventSchema, type ServerEvent } from '../../shared/protocol/sync';
import { buildServer } from '../app';
import { openDatabase } from '../db/connection';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { testDialect } from '../test/db';
import type { FixtureUserKey } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';
import { addCustomer, call } from '../../test/support/server/sync-kit';
import { EVENTS_PATH } from './stream';

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

describe.skipIf(testDialect() !== 'postgres')('event stream across two server processes on one PostgreSQL', () => {
  let a: TestServer;
  let closeB: () => Promise<void>;
  let baseUrlB: string;

  beforeAll(async () => {
    a = await startTestServer();
    // Process B: its own connection pool and event hub over the same database.
    const opened = await openDatabase({ databaseUrl: a.database.location.databaseUrl as string, poolSize: 3 });
    const b = await buildServer({ db: opened.db, dialect: 'postgres', databaseUrl: a.database.location.databaseUrl as string, now: a.clock.now });
    await b.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrlB = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
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
});
