// The event hub: fans server events out to the devices connected to this process (their SSE
// streams) and, on PostgreSQL, to every other server process sharing the database via
// LISTEN/NOTIFY — so a revocation made through process A reaches a device connected to process B.
//
// Interest for data-changed: each connected device registers the set of customer OWNERS whose
// changes concern it (the owners behind its bucket set, plus the owners of customers shared with
// it; computed by the SSE route with the permission engine and refreshed on scope changes and
// every ping). A device whose interest is not known yet gets every data-changed event:
// over-notifying costs one cheap delta pull, under-notifying would leave a vault stale.

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { serverEventSchema, type ServerEvent } from '../../shared/protocol/sync';
import type { Dialect, EventHub } from '../context';

export const EVENT_CHANNEL = 'salesvault_events';
/** NOTIFY payloads must stay under 8000 bytes: owner ids are sent in groups. */
const OWNERS_PER_NOTIFY = 100;
const RECONNECT_DELAY_MS = 1000;

export interface EventHubOptions {
  dialect: Dialect;
  /** PostgreSQL connection string: enables cross-process delivery. */
  pgConnectionString?: string;
  /** Called when the PG listener connection fails (default: ignored; delivery stays local). */
  onError?: (err: Error) => void;
}

export interface LocalEventHub extends EventHub {
  /** Owners whose record changes concern this device (null = unknown: notify on every change). */
  setInterest(deviceId: string, owners: ReadonlySet<string> | null): void;
  /** Resolves once cross-process delivery is listening (immediately without PostgreSQL). */
  ready(): Promise<void>;
}

type Wire =
  | { o: string; k: 'device'; id: string; ev: ServerEvent }
  | { o: string; k: 'user'; id: string; ev: ServerEvent }
  | { o: string; k: 'data'; owners: string[] };

interface Subscription {
  deviceId: string;
  userId: string;
  listener: (event: ServerEvent) => void;
}

export function createEventHub(opts: EventHubOptions): LocalEventHub {
  const origin = randomUUID();
  const subscriptions = new Set<Subscription>();
  const interest = new Map<string, ReadonlySet<string> | null>();
  let closed = false;

  const deliver = (match: (s: Subscription) => boolean, event: ServerEvent) => {
    for (const s of subscriptions) {
      if (!match(s)) continue;
      try {
        s.listener(event);
      } catch {
        // A broken stream must not stop delivery to the others; its close handler cleans it up.
      }
    }
  };
  const deliverData = (owners: readonly string[]) => {
    deliver((s) => {
      const wanted = interest.get(s.deviceId);
      return !wanted || owners.some((o) => wanted.has(o));
    }, { type: 'data-changed' });
  };
  const deliverWire = (msg: Wire) => {
    if (msg.k === 'device') deliver((s) => s.deviceId === msg.id, msg.ev);
    else if (msg.k === 'user') deliver((s) => s.userId === msg.id, msg.ev);
    else deliverData(msg.owners);
  };

  // ---- cross-process (PostgreSQL) ---------------------------------------------------------
  let client: pg.Client | undefined;
  let readyPromise: Promise<void> = Promise.resolve();
  const connectListener = (): void => {
    if (closed || opts.dialect !== 'postgres' || !opts.pgConnectionString) return;
    const c = new pg.Client({ connectionString: opts.pgConnectionString });
    client = c;
    let lost = false;
    // A lost listener connection (database restart) is re-established: until then delivery is
    // local only, and each SSE ping's status check still catches revocations.
    const reconnect = (err?: Error) => {
      if (err) opts.onError?.(err);
      if (lost || closed) return;
      lost = true;
      c.end().catch(() => undefined);
      setTimeout(connectListener, RECONNECT_DELAY_MS).unref();
    };
    c.on('error', reconnect);
    c.on('end', () => reconnect());
    c.on('notification', (n) => {
      if (n.channel !== EVENT_CHANNEL || !n.payload) return;
      const msg = parseWire(n.payload);
      // Our own notifications were delivered locally when published.
      if (msg && msg.o !== origin) deliverWire(msg);
    });
    readyPromise = (async () => {
      await c.connect();
      await c.query(`LISTEN ${EVENT_CHANNEL}`);
    })();
    readyPromise.catch((err: Error) => reconnect(err));
  };
  connectListener();

  const broadcast = async (msg: Wire) => {
    deliverWire(msg);
    if (!client || closed) return;
    try {
      await readyPromise;
      await client.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, JSON.stringify(msg)]);
    } catch (err) {
      opts.onError?.(err as Error);
    }
  };

  return {
    async publishToDevice(deviceId, event) {
      await broadcast({ o: origin, k: 'device', id: deviceId, ev: event });
    },
    async publishToUser(userId, event) {
      await broadcast({ o: origin, k: 'user', id: userId, ev: event });
    },
    async publishDataChanged(ownerIds) {
      const unique = [...new Set(ownerIds)];
      for (let i = 0; i < unique.length; i += OWNERS_PER_NOTIFY) {
        await broadcast({ o: origin, k: 'data', owners: unique.slice(i, i + OWNERS_PER_NOTIFY) });
      }
    },
    subscribe(deviceId, userId, listener) {
      const sub: Subscription = { deviceId, userId, listener };
      subscriptions.add(sub);
      return () => {
        subscriptions.delete(sub);
        if (![...subscriptions].some((s) => s.deviceId === deviceId)) interest.delete(deviceId);
      };
    },
    setInterest(deviceId, owners) {
      interest.set(deviceId, owners);
    },
    ready: () => readyPromise.catch(() => undefined),
    async close() {
      closed = true;
      subscriptions.clear();
      interest.clear();
      if (client) {
        const c = client;
        await readyPromise.catch(() => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}

function parseWire(payload: string): Wire | undefined {
  try {
    const msg = JSON.parse(payload) as Wire;
    if (typeof msg.o !== 'string') return undefined;
    if (msg.k === 'data') return Array.isArray(msg.owners) ? msg : undefined;
    if ((msg.k === 'device' || msg.k === 'user') && typeof msg.id === 'string') {
      // Another process wrote it, but it still crosses a trust boundary (the database): validate.
      return serverEventSchema.safeParse(msg.ev).success ? msg : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** True for hubs built here (the SSE route registers device interest on them). */
export function isLocalEventHub(hub: EventHub): hub is LocalEventHub {
  return typeof (hub as Partial<LocalEventHub>).setInterest === 'function';
}
