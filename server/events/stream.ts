// GET /v1/events (ROUTES.events): the server-sent event stream a connected client holds, so a
// revocation, scope change or new data reaches it within seconds rather than at the next poll.
// Authenticated like every token route; a revoked device or deactivated user is refused with
// 403 and the signed wipe directive (by authenticate). Events are `event: <type>\ndata: <json>\n\n`;
// a ping every 15 s keeps proxies from closing the stream.
//
// The cost of thousands of held streams is kept per process, not per stream:
//   - Pings: the streams are spread over PING_SLOTS slots and one timer visits one slot per
//     1/PING_SLOTS of the interval; the visit pings that slot's streams and re-checks their
//     revocation in ONE batched query (the safety net for a missed notification).
//   - Interest (which owners' data changes concern a stream, see ./hub.ts) is computed once per
//     USER and shared by that user's streams. It is rebuilt only when the user's bucket set is a
//     new one — i.e. after the scope epoch moved (a `scope-changed` event or a slot visit notices) —
//     using the per-snapshot scope results of server/org/user-scope.ts, which admin re-scoping has
//     usually computed already. The owners of customers shared with a user are re-read for all
//     connected users at once on each visit, so an ownership transfer (which does not move the
//     epoch) is noticed within a second.

import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../shared/protocol/routes';
import type { ServerEvent } from '../../shared/protocol/sync';
import type { Principal, ServerContext } from '../context';
import { currentRevocations } from '../devices/revocation';
import { authenticate } from '../http/auth';
import { bucketTargets, loadScopeData, type ScopeData } from '../org/permission-scope';
import { bucketsOfUser } from '../org/user-scope';
import { isLocalEventHub, type LocalEventHub } from './hub';

export const EVENTS_PATH = ROUTES.events.path;
export const PING_INTERVAL_MS = 15_000;
/** Slots the streams are spread over: each visit pings (and re-checks) about 1/PING_SLOTS of them. */
export const PING_SLOTS = 15;
/** Customer ids per statement when reading shared customers' owners. */
const OWNER_BATCH = 500;

interface OpenStream {
  deviceId: string;
  userId: string;
  send(event: ServerEvent): void;
}

interface UserInterest {
  /** the bucket set it was built from (the same array while the user's scope is unchanged) */
  buckets: readonly string[];
  bucketOwners: readonly string[];
  sharedCustomers: readonly string[];
  /** what the hub was given (owners of buckets ∪ owners of shared customers) */
  owners: ReadonlySet<string>;
}

/** What the stream route exposes for tests and metrics. */
export interface EventStreams {
  /** Times a user's interest was built from a new bucket set (once per user per scope change). */
  interestBuilds(): number;
  /** Brings every connected user's interest up to date (what `scope-changed` and each visit do). */
  refreshInterest(): Promise<void>;
}

