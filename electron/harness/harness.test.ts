// The browser harness (a development and test tool): the app service over local HTTP, against
// the REAL server, vault and keychain; its DNS-rebinding guard and static serving.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppState, Result } from '../../shared/api/desktop-api';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../core/contracts';
import { KeytarSecretStore } from '../core/keychain';
import { startRealServer, totpFor, uniqueKeychainService, type RealServer } from '../../test/support/real-server';
import { startHarness, type Harness } from './harness';

function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser harness (development and test tool)', () => {
  let server: RealServer;
  let harness: Harness;
  let dataDir: string;
  let rendererDir: string;
  const secrets = new KeytarSecretStore(uniqueKeychainService('harness'));

  async function api<T>(method: string, input?: unknown): Promise<Result<T>> {
    const res = await fetch(`${harness.url}/__harness/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input }),
    });
    return (await res.json()) as Result<T>;
  }

  beforeAll(async () => {
    server = await startRealServer();
    dataDir = mkdtempSync(join(tmpdir(), 'sv-harness-'));
    rendererDir = mkdtempSync(join(tmpdir(), 'sv-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>SalesVault</title><script type="module" src="./app.js"></script>');
    writeFileSync(join(rendererDir, 'app.js'), 'console.log("renderer")');
    harness = await startHarness({ port: 0, dataDir, secrets, serverUrl: server.url, rendererDir, service: { syncIntervalMs: 3_600_000 } });
  });
  afterAll(async () => {
    await harness?.close();
    await secrets.delete(VAULT_KEY_ACCOUNT).catch(() => false);
    await secrets.delete(DEVICE_KEY_ACCOUNT).catch(() => false);
    await server?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('serves the renderer with the app CSP, SPA fallback, and no path traversal', async () => {
    const index = await fetch(`${harness.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await index.text()).toContain('<title>SalesVault</title>');
    expect((await fetch(`${harness.url}/customers/123`)).status).toBe(200); // client-side route
    expect((await fetch(`${harness.url}/app.js`)).headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${harness.url}/missing.js`)).status).toBe(404);
    const traversal = await rawGet(harness.port, '/..%2f..%2fetc%2fpasswd', { host: `127.0.0.1:${harness.port}` });
    expect([403, 404]).toContain(traversal.status);
    expect(traversal.body).not.toContain('root:');
  });

  it('refuses foreign Host and Origin headers (DNS rebinding)', async () => {
    expect((await rawGet(harness.port, '/', { host: 'evil.example:80' })).status).toBe(403);
    expect((await rawGet(harness.port, '/', { host: `attacker.test:${harness.port}` })).status).toBe(403);
    const crossOrigin = await fetch(`${harness.url}/__harness/api/getState`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{}',
    });
    expect(crossOrigin.status).toBe(403);
    expect((await rawGet(harness.port, '/', { host: `localhost:${harness.port}` })).status).toBe(200);
  });

  it('answers unknown methods, bad JSON and wrong content types with clear errors', async () => {
    const unknown = await fetch(`${harness.url}/__harness/api/dropAllTables`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(404);
    const badJson = await fetch(`${harness.url}/__harness/api/getState`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(await badJson.json()).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const form = await fetch(`${harness.url}/__harness/api/getState`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
    expect(await api('getCustomer', { id: 42 })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('drives the real app service: sign-in, MFA, first sync, search; state changes stream over SSE', async () => {
    const states: AppState[] = [];
    const abort = new AbortController();
    const events = await fetch(`${harness.url}/__harness/events`, { signal: abort.signal });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = events.body!.getReader();
    const pump = (async () => {
      let buffer = '';
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = frame.split('\n').find((l) => l.startsWith('data: '));
            if (frame.startsWith('event: state') && data) states.push(JSON.parse(data.slice(6)) as AppState);
          }
        }
      } catch {
        // aborted
      }
    })();

    const rep = server.fixture.users.rep;
    expect(await api('signIn', { serverUrl: server.url, username: rep.username, password: rep.password })).toMatchObject({ ok: true });
    let enrolled = await api<AppState>('verifyMfa', { code: totpFor(rep) });
    if (!enrolled.ok && enrolled.error.code === 'mfa_invalid') enrolled = await api<AppState>('verifyMfa', { code: totpFor(rep, 1) });
    expect(enrolled.ok).toBe(true);
    const synced = await api<AppState>('syncNow');
    expect(synced).toMatchObject({ ok: true, value: { phase: 'ready' } });
    const found = await api<{ rows: { name: string }[] }>('searchCustomers', { query: '华为' });
    expect(found.ok && found.value.rows.map((r) => r.name)).toEqual([server.customers.repOwn.name]);

    const deadline = Date.now() + 10_000;
    while (!states.some((s) => s.phase === 'ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(states[0]?.phase).toBe('signed-out');
    expect(states.some((s) => s.phase === 'first-sync')).toBe(true);
    expect(states.some((s) => s.phase === 'ready')).toBe(true);
    abort.abort();
    await pump;
  });
});
