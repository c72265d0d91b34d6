// BROWSER HARNESS — A DEVELOPMENT AND TEST TOOL, NOT PART OF THE SHIPPED APP.
//
// Runs the same main-side handlers as the Electron app (the app service) under plain Node and
// exposes them to a renderer in an ordinary browser over local HTTP, so the UI can be developed
// and tested end to end in Chromium without Electron:
//   POST /__harness/api/<method>   body { "input": ... }  → the Result as JSON
//   GET  /__harness/events         SSE, `event: state` with the AppState JSON
//   GET  /__harness/external       URLs the app asked the system browser to open (single sign-on);
//                                  an end-to-end spec plays the system browser with them
//   everything else                the built renderer (dist/renderer), SPA fallback to index.html
// It listens on 127.0.0.1 only and refuses requests whose Host/Origin is not this harness
// (a DNS-rebinding guard: a web page elsewhere must not drive the vault through it).

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { DESKTOP_METHODS, type AppState, type DesktopMethod } from '../../shared/api/desktop-api';
import { createAppService, type AppService, type AppServiceOptions } from '../core/app-service';
import type { Clock, SecretStore } from '../core/contracts';
import { RENDERER_CSP_HEADER } from '../../shared/csp';
import { contentTypeFor } from '../main/security';

export interface HarnessOptions {
  /** 0 = an ephemeral port (tests). */
  port: number;
  dataDir: string;
  secrets: SecretStore;
  /** The server the sign-in screen proposes. */
  serverUrl: string;
  /** Built renderer to serve (default dist/renderer). */
  rendererDir?: string;
  /** Serve the renderer through Vite's dev middleware instead of a build (development). */
  viteDev?: boolean;
  appVersion?: string;
  clock?: Clock;
  /** Extra app-service options (tests: shorter sync interval / backoff). */
  service?: Partial<Pick<AppServiceOptions, 'syncIntervalMs' | 'eventsMinBackoffMs' | 'fetch'>>;
}

export interface Harness {
  url: string;
  port: number;
  service: AppService;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const API_PREFIX = '/__harness/api/';
const EVENTS_PATH = '/__harness/events';
const EXTERNAL_PATH = '/__harness/external';
// The same policy the Electron window enforces; the harness adds nothing the app would not allow.
const CSP = RENDERER_CSP_HEADER;


type ViteDevServer = { middlewares: (req: IncomingMessage, res: ServerResponse, next: () => void) => void; close(): Promise<void> };

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  // The app's "system browser": the harness records what it was asked to open.
  const externalOpens: string[] = [];
  const service = await createAppService({
    openExternal: async (url) => {
      externalOpens.push(url);
    },
    dataDir: options.dataDir,
    secrets: options.secrets,
    appVersion: options.appVersion ?? 'harness',
    clock: options.clock,
    defaultServerUrl: options.serverUrl,
    ...options.service,
  });
  const rendererDir = resolve(options.rendererDir ?? 'dist/renderer');
  const methods = new Set<string>(DESKTOP_METHODS);
  const sseClients = new Set<ServerResponse>();
  let port = 0;

  const unsubscribe = service.onStateChange((state: AppState) => {
    const frame = `event: state\ndata: ${JSON.stringify(state)}\n\n`;
    for (const res of sseClients) res.write(frame);
  });

  let vite: ViteDevServer | null = null;
  if (options.viteDev) {
    const { createServer: createViteServer } = await import('vite');
    vite = (await createViteServer({ server: { middlewareMode: true }, appType: 'spa' })) as unknown as ViteDevServer;
  }

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'harness error' } });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS-rebinding guard: only this harness's own origin may talk to it.
    const hosts = allowedHosts();
    if (!req.headers.host || !hosts.has(req.headers.host)) return sendText(res, 403, 'forbidden host');
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.has(origin.replace(/^http:\/\//, ''))) return sendText(res, 403, 'forbidden origin');

    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname.startsWith(API_PREFIX)) return handleApi(req, res, url.pathname.slice(API_PREFIX.length));
    if (url.pathname === EVENTS_PATH) return handleEvents(req, res);
    if (url.pathname === EXTERNAL_PATH) return sendJson(res, 200, { urls: externalOpens.splice(0) });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed');
    if (vite) {
      res.setHeader('content-security-policy', CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"));
      return vite.middlewares(req, res, () => sendText(res, 404, 'not found'));
    }
    return serveStatic(res, url.pathname);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'validation_failed', message: 'use POST' } });
    if (!methods.has(method)) {
      return sendJson(res, 404, { ok: false, error: { code: 'validation_failed', message: `unknown method ${method.slice(0, 60)}` } });
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      // Also a CSRF guard: a cross-site form cannot send application/json without a preflight.
      return sendJson(res, 415, { ok: false, error: { code: 'validation_failed', message: 'send application/json' } });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      const message = err instanceof BodyTooLargeError ? 'request body too large' : 'the body is not valid JSON';
      return sendJson(res, 400, { ok: false, error: { code: 'validation_failed', message } });
    }
    const input = body && typeof body === 'object' ? (body as { input?: unknown }).input : undefined;
    const call = service[method as DesktopMethod] as (input: unknown) => Promise<unknown>;
    sendJson(res, 200, await call(input));
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') return sendText(res, 405, 'method not allowed');
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    sseClients.add(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      sseClients.delete(res);
    });
    // The current state right away, so a fresh page needs no separate getState.
    void service.getState().then((result) => {
      if (result.ok) res.write(`event: state\ndata: ${JSON.stringify(result.value)}\n\n`);
    });
  }

  function serveStatic(res: ServerResponse, pathname: string): void {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendText(res, 400, 'bad path');
    }
    const candidate = normalize(join(rendererDir, decoded));
    // Path traversal guard: never serve outside the renderer build.
    if (candidate !== rendererDir && !candidate.startsWith(rendererDir + sep)) return sendText(res, 403, 'forbidden path');
    let file = candidate;
    if (!existsSync(file) || statSync(file).isDirectory()) {
      // SPA fallback for client-side routes; assets that do not exist are real 404s.
      if (extname(decoded)) return sendText(res, 404, 'not found');
      file = join(rendererDir, 'index.html');
      if (!existsSync(file)) return sendText(res, 404, `no renderer build in ${rendererDir} (run npx vite build)`);
    }
    res.writeHead(200, {
      'content-type': contentTypeFor(file) ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    service,
    async close() {
      unsubscribe();
      for (const res of sseClients) res.end();
      sseClients.clear();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
      await vite?.close();
      await service.close();
    },
  };
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(json);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}
