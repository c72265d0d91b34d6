// Builds the real main/preload bundles into a temp dir and checks what Electron would load:
// which modules they require at run time, and — by running the preload bundle against a fake
// `electron` module — exactly what the page gets as window.salesVault.
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_METHODS } from '../shared/api/desktop-api';
import { bundleElectron } from './bundle-electron.mjs';
import { MemorySecretStore } from '../electron/core/keychain';
import { Vault } from '../electron/core/vault';
import { WORKER_BUNDLE } from '../electron/core/vault/off-thread';
import { grantFor, page, upsert } from '../test/support/vault';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requiredModules = (code: string) => [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();

let outDir: string;
let mainCode: string;
let preloadCode: string;
let workerFile: string;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), 'sv-electron-bundle-'));
  const files = await bundleElectron(outDir);
  expect(files).toEqual({ main: path.join(outDir, 'main.cjs'), preload: path.join(outDir, 'preload.cjs'), worker: path.join(outDir, WORKER_BUNDLE) });
  workerFile = files.worker;
  mainCode = readFileSync(files.main, 'utf8');
  preloadCode = readFileSync(files.preload, 'utf8');
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('main bundle', () => {
  it('is CommonJS that requires only electron, the native modules and Node builtins', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const external = requiredModules(mainCode).filter((id) => !builtins.has(id));
    expect(external.sort()).toEqual(['better-sqlite3-multiple-ciphers', 'electron', 'keytar']);
    expect(mainCode).not.toMatch(/^\s*import\s/m);
    expect(mainCode).not.toMatch(/\bimport\(/);
    expect(() => new vm.Script(mainCode, { filename: 'main.cjs' })).not.toThrow();
  });

  it('registers the hardened window settings and the single IPC channel', () => {
    for (const needle of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'webSecurity: true', 'webviewTag: false', '"sv:call"', 'requestSingleInstanceLock', 'setWindowOpenHandler', 'setPermissionRequestHandler']) {
      expect(mainCode).toContain(needle);
    }
  });
});

describe('import worker bundle', () => {
  it('requires only the SQLCipher module and Node builtins, and imports a first sync into a real vault', async () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect(requiredModules(readFileSync(workerFile, 'utf8')).filter((id) => !builtins.has(id))).toEqual(['better-sqlite3-multiple-ciphers']);

    // The worker evaluated from the bundle, as main.cjs runs it (vault/off-thread.ts), with the
    // native module found beside the bundle as in the packaged app.
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(outDir, 'node_modules'));
    const vault = await Vault.create(path.join(outDir, 'vault.db'), new MemorySecretStore());
    try {
      const importer = vault.openImporter({ bundle: workerFile });
      const stages: string[] = [];
      const customers = Array.from({ length: 250 }, (_, i) => upsert('customer', { id: `c${i}`, name: `客户${i}`, ownerId: 'u-rep', tags: [] }, ['o:u-rep']));
      expect(await importer.apply(page({ upserts: customers, cursor: 'c1' }), grantFor(), (s) => stages.push(s))).toEqual({ upserted: 250, removed: 0 });
      await importer.close();
      expect(stages).toEqual(['indexes', 'search']);
      expect(vault.recordCounts().customer).toBe(250);
      expect(vault.getMeta('cursor')).toBe('c1');
    } finally {
      vault.close();
    }
  });
});

describe('preload bundle', () => {
  it('requires nothing but electron (a sandboxed preload cannot load anything else)', () => {
    expect(requiredModules(preloadCode)).toEqual(['electron']);
  });

  it('exposes exactly the DesktopApi over sv:call, and never the IPC event', async () => {
    const exposed: Record<string, unknown> = {};
    const invocations: unknown[][] = [];
    const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
    const fakeElectron = {
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => {
          exposed[key] = api;
        },
      },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          invocations.push(args);
          return { ok: true, value: 'answer' };
        },
        on: (channel: string, fn: (...args: unknown[]) => void) => listeners.set(channel, [...(listeners.get(channel) ?? []), fn]),
        removeListener: (channel: string, fn: (...args: unknown[]) => void) =>
          listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== fn)),
      },
    };
    const module = { exports: {} };
    const sandboxRequire = (id: string) => {
      if (id !== 'electron') throw new Error(`preload tried to require ${id}`);
      return fakeElectron;
    };
    vm.runInNewContext(preloadCode, { require: sandboxRequire, module, exports: module.exports, console });

    expect(Object.keys(exposed)).toEqual(['salesVault']);
    const api = exposed.salesVault as Record<string, (...args: unknown[]) => unknown>;
    expect(Object.keys(api).sort()).toEqual([...DESKTOP_METHODS, 'onStateChange'].sort());
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);

    expect(await api.getCustomer!({ id: 'c1' })).toEqual({ ok: true, value: 'answer' });
    await api.getState!();
    expect(invocations).toEqual([
      ['sv:call', 'getCustomer', { id: 'c1' }],
      ['sv:call', 'getState', undefined],
    ]);

    const received: unknown[][] = [];
    const unsubscribe = api.onStateChange!((...args: unknown[]) => received.push(args)) as () => void;
    const fakeEvent = { sender: { send: () => undefined } };
    for (const fn of listeners.get('sv:state') ?? []) fn(fakeEvent, { phase: 'ready' });
    expect(received).toEqual([[{ phase: 'ready' }]]);
    unsubscribe();
    expect(listeners.get('sv:state')).toEqual([]);
    expect(() => api.onStateChange!('not a function')).toThrow(/needs a function/);
  });
});
