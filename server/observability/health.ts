// The operational endpoints a person running the server points a load balancer and Prometheus at.
// They sit outside ROUTES (no device ever calls them) and need no authentication, like any
// liveness probe; they reveal no data — only whether the process and its database are usable and,
// on /metrics, counts by route pattern. Put them behind the reverse proxy's allow-list in
// production if the counts themselves must stay private.
//
//   GET /healthz  200 {status:'ok'} while the process answers (liveness: no database call).
//   GET /readyz   200 when the database answers a query and every migration of this build is
//                 applied; 503 with the reason otherwise (readiness: take it out of rotation).
//   GET /metrics  Prometheus text format (server/observability/metrics.ts).

import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../context';
import { pendingMigrations } from '../db/connection';
import type { Database } from '../db/schema';
import { METRICS_PATH, type ServerMetrics } from './metrics';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';
/** A database that does not answer within this is "not ready", not a hung probe. */
const READY_TIMEOUT_MS = 2_000;

export interface Readiness {
  ready: boolean;
  database: 'ok' | 'unreachable';
  migrations: 'current' | 'pending' | 'unknown';
  pending?: string[];
  error?: string;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function checkReadiness(db: Kysely<Database>, dialect: Dialect): Promise<Readiness> {
  try {
    await withTimeout(sql`SELECT 1`.execute(db), READY_TIMEOUT_MS);
  } catch (err) {
    return { ready: false, database: 'unreachable', migrations: 'unknown', error: err instanceof Error ? err.message : String(err) };
  }
  try {
    const pending = await withTimeout(pendingMigrations(db, dialect), READY_TIMEOUT_MS);
    if (pending.length > 0) return { ready: false, database: 'ok', migrations: 'pending', pending };
    return { ready: true, database: 'ok', migrations: 'current' };
  } catch (err) {
    return { ready: false, database: 'ok', migrations: 'unknown', error: err instanceof Error ? err.message : String(err) };
  }
}

export function registerHealthRoutes(app: FastifyInstance, db: Kysely<Database>, dialect: Dialect, metrics: ServerMetrics): void {
  app.get(HEALTH_PATH, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get(READY_PATH, async (_request, reply) => {
    const readiness = await checkReadiness(db, dialect);
    return reply.code(readiness.ready ? 200 : 503).header('cache-control', 'no-store').send(readiness);
  });
  app.get(METRICS_PATH, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
