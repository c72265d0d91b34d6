// One server process of the fleet benchmark: the real buildServer over an existing, migrated
// database (SQLite file or PostgreSQL URL), on 127.0.0.1 and an ephemeral port. It holds the
// streams; the devices live in other processes (bench/fleet/holder.ts).

import type { AddressInfo } from 'node:net';
import { buildServer } from '../../server/app';
import { openDatabase } from '../../server/db/connection';
import { reportErrors } from './ipc';

reportErrors(async () => {
  const [kind, location] = process.argv.slice(2) as ['sqlite' | 'postgres', string];
  const opened = await openDatabase(kind === 'postgres' ? { databaseUrl: location } : { sqlitePath: location });
  const { app } = await buildServer({
    db: opened.db,
    dialect: opened.dialect,
    ...(kind === 'postgres' ? { databaseUrl: location } : {}),
    rateLimit: false,
  });
  app.server.maxConnections = 30_000;
  // Idle event streams must not be cut by Node's request timeouts.
  app.server.requestTimeout = 0;
  app.server.keepAliveTimeout = 120_000;
  await app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  const { port } = app.server.address() as AddressInfo;
  const stop = async () => {
    app.server.closeAllConnections();
    await app.close();
    await opened.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.send?.({ type: 'listening', baseUrl: `http://127.0.0.1:${port}`, pid: process.pid });
});
