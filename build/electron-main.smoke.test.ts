// Runs the real dist-electron/main.cjs bundle under Node against a recording fake of the
// `electron` module (the Electron binary cannot run here). The core inside the bundle is real:
// an actual app service on a temp data dir answers the IPC calls.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleElectron } from './bundle-electron.mjs';

type Handler = (...args: unknown[]) => unknown;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

class Emitter {
  readonly handlers = new Map<string, Handler[]>();
  on(event: string, fn: Handler) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  once(event: string, fn: Handler) {
    return this.on(event, fn);
  }
  emit(event: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
}

function fakeElectron(defaultUserData: string) {
  const paths: Record<string, string> = { userData: defaultUserData };
  const app = Object.assign(new Emitter(), {
    setPath: (name: string, value: string) => void (paths[name] = value),
    getPath: (name: string) => paths[name] ?? os.tmpdir(),
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => true),
    quit: vi.fn(),
    exit: vi.fn(),
    whenReady: () => Promise.resolve(),
    getVersion: () => '0.1.0',
    getName: () => 'SalesVault',
    // The shipped app: DevTools, the default menu and http links must all be closed.
    isPackaged: true,
  });
  const windows: { options: { webPreferences: Record<string, unknown> }; loaded: string[]; sent: unknown[][] }[] = [];
  class BrowserWindow extends Emitter {
    readonly webContents;
    readonly loaded: string[] = [];
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      const sent: unknown[][] = [];
      this.webContents = { id: 41, isDestroyed: () => false, send: (...args: unknown[]) => sent.push(args) };
      windows.push({ options, loaded: this.loaded, sent });
    }
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
    isDestroyed = () => false;
    isMinimized = () => false;
    restore() {}
    focus() {}
    show() {}
  }
  const protocolHandlers = new Map<string, Handler>();
  const ipcHandlers = new Map<string, Handler>();
  const session = {
    permissionRequest: null as Handler | null,
    permissionCheck: null as Handler | null,
    beforeRequest: null as { filter: { urls: string[] }; fn: Handler } | null,
  };
  const electron = {
    app,
    BrowserWindow,
    protocol: {
      registerSchemesAsPrivileged: vi.fn(),
      handle: (scheme: string, fn: Handler) => protocolHandlers.set(scheme, fn),
    },
    // Electron's net.fetch of a file URL: the file, or a rejection when it does not exist.
    net: {
      fetch: async (url: string) => new Response(readFileSync(fileURLToPath(url)), { headers: { 'content-type': 'text/plain' } }),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Handler) => (session.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Handler) => (session.permissionCheck = fn),
        webRequest: { onBeforeRequest: (filter: { urls: string[] }, fn: Handler) => (session.beforeRequest = { filter, fn }) },
      },
    },
    shell: { openExternal: vi.fn(() => Promise.resolve()) },
    // Follow-up reminders (electron/core/reminders.ts): no notification is due in this smoke run.
    Notification: Object.assign(
      class extends Emitter {
        show() {}
      },
      { isSupported: () => true },
    ),
    Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((template: unknown) => ({ template })) },
    ipcMain: { handle: (channel: string, fn: Handler) => ipcHandlers.set(channel, fn) },
  };
  return { electron, app, windows, protocolHandlers, ipcHandlers, session, paths };
}

