// The sync side of the HTTP API: pull, push and the offline-audit upload. Every decision goes
// through the permission engine; every record change through server/records. Shares and owner
// reassignment are in ../ownership; the event stream is ../events/stream.ts.

import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { issueGrant } from '../devices/grant';
import { route } from '../http/route';
import { pull } from './pull';
import { push } from './push';

const OFFLINE_ACTIONS = { view: 'offline.view', search: 'offline.search', export: 'offline.export' } as const;

export function registerSyncRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, 'pull', async ({ body, principal }) =>
    pull(ctx, principal, body, { issueGrant: async (p, scope) => (await issueGrant(ctx, p.subject, p.device.id, scope)).grant }),
  );

  route(app, ctx, 'push', async ({ body, principal }) => push(ctx, principal, body.mutations));

  route(app, ctx, 'uploadAudit', async ({ body, principal }) => {
    // Entries are appended with their original (device-clock) time; the upload time is kept too.
    const receivedAt = ctx.now();
    for (const entry of body.entries) {
      await ctx.audit.append({
        actorId: principal.user.id,
        deviceId: principal.device.id,
        action: OFFLINE_ACTIONS[entry.action],
        target: entry.entity && entry.recordId ? `${entry.entity}:${entry.recordId}` : (entry.entity ?? null),
        outcome: 'ok',
        at: entry.at,
        details: {
          offlineId: entry.id,
          receivedAt,
          ...(entry.query !== undefined ? { query: entry.query } : {}),
          ...(entry.count !== undefined ? { count: entry.count } : {}),
        },
      });
    }
    return { accepted: body.entries.length };
  });
}
