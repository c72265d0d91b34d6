// The event hub: fans server events out to the devices connected to this process (their SSE
// streams) and, on PostgreSQL, to every other server process sharing the database via
// LISTEN/NOTIFY — so a revocation made through process A reaches a device connected to process B.
//
// Interest for data-changed: each connected USER has one registered set of customer OWNERS whose
// changes concern it (the owners behind its bucket set, plus the owners of customers shared with
// it; computed by the event streams with the permission engine, shared by all of that user's
// streams, see ./stream.ts). A user whose interest is not known yet gets every data-changed event:
// over-notifying costs one cheap delta pull, under-notifying would leave a vault stale.
//
// Many users told at once (a role change re-scoping a thousand of them) is one fan-out: one wire
// message per ~7 KB of recipients rather than one NOTIFY round trip per user.

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { serverEventSchema, type ServerEvent } from '../../shared/protocol/sync';
import type { Dialect, EventHub } from '../context';

export const EVENT_CHANNEL = 'salesvault_events';
/** NOTIFY payloads must stay under 8000 bytes: owner ids are sent in groups. */
const OWNERS_PER_NOTIFY = 100;
/** Budget in bytes for the recipients of one batched message (the rest of it is well under 1 KB). */
const USERS_NOTIFY_BUDGET = 7000;
const RECONNECT_DELAY_MS = 1000;

export interface EventHubOptions {
  dialect: Dialect;
  /** PostgreSQL connection string: enables cross-process delivery. */
  pgConnectionString?: string;
  /** Called when the PG listener connection fails (default: ignored; delivery stays local). */
  onError?: (err: Error) => void;
}

export interface LocalEventHub extends EventHub {
  /** Owners whose record changes concern this user's devices (null = unknown: notify on every change). */
  setInterest(userId: string, owners: ReadonlySet<string> | null): void;
  /** Resolves once cross-process delivery is listening (immediately without PostgreSQL). */
  ready(): Promise<void>;
}

type Wire =
  | { o: string; k: 'device'; id: string; ev: ServerEvent }
  | { o: string; k: 'user'; id: string; ev: ServerEvent }
  | { o: string; k: 'users'; to: [string, ServerEvent][] }
  | { o: string; k: 'data'; owners: string[] };

interface Subscription {
  deviceId: string;
  userId: string;
  listener: (event: ServerEvent) => void;
}

export function createEventHub(opts: EventHubOptions): LocalEventHub {
  const origin = randomUUID();
  // Indexed both ways: a device's or a user's event finds its streams without a scan.
  const byDevice = new Map<string, Set<Subscription>>();
  const byUser = new Map<string, Set<Subscription>>();
  const interest = new Map<string, ReadonlySet<string> | null>();
  let closed = false;

  const deliverTo = (subs: ReadonlySet<Subscription> | undefined, event: ServerEvent) => {
    if (!subs) return;
    for (const s of [...subs]) {
      try {
        s.listener(event);
      } catch {
        // A broken stream must not stop delivery to the others; its close handler cleans it up.
      }
    }
  };
  const deliverData = (owners: readonly string[]) => {
    for (const [userId, subs] of byUser) {
      const wanted = interest.get(userId);
      if (!wanted || owners.some((o) => wanted.has(o))) deliverTo(subs, { type: 'data-changed' });
    }
  };
  const deliverWire = (msg: Wire) => {
    if (msg.k === 'device') deliverTo(byDevice.get(msg.id), msg.ev);
    else if (msg.k === 'user') deliverTo(byUser.get(msg.id), msg.ev);
    else if (msg.k === 'users') for (const [userId, ev] of msg.to) deliverTo(byUser.get(userId), ev);
    else deliverData(msg.owners);
  };
  const index = (map: Map<string, Set<Subscription>>, key: string, sub: Subscription) => {
    const set = map.get(key);
    if (set) set.add(sub);
    else map.set(key, new Set([sub]));
  };
  const unindex = (map: Map<string, Set<Subscription>>, key: string, sub: Subscription): boolean => {
    const set = map.get(key);
    set?.delete(sub);
    if (set && set.size === 0) {
      map.delete(key);
      return true;
    }
    return false;
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
    async publishToUsers(events) {
      let batch: [string, ServerEvent][] = [];
      let size = 0;
      for (const { userId, event } of events) {
        const entry: [string, ServerEvent] = [userId, event];
        const entrySize = Buffer.byteLength(JSON.stringify(entry)) + 1;
        if (batch.length > 0 && size + entrySize > USERS_NOTIFY_BUDGET) {
          await broadcast({ o: origin, k: 'users', to: batch });
          batch = [];
          size = 0;
        }
        batch.push(entry);
        size += entrySize;
      }
      if (batch.length > 0) await broadcast({ o: origin, k: 'users', to: batch });
    },
    async publishDataChanged(ownerIds) {
      const unique = [...new Set(ownerIds)];
      for (let i = 0; i < unique.length; i += OWNERS_PER_NOTIFY) {
        await broadcast({ o: origin, k: 'data', owners: unique.slice(i, i + OWNERS_PER_NOTIFY) });
      }
    },
    subscribe(deviceId, userId, listener) {
      const sub: Subscription = { deviceId, userId, listener };
      index(byDevice, deviceId, sub);
      index(byUser, userId, sub);
      return () => {
        unindex(byDevice, deviceId, sub);
        if (unindex(byUser, userId, sub)) interest.delete(userId);
      };
    },
    setInterest(userId, owners) {
      // Kept only for users with a stream here (a late answer for a departed user is dropped).
      if (byUser.has(userId)) interest.set(userId, owners);
    },
    ready: () => readyPromise.catch(() => undefined),
    async close() {
      closed = true;
      byDevice.clear();
      byUser.clear();
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
    if (msg.k === 'users') {
      if (!Array.isArray(msg.to)) return undefined;
      const valid = msg.to.every((e) => Array.isArray(e) && typeof e[0] === 'string' && serverEventSchema.safeParse(e[1]).success);
      return valid ? msg : undefined;
    }
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
