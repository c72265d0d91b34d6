// Electron main process: one window, the renderer served from app://salesvault/, and one IPC
// channel into the app service (the client core). Thin on purpose: every decision lives in
// ./security and ./ipc-dispatch (tested under Node) or in the core itself.
//
// Environment (used by end-to-end tests and by anyone running two profiles side by side):
//   SV_DATA_DIR    directory of the vault and local state (default: <userData>/vault). The
//                  Chromium profile then goes to a temp dir derived from it — outside the data
//                  dir, which then holds only the vault's own files — so each data dir is its
//                  own single-instance scope
//   SV_SERVER_URL  the server pre-filled on the sign-in screen
//   SV_KEYCHAIN_SERVICE  the OS keychain service name (default 'SalesVault'); parallel test
//                  runs each use their own so they never share keys
//   SALESVAULT_UPDATE_URL  the company's update feed (https), overriding update-feed.json and the
//                  build's publish URL (docs/app-versions.md)

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, Menu, Notification, app, ipcMain, net, protocol, session, shell } from 'electron';
import type { WebContents } from 'electron';
import { createAppService, type AppService } from '../core/app-service';
import type { Updater } from '../core/contracts';
import { KeytarSecretStore } from '../core/keychain';
import { resolveUpdateFeed } from '../core/updater/feed';
import { unavailableUpdater } from '../core/updater/unavailable';
import type { AppState } from '../../shared/api/desktop-api';
import { IPC_CALL_CHANNEL, IPC_STATE_CHANNEL } from '../../shared/api/ipc-channels';
import { createIpcCallHandler, createIpcDispatch } from './ipc-dispatch';
import { electronUpdater } from './updater';
import {
  APP_ENTRY_URL,
  APP_HOST,
  APP_RESPONSE_HEADERS,
  APP_SCHEME,
  applicationMenuFor,
  contentTypeFor,
  debugSwitchesIn,
  devToolsAllowed,
  isExternalWebLink,
  resolveAppPath,
} from './security';


/** The OS keychain service name every SalesVault secret is filed under (see SV_KEYCHAIN_SERVICE). */
const KEYCHAIN_SERVICE = 'SalesVault';
/** A hung close (e.g. a keychain prompt nobody answers) must not keep the app from quitting. */
const SHUTDOWN_GRACE_MS = 5_000;

// The bundle is dist-electron/main.cjs; the renderer build sits beside it in dist/renderer
// (same layout inside app.asar).
const RENDERER_DIR = path.join(__dirname, '..', 'dist', 'renderer');
const PRELOAD_PATH = path.join(__dirname, 'preload.cjs');

const explicitDataDir = process.env.SV_DATA_DIR?.trim() ? path.resolve(process.env.SV_DATA_DIR.trim()) : null;
if (explicitDataDir) {
  const profileId = createHash('sha256').update(explicitDataDir).digest('hex').slice(0, 16);
  app.setPath('userData', path.join(os.tmpdir(), `salesvault-chromium-${profileId}`));
}
const dataDir = explicitDataDir ?? path.join(app.getPath('userData'), 'vault');

// Must run before 'ready': app:// behaves like https (standard origin, secure context, fetch).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
// Every renderer is sandboxed, including any that a bug might create.
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;

function log(message: string, error?: unknown): void {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : error === undefined ? '' : String(error);
  process.stderr.write(`[salesvault] ${message}${detail ? ` — ${detail}` : ''}\n`);
}

// The packaged app never runs with a debugger attached to it (see debugSwitchesIn).
const refusedSwitches = app.isPackaged ? debugSwitchesIn(process.argv) : [];
if (refusedSwitches.length > 0) {
  log(`refusing to start with debugging switches: ${refusedSwitches.join(' ')}`);
  app.exit(1);
} else if (!app.requestSingleInstanceLock()) {
  // Two processes on one vault would fight over the SQLCipher file and the outbox.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  hardenAllWebContents();
  const servicePromise = startService();
  registerIpc(servicePromise);
  app
    .whenReady()
    .then(() => {
      hardenSession();
      applyApplicationMenu();
      serveRenderer();
      createMainWindow();
    })
    .catch((error: unknown) => {
      log('startup failed', error);
      app.exit(1);
    });
  app.on('window-all-closed', () => app.quit());
  installShutdown(servicePromise);
}

function readIfExists(file: string): string | null {
  try {
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  } catch {
    return null;
  }
}

