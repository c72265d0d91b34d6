// Assembles the permission server: storage, keys, clock, audit and events into a ServerContext,
// and every route onto one Fastify instance. The CLI (server/cli.ts) and the tests both build
// the server through here.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Kysely } from 'kysely';
import { MAX_BODY_BYTES } from '../shared/protocol/common';
import { registerAdminRoutes } from './admin/routes';
import { watchAuditForAnomalies } from './alerts/monitor';
import { registerAlertAndReviewRoutes } from './alerts/routes';
import { createAuditLog } from './audit/chain';
import type { Dialect, EventHub, ServerContext, ServerKeys } from './context';
import type { Database } from './db/schema';
import { registerDeviceRoutes } from './devices/routes';
import { createEventHub } from './events/hub';
import { registerEventStream } from './events/stream';
import { installErrorHandling } from './http/errors';
import { installJsonBodyParser, type RouteOptions } from './http/route';
import { registerIdentityRoutes } from './identity/routes';
import { loadOrCreateServerKeys } from './keys';
import { registerHealthRoutes } from './observability/health';
import { createServerMetrics } from './observability/metrics';
import { registerOwnershipRoutes } from './ownership/routes';
import { registerScimRoutes } from './http/scim-routes';
import { registerSyncRoutes } from './sync/routes';
import { registerIdentityProviderAdminRoutes } from './sso/admin-routes';
import { registerSsoSignInRoutes } from './sso/sign-in';
import { startReviewDeadlineTimer } from './reviews/deadlines';
import { registerRecycleBinRoutes, startRecycleBinPurge } from './ownership/recycle-bin';
import { refreshStatistics } from './db/statistics';

export interface BuildServerOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  /** PostgreSQL connection string, for the event hub's LISTEN/NOTIFY across processes */
  databaseUrl?: string;
  /** epoch-ms clock (tests inject one) */
  now?: () => number;
  keys?: ServerKeys;
  /** per-IP limit on the sign-in routes; false disables it (load tests) */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  logger?: FastifyServerOptions['logger'];
  /** Fastify's https options (key/cert) to serve TLS */
  https?: { key: Buffer; cert: Buffer };
  /** How often the access-review deadline job runs (reminders, due dates); false: never (tests call it) */
  reviewJobIntervalMs?: number | false;
  /** How often customers past the recycle bin's period are purged (also once at start); false: never (tests call it) */
  recycleBinJobIntervalMs?: number | false;
  /** the exposure ledger (server/exposure/ledger.ts); default on */
  exposureLedger?: boolean;
}

export const DEFAULT_REVIEW_JOB_INTERVAL_MS = 10 * 60_000;
export const DEFAULT_RECYCLE_BIN_JOB_INTERVAL_MS = 60 * 60_000;

export const DEFAULT_AUTH_RATE_LIMIT = { max: 30, timeWindowMs: 60_000 };

async function createEvents(dialect: Dialect, databaseUrl: string | undefined): Promise<EventHub> {
  const hub = createEventHub({ dialect, ...(databaseUrl ? { pgConnectionString: databaseUrl } : {}) });
  // Across processes (PG), revocations published right after start must not be lost.
  await hub.ready();
  return hub;
}

export async function createServerContext(opts: Omit<BuildServerOptions, 'rateLimit' | 'logger' | 'https'>): Promise<ServerContext> {
  const now = opts.now ?? Date.now;
  const keys = opts.keys ?? (await loadOrCreateServerKeys(opts.db));
  const ctx: ServerContext = {
    db: opts.db,
    dialect: opts.dialect,
    keys,
    now,
    // The audit log signs checkpoints of its chain head with the server key.
    audit: createAuditLog(opts.db, opts.dialect, now, { keys }),
    events: await createEvents(opts.dialect, opts.databaseUrl),
    exposureLedger: opts.exposureLedger ?? true,
  };
  // Every audited event also passes the anomaly rules (server/alerts): one hook for all sources.
  ctx.audit = watchAuditForAnomalies(ctx);
  return ctx;
}

/** A caller's (or proxy's) X-Request-Id is kept when it is short and plain; otherwise a fresh one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
export const REQUEST_ID_HEADER = 'x-request-id';

function requestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export async function buildServer(opts: BuildServerOptions): Promise<{ app: FastifyInstance; ctx: ServerContext }> {
  const ctx = await createServerContext(opts);
  // Tables filled while no server ran (a restore, another tool's import) get planner statistics
  // before the first sync is planned without them (db/statistics.ts); a catalog read otherwise.
  await refreshStatistics(opts.db);
  const metrics = createServerMetrics(opts.db, opts.dialect);
  metrics.countStreams(ctx.events);
  ctx.audit = metrics.countAudit(ctx.audit);
  const app = Fastify({
    // Structured JSON logs (pino); every line of a request carries its `reqId`.
    logger: opts.logger ?? false,
    genReqId: requestId,
    requestIdHeader: false,
    bodyLimit: MAX_BODY_BYTES,
    ...(opts.https ? { https: opts.https } : {}),
  }) as unknown as FastifyInstance;

  // The request id goes back to the caller, so a report can be matched with the server's log.
  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
  });
  metrics.instrument(app);
  registerHealthRoutes(app, opts.db, opts.dialect, metrics);

  installJsonBodyParser(app);
  installErrorHandling(app);
  // Only routes that opt in (the sign-in steps) are limited; the rest are authenticated per device.
  await app.register(rateLimit, { global: false });
  const authLimits: RouteOptions = opts.rateLimit === false ? {} : { rateLimit: opts.rateLimit ?? DEFAULT_AUTH_RATE_LIMIT };

  registerIdentityRoutes(app, ctx, authLimits);
  registerDeviceRoutes(app, ctx, authLimits);
  registerAdminRoutes(app, ctx);
  registerSsoSignInRoutes(app, ctx, authLimits);
  registerIdentityProviderAdminRoutes(app, ctx);
  registerScimRoutes(app, ctx);

  registerSyncRoutes(app, ctx);
  registerOwnershipRoutes(app, ctx);
  registerRecycleBinRoutes(app, ctx);
  registerEventStream(app, ctx);
  registerAlertAndReviewRoutes(app, ctx);

  // Access reviews finish on their own: reminders before the due date, the campaign's setting at it.
  const reviewJob = opts.reviewJobIntervalMs === false ? null
    : startReviewDeadlineTimer(ctx, opts.reviewJobIntervalMs ?? DEFAULT_REVIEW_JOB_INTERVAL_MS, (err) => app.log.error({ err }, 'access-review deadline job failed'));

  // Deleted customers past the recycle bin's period are erased: at start, then hourly.
  const purgeJob = opts.recycleBinJobIntervalMs === false ? null
    : startRecycleBinPurge(ctx, opts.recycleBinJobIntervalMs ?? DEFAULT_RECYCLE_BIN_JOB_INTERVAL_MS, (err) => app.log.error({ err }, 'recycle-bin purge failed'));

  app.addHook('onClose', async () => {
    await reviewJob?.stop();
    await purgeJob?.stop();
    await ctx.events.close();
  });
  return { app, ctx };
}
