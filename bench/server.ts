// The server under test: a fresh database (SQLite temp file, or a uniquely named PostgreSQL
// database with --db postgres), the real buildServer, listening on 127.0.0.1:0. A Server-Timing
// header (handler + serialisation time) lets the client split a request into server time and
// transfer without touching the server code.

import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../server/db/schema';
import { buildServer } from '../server/app';
import type { ServerContext } from '../server/context';
import { poolSizeDefault } from '../server/db/connection';
import { withTestDatabase, type TestDatabase } from '../server/test/db';
import { SERVER_TIMING_HEADER } from './server-timing';

export interface BenchServer {
  baseUrl: string;
  app: FastifyInstance;
  ctx: ServerContext;
  database: TestDatabase;
  /** When the server last sent a pull page with nothing more to come (Date.now()), or null. */
  lastFinalPullSentAt: number | null;
  close(): Promise<void>;
}

const START = Symbol('benchStart');

/**
 * A migrated, empty database of the chosen dialect (reuses the test-database helper), with the
 * server's own PostgreSQL pool size (SV_DB_POOL_SIZE or the machine's default), not the tests'.
 */
export async function openBenchDatabase(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const previous = process.env.SV_TEST_DB;
  process.env.SV_TEST_DB = dialect;
  try {
    return await withTestDatabase({ poolSize: poolSizeDefault() });
  } finally {
    if (previous === undefined) delete process.env.SV_TEST_DB;
    else process.env.SV_TEST_DB = previous;
  }
}

/** `db`: the server's Kysely handle when it differs from the database's (e.g. with a timing plugin). */
export async function startBenchServer(database: TestDatabase, db: Kysely<Database> = database.db): Promise<BenchServer> {
  const { app, ctx } = await buildServer({
    db,
    dialect: database.dialect,
    ...(database.location.databaseUrl ? { databaseUrl: database.location.databaseUrl } : {}),
    // Hundreds of sign-ins and requests from one IP: the limiter is not what is measured.
    rateLimit: false,
  });
  app.addHook('onRequest', async (req) => {
    (req as unknown as Record<symbol, bigint>)[START] = process.hrtime.bigint();
  });
  let lastFinalPullSentAt: number | null = null;
  app.addHook('onSend', async (req, reply, payload) => {
    // The last record of a sync leaves with the page that says nothing more follows.
    if (req.url === '/v1/sync/pull' && typeof payload === 'string' && payload.includes('"hasMore":false')) lastFinalPullSentAt = Date.now();
    const start = (req as unknown as Record<symbol, bigint | undefined>)[START];
    if (start !== undefined) {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      reply.header(SERVER_TIMING_HEADER, `app;dur=${ms.toFixed(3)}`);
    }
    return payload;
  });
  // 500 load-test connections plus the benchmark's own clients.
  app.server.maxConnections = 10_000;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    ctx,
    database,
    get lastFinalPullSentAt() {
      return lastFinalPullSentAt;
    },
    async close() {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
