import { describe, expect, it } from 'vitest';
import type { AppState } from '../../shared/api/desktop-api';
import { createHarnessClient, type HarnessTransport } from './harness-client';

/** A recorded fetch answering from a function, and an EventSource the test can drive. */
function transport(answer: (url: string, body: unknown) => Response | Promise<Response>) {
  const requests: { url: string; method: string; body: unknown }[] = [];
  const sources: FakeSource[] = [];
  class FakeSource {
    closed = false;
    handlers = new Map<string, (e: Event) => void>();
    constructor(public url: string) {
      sources.push(this);
    }
    addEventListener(type: string, handler: (e: Event) => void) {
      this.handlers.set(type, handler);
    }
    close() {
      this.closed = true;
    }
    emit(type: string, data: string) {
      this.handlers.get(type)?.({ data } as unknown as Event);
    }
  }
  const t: HarnessTransport = {
    fetch: (async (url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      requests.push({ url, method: String(init.method), body });
      return answer(url, body);
    }) as typeof fetch,
    EventSource: FakeSource as unknown as HarnessTransport['EventSource'],
  };
  return { t, requests, sources };
}

const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

describe('harness client', () => {
  it('posts { input } to /__harness/api/<method> and returns the Result', async () => {
    const { t, requests } = transport(() => json({ ok: true, value: { total: 0, rows: [] } }));
    const api = createHarnessClient('http://127.0.0.1:5555/', t);
    const r = await api.searchCustomers({ query: '杭州' });
    expect(r).toEqual({ ok: true, value: { total: 0, rows: [] } });
    expect(requests).toEqual([{ url: 'http://127.0.0.1:5555/__harness/api/searchCustomers', method: 'POST', body: { input: { query: '杭州' } } }]);
  });

  it('passes error Results through whatever the HTTP status', async () => {
    const { t } = transport(() => json({ ok: false, error: { code: 'forbidden', message: 'no' } }, 403));
    const r = await createHarnessClient('http://h', t).adminListUsers();
    expect(r).toEqual({ ok: false, error: { code: 'forbidden', message: 'no' } });
  });

  it('turns transport failures into internal errors instead of throwing', async () => {
    const down = transport(() => {
      throw new TypeError('fetch failed');
    });
    const r1 = await createHarnessClient('http://h', down.t).getState();
    expect(r1.ok).toBe(false);
    expect(!r1.ok && r1.error.code).toBe('internal');

    const html = transport(() => new Response('<html>', { status: 502 }));
    const r2 = await createHarnessClient('http://h', html.t).getState();
    expect(!r2.ok && r2.error.message).toMatch(/502/);

    const odd = transport(() => json({ hello: 'world' }));
    const r3 = await createHarnessClient('http://h', odd.t).getState();
    expect(!r3.ok && r3.error.code).toBe('internal');
  });

  it('delivers `state` events to listeners over one stream and closes it after the last', () => {
    const { t, sources } = transport(() => json({ ok: true, value: null }));
    const api = createHarnessClient('http://h', t);
    const seenA: AppState[] = [];
    const seenB: AppState[] = [];
    const offA = api.onStateChange((s) => seenA.push(s));
    const offB = api.onStateChange((s) => seenB.push(s));
    expect(sources).toHaveLength(1);
    expect(sources[0]!.url).toBe('http://h/__harness/events');

    sources[0]!.emit('state', JSON.stringify({ phase: 'ready', outboxCount: 2 }));
    sources[0]!.emit('state', '{not json');
    expect(seenA).toEqual([{ phase: 'ready', outboxCount: 2 }]);
    expect(seenB).toHaveLength(1);

    offA();
    expect(sources[0]!.closed).toBe(false);
    offB();
    expect(sources[0]!.closed).toBe(true);
  });
});
