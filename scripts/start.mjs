#!/usr/bin/env node
// `npm start`: SalesVault on this machine with a local demo server and the demo organisation.
//   1. builds the renderer when dist/renderer is missing (npx vite build)
//   2. seeds the demo organisation into <data dir>/server.db on first run, then starts the server
//   3. launches Electron when its binary is installed; otherwise starts the browser harness
//      (a development and test tool) and opens Chromium on it, or prints its URL.
//   4. prints the demo sign-ins, the URLs and the data directory last (again on Enter).
// Everything listens on 127.0.0.1 only. Ctrl+C stops everything. `npm start -- --help`.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HELP = `usage: npm start [-- options]

Starts a local SalesVault: the demo server with the demo organisation (seeded on the first run),
then the Electron app, or the browser harness in Chromium where Electron cannot run. When it is
up it prints the demo sign-ins, the URLs and the data directory; press Enter to see them again
(or run \`npm run server -- demo-info\` in another terminal).

options:
  --data-dir DIR   where the server database (DIR/server.db) and the harness's vault live
                   (also SV_DATA_DIR=DIR; default: .data in the checkout). The same setting is
                   honoured by \`npm run server -- <command>\`.
  --verbose        the server's request logs (JSON lines) too; by default only warnings and
                   errors are shown (also SV_LOG_LEVEL=info|debug|warn|error)
  --no-browser     do not open Chromium; print the harness URL (also SV_NO_BROWSER=1)
  -h, --help       this text

ports (127.0.0.1 only):
  8787  the server            SV_SERVER_PORT=<port>
  5174  the browser harness   SV_HARNESS_PORT=<port>
`;

let cli;
try {
  cli = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      'no-browser': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  console.error(`${err.message}\n\n${HELP}`);
  process.exit(2);
}
if (cli.help) {
  console.log(HELP);
  process.exit(0);
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDirSetting = cli['data-dir'] ?? process.env.SV_DATA_DIR;
const dataDir = dataDirSetting ? resolve(dataDirSetting) : join(root, '.data');
const serverDb = join(dataDir, 'server.db');
const serverPort = Number(process.env.SV_SERVER_PORT ?? 8787);
const harnessPort = Number(process.env.SV_HARNESS_PORT ?? 5174);
const serverUrl = `http://127.0.0.1:${serverPort}`;
const logLevel = process.env.SV_LOG_LEVEL || (cli.verbose ? 'info' : 'warn');
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

/** The sign-ins, URLs and data directory (`npm run server -- demo-info`), or null when that fails. */
function demoInfo(harnessUrl) {
  const args = ['--import', 'tsx', 'server/cli.ts', 'demo-info', '--data-dir', dataDir, '--server-url', serverUrl, ...(harnessUrl ? ['--harness-url', harnessUrl] : [])];
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (result.status === 0) return result.stdout.trimEnd();
  log(`could not list the demo sign-ins: ${(result.stderr || '').trim() || `exit ${result.status}`}`);
  return null;
}

/** Print the block now, and again whenever Enter is pressed in this terminal. */
function showDemoInfo(harnessUrl) {
  const text = demoInfo(harnessUrl);
  if (!text) return;
  console.log(`\n${text}`);
  if (!process.stdin.isTTY) return;
  // Not a terminal-mode readline: Ctrl+C stays a signal for the whole group.
  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', () => console.log(`\n${demoInfo(harnessUrl) ?? text}`));
}

/** Linux without X11 or Wayland: a browser window cannot open here. */
function noDisplay() {
  return process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
}

// ---- 1. renderer ---------------------------------------------------------------------------
if (!existsSync(join(root, 'dist/renderer/index.html'))) runOrExit(['vite', 'build'], 'building the renderer');

// ---- 2. server with the demo organisation -------------------------------------------------
mkdirSync(dataDir, { recursive: true });
const seededNow = !existsSync(serverDb);
if (seededNow) runOrExit(['tsx', 'server/cli.ts', 'seed', '--data-dir', dataDir], 'seeding the demo organisation');
// node --import tsx (not npx): a signal to the child then reaches the real process.
// Request logs are quiet unless asked for (--verbose / SV_LOG_LEVEL): warnings and errors only.
startChild(
  [process.execPath, '--import', 'tsx', 'server/cli.ts', 'start', '--port', String(serverPort), '--host', '127.0.0.1', '--data-dir', dataDir],
  'server',
  { SV_LOG_LEVEL: logLevel },
);
log(`server log level: ${logLevel}${cli.verbose || process.env.SV_LOG_LEVEL ? '' : ' (request logs: npm start -- --verbose)'}`);
if (!(await waitForServer(serverUrl, 30_000))) {
  console.error(`[start] the server did not come up on ${serverUrl}`);
  shutdown(1);
} else {
  log(`server ready at ${serverUrl}`);

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
    showDemoInfo(null);
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
    if (cli['no-browser'] || process.env.SV_NO_BROWSER) {
      log(`not opening a browser (as asked); open ${harnessUrl}`);
    } else if (!existsSync('/usr/bin/chromium')) {
      log(`no Chromium at /usr/bin/chromium; open ${harnessUrl} in a browser`);
    } else if (noDisplay()) {
      log(`no display here (DISPLAY and WAYLAND_DISPLAY are unset), so no browser window can open.`);
      log(`open ${harnessUrl} in a browser on this machine, or from another one through an SSH tunnel: ssh -L ${harnessPort}:127.0.0.1:${harnessPort} <this host>`);
    } else {
      const openedAt = Date.now();
      const browser = spawn(
        '/usr/bin/chromium',
        ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dataDir, 'chromium-profile')}`, `--app=${harnessUrl}`],
        { cwd: root, stdio: 'ignore', detached: false },
      );
      browser.on('error', (err) => log(`could not start Chromium (${err.message}); open ${harnessUrl} in a browser`));
      // A window that dies at once (no usable display, a sandbox refusal) is not the app stopping:
      // the server and the harness keep running, reachable at the URL.
      browser.on('exit', (code, signal) => {
        if (shuttingDown) return;
        const early = Date.now() - openedAt < 15_000;
        log(`the Chromium window ${early ? 'could not stay open' : 'was closed'} (${code ?? signal}); the harness keeps running — open ${harnessUrl} in a browser`);
      });
      log(`opening Chromium on ${harnessUrl}`);
    }
    showDemoInfo(harnessUrl);
  }
}
