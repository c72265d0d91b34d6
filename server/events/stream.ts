// GET /v1/events (ROUTES.events): the server-sent event stream a connected client holds, so a
// revocation, scope change or new data reaches it within seconds rather than at the next poll.
// Authenticated like every token route; a revoked device or deactivated user is refused with
// 403 and the signed wipe directive (by authenticate), and each ping asks the revocation module
// again. Events are `event: <type>\ndata: <json>\n\n`; a ping every 15 s keeps proxies from
// closing the stream.

import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../shared/protocol/routes';
import type { ServerEvent } from '../../shared/protocol/sync';
import type { Principal, ServerContext } from '../context';
import { currentRevocation } from '../devices/revocation';
import { authenticate } from '../http/auth';
import { bucketTargets, loadScopeData, subjectBucketSet } from '../org/permission-scope';
import { isLocalEventHub } from './hub';

export const EVENTS_PATH = ROUTES.events.path;
export const PING_INTERVAL_MS = 15_000;

/** Owners whose changes concern this user: owners of its buckets and of customers shared with it. */
export async function interestOwners(ctx: ServerContext, userId: string): Promise<ReadonlySet<string>> {
  const data = await loadScopeData(ctx.db);
  const subject = data.subjects.get(userId);
  if (!subject) return new Set();
  const { owners, customers } = bucketTargets(subjectBucketSet(subject, data, ctx.now()), data);
  const result = new Set(owners);
  if (customers.length > 0) {
    const rows = await ctx.db.selectFrom('customers').select('owner_id').where('id', 'in', customers).execute();
    for (const r of rows) result.add(r.owner_id);
  }
  return result;
}

export function registerEventStream(app: FastifyInstance, ctx: ServerContext, opts: { pingIntervalMs?: number } = {}): void {
  const pingMs = opts.pingIntervalMs ?? PING_INTERVAL_MS;
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
    const send = (event: ServerEvent) => {
      if (!open) return;
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      // After a revocation there is nothing more to say: the device wipes itself.
      if (event.type === 'revoked') close();
    };

    const refreshInterest = async () => {
      if (!isLocalEventHub(ctx.events)) return;
      try {
        ctx.events.setInterest(deviceId, await interestOwners(ctx, userId));
      } catch {
        ctx.events.setInterest(deviceId, null); // unknown: be told about everything
      }
    };
    const unsubscribe = ctx.events.subscribe(deviceId, userId, (event) => {
      send(event);
      if (event.type === 'scope-changed') void refreshInterest();
    });

    // Safety net for a missed notification: each ping re-checks the device and the user.
    const checkStillAllowed = async () => {
      const revocation = await currentRevocation(ctx, deviceId, userId);
      if (revocation) send({ type: 'revoked', directive: revocation.directive });
    };
    const timer = setInterval(() => {
      send({ type: 'ping', serverTime: ctx.now() });
      void checkStillAllowed().catch(() => undefined);
      void refreshInterest();
    }, pingMs);

    function close() {
      if (!open) return;
      open = false;
      clearInterval(timer);
      unsubscribe();
      res.end();
    }
    res.on('close', close);
    res.on('error', close);

    // Interest first, then the first ping: once the client sees the stream live, it is told
    // about exactly its own data changes.
    await refreshInterest();
    send({ type: 'ping', serverTime: ctx.now() });
  });
}