export function registerEventStream(app: FastifyInstance, ctx: ServerContext, opts: { pingIntervalMs?: number } = {}): EventStreams {
  const pingMs = opts.pingIntervalMs ?? PING_INTERVAL_MS;
  const hub: LocalEventHub | null = isLocalEventHub(ctx.events) ? ctx.events : null;

  // ---- the ping wheel ------------------------------------------------------------------------
  const slots: Set<OpenStream>[] = Array.from({ length: PING_SLOTS }, () => new Set());
  const slotOf = new Map<OpenStream, Set<OpenStream>>();
  let cursor = 0;
  let timer: NodeJS.Timeout | null = null;
  const streamsOfUser = new Map<string, number>();

  const visit = () => {
    const slot = slots[cursor] as Set<OpenStream>;
    cursor = (cursor + 1) % PING_SLOTS;
    const due = [...slot];
    for (const s of due) s.send({ type: 'ping', serverTime: ctx.now() });
    if (due.length > 0) void checkStillAllowed(due).catch(() => undefined);
    void refreshInterest().catch(() => undefined);
  };
  const attach = (stream: OpenStream) => {
    // The slot just visited: this stream's next ping is a whole interval away.
    const slot = slots[(cursor + PING_SLOTS - 1) % PING_SLOTS] as Set<OpenStream>;
    slot.add(stream);
    slotOf.set(stream, slot);
    streamsOfUser.set(stream.userId, (streamsOfUser.get(stream.userId) ?? 0) + 1);
    timer ??= setInterval(visit, Math.max(1, Math.floor(pingMs / PING_SLOTS)));
  };
  const detach = (stream: OpenStream) => {
    slotOf.get(stream)?.delete(stream);
    slotOf.delete(stream);
    const left = (streamsOfUser.get(stream.userId) ?? 1) - 1;
    if (left > 0) streamsOfUser.set(stream.userId, left);
    else {
      streamsOfUser.delete(stream.userId);
      interests.delete(stream.userId);
    }
    if (slotOf.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    timer = null;
  });

  // Safety net for a missed notification: one query for the whole slot.
  const checkStillAllowed = async (due: readonly OpenStream[]) => {
    const revocations = await currentRevocations(ctx, due);
    for (const s of due) {
      const revocation = revocations.get(s.deviceId);
      if (revocation) s.send({ type: 'revoked', directive: revocation.directive });
    }
  };

  // ---- interest, one per connected user ------------------------------------------------------
  const interests = new Map<string, UserInterest>();
  const customerOwner = new Map<string, string>();
  let builds = 0;

  const ownersOf = (i: Pick<UserInterest, 'bucketOwners' | 'sharedCustomers'>): Set<string> => {
    const owners = new Set(i.bucketOwners);
    for (const c of i.sharedCustomers) {
      const owner = customerOwner.get(c);
      if (owner) owners.add(owner);
    }
    return owners;
  };
  /** Re-reads the owners of `customers` (all of them, or only those not known yet). */
  const readCustomerOwners = async (customers: Iterable<string>): Promise<void> => {
    const ids = [...new Set(customers)];
    for (let i = 0; i < ids.length; i += OWNER_BATCH) {
      const chunk = ids.slice(i, i + OWNER_BATCH);
      const rows = await ctx.db.selectFrom('customers').select(['id', 'owner_id']).where('id', 'in', chunk).execute();
      const seen = new Set<string>();
      for (const r of rows) {
        customerOwner.set(r.id, r.owner_id);
        seen.add(r.id);
      }
      for (const id of chunk) if (!seen.has(id)) customerOwner.delete(id);
    }
  };
  /**
   * The user's interest in `data`, rebuilt (and kept at once, so a concurrent caller reuses it)
   * only when its bucket set is a new one. Null for a user unknown to `data`.
   */
  const interestIn = (data: ScopeData, userId: string, now: number): { interest: UserInterest | null; rebuilt: boolean } => {
    const buckets = bucketsOfUser(data, userId, now);
    if (!buckets) {
      interests.delete(userId);
      return { interest: null, rebuilt: true };
    }
    const kept = interests.get(userId);
    if (kept && kept.buckets === buckets) return { interest: kept, rebuilt: false };
    builds++;
    const { owners, customers } = bucketTargets(buckets, data);
    const interest: UserInterest = { buckets, bucketOwners: owners, sharedCustomers: customers, owners: new Set(owners) };
    interests.set(userId, interest);
    return { interest, rebuilt: true };
  };
  /** Hands the hub the user's owners (an unknown user, deleted since it connected, concerns none). */
  const publish = (userId: string, interest: UserInterest | null) => {
    if (interest) interest.owners = ownersOf(interest);
    if (streamsOfUser.has(userId)) hub?.setInterest(userId, interest ? interest.owners : new Set());
  };

  const refreshAll = async (): Promise<void> => {
    if (!hub || streamsOfUser.size === 0) return;
    const data = await loadScopeData(ctx.db); // one epoch read; the snapshot is shared
    const now = ctx.now();
    const rebuilt = new Map<string, UserInterest | null>();
    const withShares: [string, UserInterest][] = [];
    for (const userId of streamsOfUser.keys()) {
      const { interest, rebuilt: isNew } = interestIn(data, userId, now);
      if (isNew) rebuilt.set(userId, interest);
      if (interest && interest.sharedCustomers.length > 0) withShares.push([userId, interest]);
    }
    await readCustomerOwners(withShares.flatMap(([, i]) => i.sharedCustomers));
    for (const [userId, interest] of rebuilt) publish(userId, interest);
    // Shared customers whose owner changed (an ownership transfer does not move the epoch).
    for (const [userId, interest] of withShares) {
      if (!rebuilt.has(userId) && !sameSet(ownersOf(interest), interest.owners)) publish(userId, interest);
    }
  };
  // One refresh at a time; calls made while one runs share the single next run.
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const refreshInterest = (): Promise<void> => {
    if (queued) return queued;
    if (running) {
      queued = running.catch(() => undefined).then(() => {
        queued = null;
        return refreshInterest();
      });
      return queued;
    }
    running = refreshAll().catch((err: unknown) => {
      // Unknown interest: be told about everything until the next refresh succeeds.
      for (const userId of streamsOfUser.keys()) {
        interests.delete(userId);
        hub?.setInterest(userId, null);
      }
      throw err;
    }).finally(() => {
      running = null;
    });
    return running;
  };
  /** A newly connected stream's user: reuses the interest its other streams share, if current. */
  const ensureInterest = async (userId: string): Promise<void> => {
    if (!hub) return;
    try {
      const { interest, rebuilt } = interestIn(await loadScopeData(ctx.db), userId, ctx.now());
      if (rebuilt && interest) await readCustomerOwners(interest.sharedCustomers.filter((c) => !customerOwner.has(c)));
      publish(userId, interest);
    } catch {
      interests.delete(userId);
      hub.setInterest(userId, null); // unknown: be told about everything
    }
  };

  app.get(EVENTS_PATH, async (request, reply) => {
    const principal: Principal = await authenticate(ctx, request, 'token');
    const deviceId = principal.device.id;
    const userId = principal.user.id;

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let open = true;
    const stream: OpenStream = {
      deviceId,
      userId,
      send(event) {
        if (!open) return;
        res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        // After a revocation there is nothing more to say: the device wipes itself.
        if (event.type === 'revoked') close();
      },
    };
    const unsubscribe = ctx.events.subscribe(deviceId, userId, (event) => {
      stream.send(event);
      if (event.type === 'scope-changed') void refreshInterest().catch(() => undefined);
    });
    attach(stream);

    function close() {
      if (!open) return;
      open = false;
      unsubscribe();
      detach(stream);
      res.end();
    }
    res.on('close', close);
    res.on('error', close);
    if (res.destroyed) close(); // gone before the handlers were in place

    // Interest first, then the first ping: once the client sees the stream live, it is told
    // about exactly its own data changes.
    await ensureInterest(userId);
    stream.send({ type: 'ping', serverTime: ctx.now() });
  });

  return { interestBuilds: () => builds, refreshInterest };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