/** The packaged app updates itself from the configured feed; a development build does not. */
async function createUpdater(): Promise<Updater> {
  if (!app.isPackaged) return unavailableUpdater('a development build does not update itself');
  try {
    // Electron sets resourcesPath (beside app.asar): update-feed.json and the build's app-update.yml live there.
    const resources = typeof process.resourcesPath === 'string' ? process.resourcesPath : null;
    const read = (name: string) => (resources ? readIfExists(path.join(resources, name)) : null);
    const feed = resolveUpdateFeed({
      env: process.env.SALESVAULT_UPDATE_URL,
      feedFile: read('update-feed.json'),
      builtIn: /^url:\s*['"]?([^'"\s]+)/m.exec(read('app-update.yml') ?? '')?.[1] ?? null,
    });
    if (!feed.ok) {
      log(feed.problem);
      return unavailableUpdater(feed.problem);
    }
    const { autoUpdater } = await import('electron-updater');
    // The build's own feed is already electron-updater's default (app-update.yml).
    return electronUpdater(autoUpdater, feed.source === 'build' ? null : feed.url, log);
  } catch (error) {
    log('the updater could not be set up', error);
    return unavailableUpdater('the updater could not be set up');
  }
}

function startService(): Promise<AppService> {
  const promise: Promise<AppService> = createUpdater().then((updater) => createAppService({
    dataDir,
    secrets: new KeytarSecretStore(process.env.SV_KEYCHAIN_SERVICE?.trim() || KEYCHAIN_SERVICE),
    appVersion: app.getVersion(),
    defaultServerUrl: process.env.SV_SERVER_URL?.trim() || undefined,
    // Single sign-on runs in the system browser, never in a window of the app.
    openExternal: (url: string) => shell.openExternal(url),
    // Follow-up reminders as desktop notifications (no customer data in them: electron/core/reminders.ts).
    notifier: Notification.isSupported()
      ? {
          show: (notice) => {
            const shown = new Notification({ title: notice.title, body: notice.body });
            shown.on('click', () => {
              if (mainWindow && !mainWindow.isDestroyed()) mainWindow.show();
            });
            shown.show();
          },
        }
      : undefined,
    updater,
  })).then((created: AppService) => {
    created.onStateChange((state: AppState) => pushState(state));
    return created;
  });
  promise.catch((error: unknown) => log('the app service failed to start', error));
  return promise;
}

function pushState(state: AppState): void {
  const contents = mainWindow?.webContents;
  if (contents && !contents.isDestroyed()) contents.send(IPC_STATE_CHANNEL, state);
}

function registerIpc(servicePromise: Promise<AppService>): void {
  const dispatch = createIpcDispatch(
    () => servicePromise,
    (method, error) => log(`IPC ${method} failed`, error),
  );
  const handleCall = createIpcCallHandler(
    dispatch,
    () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.id : null),
    (frameUrl) => log(`refused IPC from an untrusted sender (${frameUrl ?? 'no frame'})`),
  );
  ipcMain.handle(IPC_CALL_CHANNEL, (event, method: unknown, input: unknown) => handleCall(event, method, input));
}

/** Serves dist/renderer under app://salesvault/ with the CSP on every response. */
function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const resolved = resolveAppPath(RENDERER_DIR, request.url);
    if (!resolved.ok) {
      log(`refused ${request.url}: ${resolved.reason}`);
      return new Response(resolved.reason, { status: resolved.status, headers: APP_RESPONSE_HEADERS });
    }
    let file: Response;
    try {
      file = await net.fetch(pathToFileURL(resolved.filePath).toString());
    } catch {
      return new Response('not found', { status: 404, headers: APP_RESPONSE_HEADERS });
    }
    const headers = new Headers(file.headers);
    const contentType = contentTypeFor(resolved.filePath);
    if (contentType) headers.set('content-type', contentType);
    for (const [name, value] of Object.entries(APP_RESPONSE_HEADERS)) headers.set(name, value);
    return new Response(file.body, { status: file.status, statusText: file.statusText, headers });
  });
}

/** Session-wide refusals: no permissions, no remote content. */
function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // Pages talk only to the main process over IPC; they never load anything from the network.
  // Only requests made by a page are cancelled: the core's sync traffic is the main process's.
  ses.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (details, callback) =>
    callback({ cancel: details.webContentsId !== undefined }),
  );
}

/** The packaged app has no View menu, no reload and no DevTools entry (see applicationMenuFor). */
function applyApplicationMenu(): void {
  const menu = applicationMenuFor(process.platform, app.isPackaged, app.getName());
  if (menu.kind === 'none') Menu.setApplicationMenu(null);
  else if (menu.kind === 'template') Menu.setApplicationMenu(Menu.buildFromTemplate(menu.template as Parameters<typeof Menu.buildFromTemplate>[0]));
}

/** Applied to every webContents ever created, not just the main window's. */
function hardenAllWebContents(): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    // Belt and braces for the packaged app: webPreferences.devTools is false, and should
    // DevTools open anyway they are closed at once.
    if (!devToolsAllowed(app.isPackaged)) contents.on('devtools-opened', () => contents.closeDevTools());
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // https links open in the OS browser; nothing ever opens inside the app.
      if (isExternalWebLink(url)) {
        shell.openExternal(url).catch((error: unknown) => log('could not open an external link', error));
      }
      return { action: 'deny' };
    });
  });
}

function createMainWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'SalesVault',
    webPreferences: {
      preload: PRELOAD_PATH,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: devToolsAllowed(app.isPackaged),
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  // The page may load before the service is ready: its first getState call waits for it.
  mainWindow.loadURL(APP_ENTRY_URL).catch((error: unknown) => log(`could not load ${APP_HOST}`, error));
}

/** Close the vault cleanly before exiting (WAL checkpoint, pending writes). */
function installShutdown(servicePromise: Promise<AppService>): void {
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    const closed = servicePromise.then((created) => created.close());
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    Promise.race([closed, deadline])
      .catch((error: unknown) => log('closing the app service failed', error))
      .finally(() => app.exit(0));
  });
}
