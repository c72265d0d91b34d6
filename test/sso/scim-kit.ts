// Helpers of the SCIM tests: a SCIM client with a provider's bearer token, and an event-stream
// reader to observe what reaches an online device.

import { createParser } from 'eventsource-parser';
import { serverEventSchema, type ServerEvent } from '../../shared/protocol/sync';
import { EVENTS_PATH } from '../../server/events/stream';
import type { TestDevice } from '../../server/test/client';

export type ScimCall = (method: string, path: string, body?: unknown, opts?: { token?: string; raw?: string; contentType?: string }) =>
  Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function scimClient(baseUrl: string, token: string): ScimCall {
  return async (method, path, body, opts = {}) => {
    const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const res = await fetch(`${baseUrl}/scim/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${opts.token ?? token}`,
        ...(payload !== undefined ? { 'content-type': opts.contentType ?? 'application/scim+json' } : {}),
      },
      body: payload,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
}

export interface EventStream {
  /** resolves with the first event matching `pred` (seen before or after the call) */
  next(pred: (e: ServerEvent) => boolean, timeoutMs?: number): Promise<ServerEvent>;
  close(): void;
}

export async function openEventStream(baseUrl: string, device: Pick<TestDevice, 'signedHeaders'>): Promise<EventStream> {
  const abort = new AbortController();
  const res = await fetch(baseUrl + EVENTS_PATH, { headers: device.signedHeaders('GET', EVENTS_PATH), signal: abort.signal });
  if (res.status !== 200 || !res.body) throw new Error(`event stream refused: ${res.status}`);
  const seen: ServerEvent[] = [];
  const waiters = new Set<() => void>();
  const parser = createParser({
    onEvent(message) {
      seen.push(serverEventSchema.parse(JSON.parse(message.data)));
      for (const w of [...waiters]) w();
    },
  });
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch {
      // closed
    }
  })();
  return {
    next(pred, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; seen: ${JSON.stringify(seen.map((e) => e.type))}`));
        }, timeoutMs);
        const check = () => {
          const found = seen.find(pred);
          if (found) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}
