#!/usr/bin/env node
// `npm start`: SalesVault on this machine with a local demo server and the demo organisation.
//   1. builds the renderer when dist/renderer is missing (npx vite build)
//   2. seeds the demo organisation into .data/server.db on first run, then starts the server
//   3. launches Electron when its binary is installed; otherwise starts the browser harness
//      (a development and test tool) and opens Chromium on it, or prints its URL.
// Everything listens on 127.0.0.1 only. Ctrl+C stops everything.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.env.SV_DATA_DIR ? resolve(process.env.SV_DATA_DIR) : join(root, '.data');
const serverDb = join(dataDir, 'server.db');
const serverPort = Number(process.env.SV_SERVER_PORT ?? 8787);
const harnessPort = Number(process.env.SV_HARNESS_PORT ?? 5174);
const serverUrl = `http://127.0.0.1:${serverPort}`;
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

// A headless Linux box (CI, a container) has no Secret Service: run inside a private D-Bus
// session with an unlocked gnome-keyring, as the test suite does. That keyring lives only as
// long as this run, so the harness then gets a fresh data dir too (a vault whose key is gone
// could not be opened again).
const ephemeralKeyring = process.env.SV_EPHEMERAL_KEYRING === '1';
if (
  process.platform === 'linux' &&
  !process.env.DBUS_SESSION_BUS_ADDRESS &&
  !ephemeralKeyring &&
  spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon'], { stdio: 'ignore' }).status === 0
) {
  console.log('[start] no D-Bus session: starting a private one with gnome-keyring (keys last for this run only)');
  const child = spawn(
    'dbus-run-session',
    [
      '--', 'sh', '-c',
      // A throwaway keyring directory: an existing login keyring with another password would stay locked.
      'XDG_DATA_HOME="$(mktemp -d)" sh -c "printf salesvault | gnome-keyring-daemon --unlock --components=secrets >/dev/null"; exec "$0" "$@"',
      process.execPath, ...process.argv.slice(1),
    ],
    // Its own process group: dbus-run-session does not pass signals on, so we signal the group.
    { stdio: 'inherit', env: { ...process.env, SV_EPHEMERAL_KEYRING: '1' }, detached: true },
  );
  const forward = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  process.on('SIGINT', () => forward('SIGINT'));
  process.on('SIGTERM', () => forward('SIGTERM'));
  child.on('exit', (code) => process.exit(code ?? 0));
  await new Promise(() => undefined);
}
const children = [];

function log(message) {
  console.log(`[start] ${message}`);
}

function runOrExit(args, what) {
  log(`${what}: npx ${args.join(' ')}`);
  const result = spawnSync(npx, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[start] ${what} failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

function startChild(args, what, extraEnv = {}) {
  log(`${what}: ${args.join(' ')}`);
  const child = spawn(args[0], args.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  children.push(child);
  child.on('exit', (code, signal) => {
    log(`${what} exited (${code ?? signal})`);
    shutdown(code ?? 0);
  });
  return child;
}

let shuttingDown = false;
function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

async function waitForServer(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v1/server-key`);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const require = createRequire(import.meta.url);

function harnessDataDir() {
  if (!ephemeralKeyring) return join(dataDir, 'harness');
  return mkdtempSync(join(tmpdir(), 'salesvault-harness-'));
}

/** The Electron executable when its binary was downloaded (require('electron') throws otherwise). */
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** The demo sign-ins, read from the seeded database (plain SQLite: the server file is not secret). */
function printDemoSignIns() {
  let rows = [];
  try {
    const Database = require('better-sqlite3-multiple-ciphers');
    const db = new Database(serverDb, { readonly: true, fileMustExist: true });
    rows = db
      .prepare(
        `SELECT u.username, u.display_name AS name, r.name AS role FROM users u JOIN roles r ON r.id = u.role_id
         WHERE u.status = 'active' ORDER BY r.key, u.username`,
      )
      .all();
    db.close();
  } catch (err) {
    log(`could not list the demo users: ${err.message}`);
    return;
  }
  const firstPerRole = new Map();
  for (const row of rows) if (!firstPerRole.has(row.role)) firstPerRole.set(row.role, row);
  let password = '(see the seed output)';
  const probe = spawnSync(npx, ['tsx', '-e', "import('./server/seed/demo.ts').then((m) => console.log(m.DEMO_PASSWORD))"], { cwd: root, encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim()) password = probe.stdout.trim();
  console.log(`
Demo sign-ins (server ${serverUrl}, password for all: ${password})`);
  for (const row of firstPerRole.values()) console.log(`  ${row.username.padEnd(22)} ${row.role.padEnd(18)} ${row.name}`);
  console.log(`  … ${rows.length} users in all. Current TOTP code of a demo user: npm run server -- totp <username>
`);
}

// ---- 1. renderer ---------------------------------------------------------------------------
if (!existsSync(join(root, 'dist/renderer/index.html'))) runOrExit(['vite', 'build'], 'building the renderer');

// ---- 2. server with the demo organisation -------------------------------------------------
mkdirSync(dataDir, { recursive: true });
const seededNow = !existsSync(serverDb);
if (seededNow) runOrExit(['tsx', 'server/cli.ts', 'seed', '--data', serverDb], 'seeding the demo organisation');
// node --import tsx (not npx): a signal to the child then reaches the real process.
startChild([process.execPath, '--import', 'tsx', 'server/cli.ts', 'start', '--port', String(serverPort), '--host', '127.0.0.1', '--data', serverDb], 'server');
if (!(await waitForServer(serverUrl, 30_000))) {
  console.error(`[start] the server did not come up on ${serverUrl}`);
  shutdown(1);
} else {
  log(`server ready at ${serverUrl}`);
  if (!seededNow) printDemoSignIns(); // the seed just printed them

  // ---- 3. Electron, or the browser harness ------------------------------------------------
  let electron = electronBinary();
  if (!electron && existsSync(join(root, 'node_modules/electron/install.js'))) {
    log('the Electron binary is missing; trying to download it once (needs internet)');
    const install = spawnSync(process.execPath, [join(root, 'node_modules/electron/install.js')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    electron = electronBinary();
    if (!electron) log(`the download failed: ${(install.stderr || install.stdout || '').split('\n').find((l) => l.trim()) ?? 'unknown error'}`);
  }
  if (electron && existsSync(join(root, 'dist-electron/main.cjs'))) {
    startChild([electron, root], 'electron', { SV_SERVER_URL: serverUrl });
  } else {
    if (electron) log('Electron is installed but dist-electron/main.cjs is not built; using the browser harness');
    else log('no Electron binary: starting the browser harness (a development and test tool) instead');
    startChild(
      [process.execPath, '--import', 'tsx', 'electron/harness/cli.ts', '--port', String(harnessPort), '--server', serverUrl, '--data', harnessDataDir()],
      'harness',
    );
    const harnessUrl = `http://127.0.0.1:${harnessPort}`;
    // Give the harness a moment to listen before the browser asks for the page.
    await new Promise((r) => setTimeout(r, 2500));
    if (existsSync('/usr/bin/chromium') && !process.env.SV_NO_BROWSER) {
      const browser = spawn(
        '/usr/bin/chromium',
        ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dataDir, 'chromium-profile')}`, `--app=${harnessUrl}`],
        { cwd: root, stdio: 'ignore', detached: false },
      );
      browser.on('error', () => log(`could not open Chromium; open ${harnessUrl} yourself`));
      log(`opened Chromium on ${harnessUrl}`);
    } else {
      log(`open ${harnessUrl} in a browser`);
    }
  }
}
