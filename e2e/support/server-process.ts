// E2E TEST SUPPORT — the real permission server for the end-to-end specs, run as a child process
// of Playwright's global setup (`node --import tsx e2e/support/server-process.ts …`).
//
// It creates a SQLite database in --dir, seeds the demo organisation at a small size, and serves
// it with buildServer on 127.0.0.1:<free port>. A second, loopback-only control listener lets a
// spec stop the server (the database file stays) and start it again ON THE SAME PORT, which is
// how the offline spec takes the server away and brings it back:
//   POST /stop   POST /start   GET /status        (each needs `authorization: Bearer <token>`)
// When ready it prints one JSON line: { "ready": true, url, port, controlUrl, token, dbPath }.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../server/app';
import { migrateToLatest, openDatabase } from '../../server/db/connection';
import { seedDemo } from '../../server/seed/demo';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    customers: { type: 'string', default: '200' },
  },
  strict: true,
});
if (!values.dir) {
  console.error('server-process: --dir is required');
  process.exit(2);
}
const customers = Number(values.customers);
if (!Number.isInteger(customers) || customers < 1) {
  console.error(`server-process: --customers must be a positive integer, got ${values.customers}`);
  process.exit(2);
}

const dbPath = join(values.dir, 'server.db');
const opened = await openDatabase({ sqlitePath: dbPath });
await migrateToLatest(opened.db, opened.dialect);
await seedDemo({ db: opened.db, dialect: opened.dialect }, { customers });

let app: FastifyInstance | null = null;
let port = 0;

async function startListening(): Promise<void> {
  if (app) return;
  // Every spec signs in from 127.0.0.1; the sign-in limiter has its own server tests.
  const built = await buildServer({ db: opened.db, dialect: opened.dialect, rateLimit: { max: 10_000, timeWindowMs: 60_000 } });
  await built.app.listen({ host: '127.0.0.1', port });
  port = (built.app.server.address() as AddressInfo).port;
  app = built.app;
}

async function stopListening(): Promise<void> {
  const running = app;
  if (!running) return;
  app = null;
  // Cut the devices' open event streams too: a stopped server is unreachable, not half-alive.
  running.server.closeAllConnections();
  await running.close();
}

await startListening();

const token = randomBytes(16).toString('hex');
const control = createServer((req: IncomingMessage, res: ServerResponse) => {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { error: 'bad token' });
  const route = `${req.method} ${req.url}`;
  const run = async () => {
    switch (route) {
      case 'POST /stop':
        await stopListening();
        return reply(200, { listening: false, port });
      case 'POST /start':
        await startListening();
        return reply(200, { listening: true, port });
      case 'GET /status':
        return reply(200, { listening: app !== null, port });
      default:
        return reply(404, { error: `no route ${route}` });
    }
  };
  run().catch((err: unknown) => reply(500, { error: err instanceof Error ? err.message : String(err) }));
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const controlPort = (control.address() as AddressInfo).port;

console.log(
  JSON.stringify({ ready: true, url: `http://127.0.0.1:${port}`, port, controlUrl: `http://127.0.0.1:${controlPort}`, token, dbPath }),
);

const shutdown = () => {
  control.close();
  void stopListening()
    .then(() => opened.close())
    .finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
// The parent (Playwright) going away must not leave a server behind.
process.stdin.on('end', shutdown);
process.stdin.resume();