let root: string;
let fake: ReturnType<typeof fakeElectron>;
const savedEnv = { ...process.env };
const TRUSTED = { senderFrame: { url: 'app://salesvault/index.html' }, sender: { id: 41 } };

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'sv-main-smoke-'));
  const { main } = await bundleElectron(path.join(root, 'dist-electron'));
  // The layout the bundle expects: dist/renderer beside dist-electron; a secret outside it.
  mkdirSync(path.join(root, 'dist', 'renderer', 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'dist', 'renderer', 'index.html'), '<!doctype html><title>SalesVault</title>');
  writeFileSync(path.join(root, 'dist', 'renderer', 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'secret.txt'), 'TOP SECRET');

  process.env.SV_DATA_DIR = path.join(root, 'data');
  process.env.SV_SERVER_URL = 'http://127.0.0.1:9';
  process.env.SV_KEYCHAIN_SERVICE = `sv-main-smoke-${randomUUID()}`;
  fake = fakeElectron(path.join(root, 'default-user-data'));
  const realRequire = createRequire(path.join(repoRoot, 'package.json'));
  const sandboxRequire = (id: string) => (id === 'electron' ? fake.electron : realRequire(id));
  const module = { exports: {} };
  const run = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${readFileSync(main, 'utf8')}\n})`, {
    filename: pathToFileURL(main).toString(),
  }) as Handler;
  run(module.exports, sandboxRequire, module, main, path.dirname(main));
  await vi.waitFor(() => expect(fake.windows).toHaveLength(1));
});

afterAll(async () => {
  // Shut the service down the way Electron would, then clean up.
  const exited = fake?.app.exit;
  fake?.app.emit('before-quit', { preventDefault: () => undefined });
  if (exited) await vi.waitFor(() => expect(exited).toHaveBeenCalled(), { timeout: 10_000 });
  process.env = savedEnv;
  rmSync(root, { recursive: true, force: true });
});

describe('main.cjs startup', () => {
  it('registers app:// as a privileged scheme, sandboxes renderers and takes the single-instance lock', () => {
    expect(fake.electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(fake.app.enableSandbox).toHaveBeenCalled();
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalled();
    // SV_DATA_DIR gives each data dir its own Chromium profile (and so its own instance lock), outside the data dir.
    expect(fake.paths.userData).toMatch(/salesvault-chromium-[0-9a-f]{16}$/);
    expect(fake.paths.userData.startsWith(path.join(root, 'data'))).toBe(false);
  });

  it('opens one hardened window on app://salesvault/ with the bundled preload', () => {
    const [win] = fake.windows;
    expect(win!.loaded).toEqual(['app://salesvault/index.html']);
    expect(win!.options.webPreferences).toMatchObject({
      preload: path.join(root, 'dist-electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      devTools: false,
    });
  });

  it('installs no default menu (none at all on this platform, a minimal one on macOS)', () => {
    if (process.platform === 'darwin') {
      const [template] = fake.electron.Menu.buildFromTemplate.mock.calls.at(-1) as [unknown];
      expect(JSON.stringify(template)).not.toMatch(/toggleDevTools|viewMenu|reload/i);
    } else {
      expect(fake.electron.Menu.setApplicationMenu).toHaveBeenCalledWith(null);
    }
    expect(fake.electron.Menu.setApplicationMenu).toHaveBeenCalledTimes(1);
  });
});

describe('app:// protocol', () => {
  const get = async (url: string) => (await fake.protocolHandlers.get('app')!({ url })) as Response;

  it('serves renderer files with the CSP on every response', async () => {
    for (const url of ['app://salesvault/', 'app://salesvault/index.html', 'app://salesvault/assets/app.js']) {
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(await (await get('app://salesvault/')).text()).toContain('<title>SalesVault</title>');
    expect((await get('app://salesvault/assets/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('refuses traversal and foreign hosts, and 404s missing files — all with the CSP', async () => {
    for (const [url, status] of [
      ['app://salesvault/../secret.txt', 403],
      ['app://salesvault/%2e%2e/secret.txt', 403],
      ['app://other/index.html', 403],
      ['app://salesvault/missing.js', 404],
    ] as const) {
      const response = await get(url);
      expect([url, response.status]).toEqual([url, status]);
      expect(await response.text()).not.toContain('TOP SECRET');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });
});

describe('session and web contents hardening', () => {
  it('denies every permission and cancels network requests made by pages', () => {
    const callback = vi.fn();
    fake.session.permissionRequest!({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(fake.session.permissionCheck!({}, 'notifications')).toBe(false);
    const cancel = vi.fn();
    fake.session.beforeRequest!.fn({ url: 'https://tracker.example/x', webContentsId: 41 }, cancel);
    expect(cancel).toHaveBeenCalledWith({ cancel: true });
    const mainProcess = vi.fn();
    fake.session.beforeRequest!.fn({ url: 'https://server.example/v1/sync' }, mainProcess);
    expect(mainProcess).toHaveBeenCalledWith({ cancel: false });
  });

  it('blocks navigation, redirects and webviews, and sends only https links to the OS browser', () => {
    const contents = Object.assign(new Emitter(), {
      openHandler: null as Handler | null,
      setWindowOpenHandler(fn: Handler) {
        this.openHandler = fn;
      },
      closeDevTools: vi.fn(),
    });
    fake.app.emit('web-contents-created', {}, contents);
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn();
      contents.emit(event, { preventDefault });
      expect([event, preventDefault.mock.calls.length]).toEqual([event, 1]);
    }
    expect(contents.openHandler!({ url: 'https://docs.example/help' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'http://docs.example/help' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'mailto:it@example.com' })).toEqual({ action: 'deny' });
    expect(fake.electron.shell.openExternal.mock.calls).toEqual([['https://docs.example/help']]);
    // DevTools opened by any means in the packaged app are closed at once.
    contents.emit('devtools-opened');
    expect(contents.closeDevTools).toHaveBeenCalledTimes(1);
  });
});

describe('IPC sv:call into the real app service', () => {
  const call = (event: unknown, method: unknown, input?: unknown) => fake.ipcHandlers.get('sv:call')!(event, method, input) as Promise<unknown>;

  it('answers our window with a Result from the service', async () => {
    const result = (await call(TRUSTED, 'getState')) as { ok: boolean; value: { phase: string; serverUrl: string | null } };
    expect(result).toMatchObject({ ok: true, value: { phase: 'signed-out' } });
  });

  it('refuses a foreign sender, an unknown method and invalid input', async () => {
    expect(await call({ senderFrame: { url: 'https://evil.example/' }, sender: { id: 41 } }, 'getState')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call({ senderFrame: { url: 'app://salesvault/index.html' }, sender: { id: 7 } }, 'getState')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(TRUSTED, 'eval', 'x')).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await call(TRUSTED, 'getCustomer', { id: '../../x' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('pushes state changes to the window on sv:state', async () => {
    const result = await call(TRUSTED, 'setLocale', { locale: 'zh-CN' });
    expect(result).toMatchObject({ ok: true, value: { locale: 'zh-CN' } });
    await vi.waitFor(() => expect(fake.windows[0]!.sent.some(([channel, state]) => channel === 'sv:state' && (state as { locale: string }).locale === 'zh-CN')).toBe(true));
  });
});
