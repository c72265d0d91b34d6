// Prometheus metrics of one server instance (prom-client, a registry per instance so two servers
// in one process — tests, the fleet benchmark — never mix their figures):
//   sv_http_requests_total / sv_http_request_duration_seconds   by method, route pattern, status
//   sv_event_streams_open                                       SSE streams held right now
//   sv_sync_records_served_total                                records sent in pull pages
//   sv_audit_appends_total                                      audit chain appends, by outcome
//   sv_db_pool_connections / sv_db_pool_waiting / sv_db_pool_max  the PostgreSQL pool (absent on SQLite)
// plus the Node process defaults (memory, CPU, event-loop lag) under the `sv_` prefix.
// The route label is Fastify's route pattern (`/v1/admin/devices/:id/revoke`), never the raw URL,
// so ids never become label values; requests that matched no route count as `(unmatched)`.

import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditLog, Dialect, EventHub } from '../context';
import { poolStats, type PoolStats } from '../db/connection';
import type { Database } from '../db/schema';
import { ROUTES } from '../../shared/protocol/routes';

export const METRICS_PATH = '/metrics';
const START = Symbol('svMetricsStart');

export interface ServerMetrics {
  registry: Registry;
  /** Counts streams opened and closed through `hub` (wraps its subscribe). */
  countStreams(hub: EventHub): void;
  /** An audit log that counts each append (by outcome) before passing it on. */
  countAudit(audit: AuditLog): AuditLog;
  /** Request rate and latency by route, and records served by pull, on this Fastify instance. */
  instrument(app: FastifyInstance): void;
}

export function createServerMetrics(db: Kysely<Database>, dialect: Dialect): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sv_' });

  const requests = new Counter({
    name: 'sv_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
  });
  const duration = new Histogram({
    name: 'sv_http_request_duration_seconds', help: 'Time from request start to the response sent, by method and route pattern',
    labelNames: ['method', 'route'] as const, registers: [registry],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const streams = new Gauge({ name: 'sv_event_streams_open', help: 'Event streams (GET /v1/events) open on this process', registers: [registry] });
  const served = new Counter({ name: 'sv_sync_records_served_total', help: 'Records sent to devices in pull pages', registers: [registry] });
  const removals = new Counter({ name: 'sv_sync_removals_served_total', help: 'Record removals sent to devices in pull pages', registers: [registry] });
  const audits = new Counter({
    name: 'sv_audit_appends_total', help: 'Entries appended to the audit chain, by outcome',
    labelNames: ['outcome'] as const, registers: [registry],
  });
  if (dialect === 'postgres') registerPoolGauges(registry, db);

  return {
    registry,
    countStreams(hub) {
      const subscribe = hub.subscribe.bind(hub);
      hub.subscribe = (deviceId, userId, listener) => {
        const unsubscribe = subscribe(deviceId, userId, listener);
        streams.inc();
        let open = true;
        return () => {
          if (open) streams.dec();
          open = false;
          unsubscribe();
        };
      };
    },
    countAudit(audit) {
      return {
        ...audit,
        async append(entry) {
          await audit.append(entry);
          audits.inc({ outcome: entry.outcome });
        },
      };
    },
    instrument(app) {
      app.addHook('onRequest', async (req) => {
        (req as unknown as Record<symbol, bigint>)[START] = process.hrtime.bigint();
      });
      app.addHook('onResponse', async (req, reply) => {
        const start = (req as unknown as Record<symbol, bigint | undefined>)[START];
        const route = req.routeOptions.url ?? '(unmatched)';
        requests.inc({ method: req.method, route, status: String(reply.statusCode) });
        if (start !== undefined) duration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - start) / 1e9);
      });
      // Pull answers are counted as they leave (the object, before serialisation).
      app.addHook('preSerialization', async (req, reply, payload: unknown) => {
        if (req.routeOptions.url === ROUTES.pull.path && reply.statusCode === 200 && isPullPage(payload)) {
          served.inc(payload.upserts.length);
          removals.inc(payload.removals.length);
        }
        return payload;
      });
    },
  };
}

function isPullPage(payload: unknown): payload is { upserts: unknown[]; removals: unknown[] } {
  const p = payload as { upserts?: unknown; removals?: unknown } | null;
  return !!p && Array.isArray(p.upserts) && Array.isArray(p.removals);
}

/** The PostgreSQL pool, read when scraped (SQLite has one connection and no pool series). */
function registerPoolGauges(registry: Registry, db: Kysely<Database>): void {
  const read = (pick: (s: PoolStats) => Record<string, number>) => function (this: Gauge) {
    const stats = poolStats(db);
    if (!stats) return;
    for (const [state, value] of Object.entries(pick(stats))) this.set(state === '' ? {} : { state }, value);
  };
  new Gauge({
    name: 'sv_db_pool_connections', help: 'PostgreSQL pool connections, by state', labelNames: ['state'] as const, registers: [registry],
    collect: read((s) => ({ idle: s.idle, busy: s.total - s.idle })),
  });
  new Gauge({ name: 'sv_db_pool_waiting', help: 'Queries waiting for a PostgreSQL pool connection', registers: [registry], collect: read((s) => ({ '': s.waiting })) });
  new Gauge({ name: 'sv_db_pool_max', help: 'PostgreSQL pool size', registers: [registry], collect: read((s) => ({ '': s.max })) });
}
