// The loopback redirect of a native app's OpenID Connect sign-in (RFC 8252 §7.3): a one-shot
// HTTP listener on 127.0.0.1 at an ephemeral port, path /callback. Only the IP literal is used
// (not "localhost", which a resolver or firewall may send elsewhere), and a redirect URI that is
// not such a loopback address is refused before anything is opened.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CALLBACK_PATH = '/callback';

export class SsoFlowError extends Error {
  constructor(
    readonly reason: 'not_loopback' | 'timeout' | 'state_mismatch' | 'provider_error' | 'exchange_failed' | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = 'SsoFlowError';
  }
}

/** Throws unless `uri` is http://127.0.0.1:<port>/… or http://[::1]:<port>/… */
export function assertLoopbackRedirectUri(uri: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    throw new SsoFlowError('not_loopback', `the redirect URI ${uri} is not a URL`);
  }
  const loopbackHost = parsed.hostname === '127.0.0.1' || parsed.hostname === '[::1]';
  if (parsed.protocol !== 'http:' || !loopbackHost || !parsed.port || parsed.username || parsed.password) {
    throw new SsoFlowError('not_loopback', `refusing a redirect to ${parsed.origin}: only http://127.0.0.1:<port> is accepted`);
  }
  return parsed;
}

const DONE_PAGE = `<!doctype html><meta charset="utf-8"><title>SalesVault</title>
<body style="font-family:system-ui,sans-serif;margin:3em">
<h1>SalesVault</h1><p>登录已完成，可以关闭此窗口并回到 SalesVault。</p><p>Sign-in finished: you can close this window and return to SalesVault.</p>`;

export interface LoopbackListener {
  redirectUri: string;
  /** The full callback URL the browser was sent to (query carries code and state, or error). */
  waitForCallback(timeoutMs: number): Promise<URL>;
  close(): Promise<void>;
}

export async function startLoopbackListener(): Promise<LoopbackListener> {
  let resolveCallback!: (url: URL) => void;
  const callback = new Promise<URL>((resolve) => {
    resolveCallback = resolve;
  });
  let received = false;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || received) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    received = true;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(DONE_PAGE);
    resolveCallback(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${CALLBACK_PATH}`;
  assertLoopbackRedirectUri(redirectUri);
  return {
    redirectUri,
    async waitForCallback(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SsoFlowError('timeout', 'the sign-in in the browser did not finish in time')), timeoutMs);
      });
      try {
        return await Promise.race([callback, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
