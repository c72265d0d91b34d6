// The specs' fixtures:
//   server    the one real permission server of this run (started by the global setup), with
//             stop()/start() on the same port and read access to its database
//   harnesses a factory of browser harnesses: each is the real app service (SQLCipher vault in
//             its own temp data dir, the REAL OS keychain under a unique service name) serving
//             the built renderer on 127.0.0.1:<ephemeral port>
//   harness   the test's first harness;  app  the page object over `page` opened on it
//   totp      current TOTP codes of the demo users (each time step is accepted once per user)
//   shot      saves a screenshot as a test artifact

import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import keytar from 'keytar';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT, type Clock } from '../../electron/core/contracts';
import { KeytarSecretStore } from '../../electron/core/keychain';
import { startHarness, type Harness } from '../../electron/harness/harness';
import { DEMO_PASSWORD, totpFor } from '../../server/seed/demo';
import { App } from '../pages/App';
import { RENDERER_SNAPSHOT_DIR, SERVER_INFO_FILE, type ServerInfo } from './paths';
import { ServerDb } from './server-db';

const TOTP_STEP_MS = 30_000;

export interface E2eServer {
  url: string;
  port: number;
  db: ServerDb;
  /** Stop listening (and cut every open connection); the database stays. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
}

export interface HarnessHandle {
  harness: Harness;
  url: string;
  dataDir: string;
  keychainService: string;
  /** vault.db, vault.db-wal, vault.db-shm … still in the data dir */
  vaultFiles(): string[];
  /** The secrets this harness's app keeps in the OS keychain, read with keytar directly. */
  keychainEntries(): Promise<{ vaultKey: string | null; deviceKey: string | null }>;
}

export interface Totp {
  /** A code the server will accept now for this demo user (never a step already used). */
  freshCode(username: string): Promise<string>;
}

export interface LaunchOptions {
  /** The app's clock (default the system clock): a spec moves it to reach the lease moments. */
  clock?: Clock;
  /** What the app reports to the server as its version (default 'e2e'), e.g. one below IT's minimum. */
  appVersion?: string;
}

interface Fixtures {
  harnesses: { launch(label: string, options?: LaunchOptions): Promise<HarnessHandle> };
  harness: HarnessHandle;
  app: App;
  totp: Totp;
  shot: (page: Page, name: string) => Promise<void>;
}

function readServerInfo(): ServerInfo {
  if (!existsSync(SERVER_INFO_FILE)) {
    throw new Error(`${SERVER_INFO_FILE} is missing: run the specs through playwright.config.ts (its global setup starts the server)`);
  }
  return JSON.parse(readFileSync(SERVER_INFO_FILE, 'utf8')) as ServerInfo;
}

async function control(info: ServerInfo, action: 'stop' | 'start'): Promise<void> {
  const res = await fetch(`${info.controlUrl}/${action}`, { method: 'POST', headers: { authorization: `Bearer ${info.token}` } });
  if (!res.ok) throw new Error(`server ${action} failed: ${res.status} ${await res.text()}`);
}

export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

export const test = base.extend<Fixtures, { server: E2eServer }>({
  server: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const info = readServerInfo();
      const db = await ServerDb.open(info.dbPath);
      await use({
        url: info.url,
        port: info.port,
        db,
        stop: () => control(info, 'stop'),
        start: () => control(info, 'start'),
      });
      // A spec that failed while the server was down must not leave it down for the next one.
      await control(info, 'start').catch(() => undefined);
      await db.close();
    },
    { scope: 'worker' },
  ],

  harnesses: async ({ server }, use, testInfo) => {
    const launched: HarnessHandle[] = [];
    await use({
      async launch(label, options = {}) {
        const dataDir = mkdtempSync(join(tmpdir(), `sv-e2e-${label}-`));
        // Everyone's tests share one Secret Service: a service name nobody else uses.
        const keychainService = `SalesVault-e2e-${label}-${process.pid}-${randomUUID().slice(0, 8)}`;
        const harness = await startHarness({
          port: 0,
          dataDir,
          secrets: new KeytarSecretStore(keychainService),
          serverUrl: server.url,
          rendererDir: RENDERER_SNAPSHOT_DIR,
          appVersion: options.appVersion ?? 'e2e',
          clock: options.clock,
          // Reconnect quickly after the offline spec brings the server back.
          service: { eventsMinBackoffMs: 250, syncIntervalMs: 10_000 },
        });
        const handle: HarnessHandle = {
          harness,
          url: harness.url,
          dataDir,
          keychainService,
          vaultFiles: () => (existsSync(dataDir) ? readdirSync(dataDir).filter((f) => f.startsWith('vault.db')) : []),
          keychainEntries: async () => ({
            vaultKey: await keytar.getPassword(keychainService, VAULT_KEY_ACCOUNT),
            deviceKey: await keytar.getPassword(keychainService, DEVICE_KEY_ACCOUNT),
          }),
        };
        launched.push(handle);
        return handle;
      },
    });
    for (const h of launched) {
      // Sign out as a person would (best effort): the server retires the device, so the demo
      // users' device limits are not used up by earlier specs or reruns.
      await h.harness.service.signOut().catch(() => undefined);
      await h.harness.close().catch((err: unknown) => testInfo.annotations.push({ type: 'cleanup', description: String(err) }));
      await keytar.deletePassword(h.keychainService, VAULT_KEY_ACCOUNT).catch(() => false);
      await keytar.deletePassword(h.keychainService, DEVICE_KEY_ACCOUNT).catch(() => false);
      rmSync(h.dataDir, { recursive: true, force: true });
    }
  },

  harness: async ({ harnesses }, use, testInfo) => {
    await use(await harnesses.launch(`t${testInfo.testId.slice(0, 8)}`));
  },

  app: async ({ page, harness }, use) => {
    await page.goto(harness.url);
    await use(new App(page));
  },

  totp: async ({ server }, use) => {
    await use({
      async freshCode(username) {
        // The server accepts the current step ±1, each step once per user: take the first step
        // not used yet, waiting when even the next one is (several sign-ins within 30 s).
        const last = await server.db.lastTotpStep(username);
        let nowStep = Math.floor(Date.now() / TOTP_STEP_MS);
        const step = last !== null && last >= nowStep ? last + 1 : nowStep;
        while (step > nowStep + 1) {
          await new Promise((r) => setTimeout(r, (nowStep + 1) * TOTP_STEP_MS - Date.now() + 200));
          nowStep = Math.floor(Date.now() / TOTP_STEP_MS);
        }
        return totpFor(username, step * TOTP_STEP_MS + 1_000);
      },
    });
  },

  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  shot: async ({}, use, testInfo) => {
    await use((page, name) => saveScreenshot(page, testInfo, name));
  },
});

export { expect };

/**
 * A demo user signs in the way a person does: server, username, password, then the TOTP code;
 * resolves when the first sync finished and the app shell is shown. Users with customer data land
 * on the home page; unless `landing: 'home'` is asked for, the spec then starts on the customer
 * list, where the specs written before the home page existed begin (e2e/follow-ups.spec.ts checks
 * the landing page itself).
 */
export async function signInAs(app: App, opts: { serverUrl: string; username: string; totp: Totp; landing?: 'home' | 'customers' }): Promise<void> {
  await app.signIn.enterPassword({ serverUrl: opts.serverUrl, username: opts.username, password: DEMO_PASSWORD });
  await app.signIn.enterCode(await opts.totp.freshCode(opts.username));
  await app.shell.expectReady();
  if (opts.landing !== 'home' && (await app.shell.navItem('home').count()) > 0) await app.shell.open('customers');
}
