// Playwright global setup: make sure the renderer is built, then start ONE real permission server
// (SQLite in a temp dir, the demo organisation at a small size) as a child process, and publish
// where it is in test-results/e2e-server.json for the specs. The returned function is the
// teardown: it stops the server and removes its temp dir.

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { E2E_CUSTOMERS, RENDERER_SNAPSHOT_DIR, ROOT, SERVER_INFO_FILE, type ServerInfo } from './paths';

const READY_TIMEOUT_MS = 120_000;

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(ROOT, 'dist/renderer/index.html'))) {
    console.log('[e2e] dist/renderer is missing: building the renderer (npx vite build)');
    const build = spawnSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the renderer build failed (npx vite build)');
  }
  rmSync(RENDERER_SNAPSHOT_DIR, { recursive: true, force: true });
  cpSync(join(ROOT, 'dist/renderer'), RENDERER_SNAPSHOT_DIR, { recursive: true });
  if (!existsSync(join(RENDERER_SNAPSHOT_DIR, 'index.html'))) throw new Error('dist/renderer has no index.html (a build in progress?)');

  const dir = mkdtempSync(join(tmpdir(), 'sv-e2e-server-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'e2e/support/server-process.ts'), '--dir', dir, '--customers', String(E2E_CUSTOMERS)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );

  const ready = await new Promise<Omit<ServerInfo, 'pid' | 'dir'>>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`the e2e server did not become ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line) as { ready?: boolean } & Omit<ServerInfo, 'pid' | 'dir'>;
        if (parsed.ready) {
          clearTimeout(timer);
          resolveReady(parsed);
        }
      } catch {
        // not our ready line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the e2e server exited before it was ready (exit code ${code})`));
    });
  });
  // Keep draining its stdout so the child never blocks on a full pipe.
  child.stdout.resume();

  const info: ServerInfo = { ...ready, pid: child.pid ?? -1, dir };
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  writeFileSync(SERVER_INFO_FILE, JSON.stringify(info, null, 2));
  console.log(`[e2e] server ${info.url} (control ${info.controlUrl}), database ${info.dbPath}`);

  return async () => {
    const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    rmSync(SERVER_INFO_FILE, { force: true });
  };
}
