// A real server on 127.0.0.1:<ephemeral port> over a fresh test database with the fixture org.

import type { FastifyInstance } from 'fastify';
import type { KyselyPlugin } from 'kysely';
import type { AddressInfo } from 'node:net';
import { buildServer, type BuildServerOptions } from '../app';
import type { ServerContext } from '../context';
import { withTestDatabase, type TestDatabase } from './db';
import { createFixtureOrg, type Fixture } from './fixtures';

/** The server's clock in tests: real time plus an offset the test can move, or frozen. */
export class TestClock {
  private offsetMs = 0;
  private frozenAt: number | null = null;
  now = (): number => this.frozenAt ?? Date.now() + this.offsetMs;
  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }
  freeze(): void {
    this.frozenAt = this.now();
  }
}

export interface TestServer {
  clock: TestClock;
  baseUrl: string;
  app: FastifyInstance;
  ctx: ServerContext;
  fixture: Fixture;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startTestServer(
  overrides: Partial<Pick<BuildServerOptions, 'rateLimit' | 'reviewJobIntervalMs'>> & {
    /** Kysely plugins on the server's handle (e.g. one that counts statements) */
    plugins?: KyselyPlugin[];
  } = {},
): Promise<TestServer> {
  const clock = new TestClock();
  const database = await withTestDatabase();
  try {
    const fixture = await createFixtureOrg(database.db);
    const { app, ctx } = await buildServer({
      db: (overrides.plugins ?? []).reduce((db, plugin) => db.withPlugin(plugin), database.db),
      dialect: database.dialect,
      ...(database.location.databaseUrl ? { databaseUrl: database.location.databaseUrl } : {}),
      // Tests sign in many times from one IP; the limiter itself has its own test.
      rateLimit: overrides.rateLimit ?? { max: 10_000, timeWindowMs: 60_000 },
      now: clock.now,
      // Tests move the clock and run the access-review deadline job themselves, unless they test the timer.
      reviewJobIntervalMs: overrides.reviewJobIntervalMs ?? false,
      recycleBinJobIntervalMs: false,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return {
      clock,
      baseUrl: `http://127.0.0.1:${port}`,
      app,
      ctx,
      fixture,
      database,
      async close() {
        await app.close();
        await database.cleanup();
      },
    };
  } catch (err) {
    await database.cleanup();
    throw err;
  }
}
