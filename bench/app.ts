// The "app" stage: figures a person at the keyboard feels, through the real UI in Chromium on
// the browser harness (the app service in its own process, as the Electron main process would
// be, real SQLCipher vault and OS keychain) against the benchmark's server:
//  - the longest wait of a UI call during the first sync: the page calls getState every ~50 ms
//    from sign-in until the app is ready and records each call's latency (goal ≤ 100 ms);
//  - from the last record (the server sends the pull page that says nothing more follows) to a
//    usable customer list (its first rows in the page);
//  - the customer list's 200-row pages by keyset: the last of up to 500 pages against the first
//    (goal within 2×);
//  - opening a customer with 2,000 activities, click to first paint of its detail (goal ≤ 200 ms).
// Timings inside the page use the page's own clock; the last-record moment is the server's
// Date.now() (same machine).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT, VAULT_MARK_ACCOUNT } from '../electron/core/contracts';
import { KeytarSecretStore } from '../electron/core/keychain';
import { zhCN as ui } from '../renderer/i18n/zh-CN';
import { createRecord, inRecordTransaction } from '../server/records/repository';
import { DEMO_PASSWORD, totpFor } from '../server/seed/demo';
import { customerId, MANAGER } from './dataset';
import { percentile, progress, type Figures } from './report';
import type { BenchServer } from './server';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BUSY_CUSTOMER_ACTIVITIES = 2_000;
const LIST_PAGE = 200;
const LIST_PAGES = 500;

/** An antd button's accessible name: it spaces out a two-character CJK label ("登 录"). */
const buttonName = (label: string) => new RegExp(`^${[...label].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s?')}$`);

/** What the page's poller collected (window.__svBench). */
interface PollResult {
  latencies: number[];
  readyAt: number | null;
  listAt: number | null;
  stages: string[];
  error: string | null;
}

function startHarness(serverUrl: string, dataDir: string, keychainService: string, nodeArgs: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', 'electron/harness/cli.ts', '--port', '0', '--data', dataDir, '--server', serverUrl, '--keychain-service', keychainService],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
  );
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`the harness did not start:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ url: match[1] as string, child });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the harness exited (${code}):\n${output}`));
    });
  });
}

/** A customer in the manager's scope gets 2,000 activities (the server's own write path, change log included). */
async function addBusyCustomer(srv: BenchServer): Promise<{ id: string; name: string }> {
  const id = customerId(1);
  const row = await srv.database.db.selectFrom('customers').select(['name', 'owner_id']).where('id', '=', id).executeTakeFirstOrThrow();
  const now = Date.now();
  await inRecordTransaction({ db: srv.database.db, dialect: srv.database.dialect }, async (trx) => {
    for (let i = 0; i < BUSY_CUSTOMER_ACTIVITIES; i++) {
      await createRecord(trx, {
        entity: 'activity', id: `ac-busy-${i}`, actorId: null, now,
        fields: { customerId: id, kind: i % 2 ? 'call' : 'visit', at: now - i * 3_600_000, authorId: row.owner_id, text: `拜访记录 ${i}` },
      });
    }
  });
  return { id, name: row.name };
}

/** How long the page may take, once the app is ready, to show the navigation item or the list's first rows. */
const AFTER_READY_TIMEOUT_MS = 60_000;

/** Installed before the first sync starts: getState every ~50 ms until ready, then open the list. */
async function installPoller(page: Page, labels: { mainNav: string; nav: string; list: string; timeoutMs: number }): Promise<void> {
  await page.evaluate(({ mainNav, nav, list, timeoutMs }) => {
    const result = { latencies: [] as number[], readyAt: null as number | null, listAt: null as number | null, stages: [] as string[], error: null as string | null };
    (window as unknown as { __svBench: typeof result }).__svBench = result;
    const call = (window as unknown as { __svApi(method: string, input?: unknown): Promise<{ ok: boolean; value?: { phase: string; progress: { stage?: string } | null } }> }).__svApi;
    const api = { getState: () => call('getState') };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
    void (async () => {
      try {
        for (;;) {
          const t0 = performance.now();
          const state = await api.getState();
          result.latencies.push(performance.now() - t0);
          const stage = state.value?.progress?.stage;
          if (stage && result.stages[result.stages.length - 1] !== stage) result.stages.push(stage);
          if (state.ok && state.value?.phase === 'ready') break;
          if (state.ok && state.value && ['locked', 'revoked', 'wiped'].includes(state.value.phase)) throw new Error(`the app went to the phase "${state.value.phase}" instead of ready`);
          await sleep(50);
        }
        result.readyAt = Date.now();
        const deadline = performance.now() + timeoutMs;
        const waitFor = async <T,>(what: string, find: () => T | null | undefined): Promise<T> => {
          for (;;) {
            const found = find();
            if (found) return found;
            if (performance.now() > deadline) {
              const shown = document.body.innerText.replace(/\s+/g, ' ').slice(0, 200);
              throw new Error(`${what} not shown ${timeoutMs / 1000} s after the app was ready; the page shows: ${shown}`);
            }
            await frame();
          }
        };
        // Open the customer list as a person would, and wait for its first rows to be on screen.
        // The shell's navigation is a <nav> landmark (implicit role, no role attribute) named by
        // its aria-label; its entries are antd menu items.
        const item = await waitFor(`the navigation item "${nav}"`, () =>
          [...document.querySelectorAll(`nav[aria-label="${mainNav}"] [role="menuitem"]`)].find((el) => el.textContent?.trim() === nav) as HTMLElement | undefined);
        item.click();
        await waitFor(`a row of the list "${list}"`, () => document.querySelector(`[role="listbox"][aria-label="${list}"] [role="option"]`));
        await frame();
        result.listAt = Date.now();
      } catch (err) {
        result.error = String(err);
      }
    })();
  }, labels);
}

/** The newest modification time of the files under a directory (or of the file). */
function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** dist/renderer is missing or older than a source it is built from: a stale build would measure a UI that no longer exists. */
function rendererBuildStale(): boolean {
  const built = join(ROOT, 'dist/renderer/index.html');
  if (!existsSync(built)) return true;
  const sources = ['renderer', 'shared', 'vite.config.ts'].map((p) => newestMtime(join(ROOT, p)));
  return Math.max(...sources) > statSync(built).mtimeMs;
}

/**
 * Measures the app stage. It adds records to the manager's scope (the busy customer's
 * activities) and reports how many through onRecordsAdded as soon as they are written, so a
 * first sync after it knows what the scope holds even if the stage fails later.
 */
export async function recordApp(figures: Figures, opts: { srv: BenchServer; workDir: string; keychainService: string | null; cpuProfDir?: string | undefined; onRecordsAdded(count: number): void }): Promise<void> {
  const { srv } = opts;
  if (!opts.keychainService) throw new Error('the app stage needs the OS keychain (the harness keeps the vault key there)');
  if (rendererBuildStale()) {
    progress('app: building the renderer (vite build → dist/renderer; missing or older than its sources)');
    const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('vite build failed');
  }
  const busy = await addBusyCustomer(srv);
  opts.onRecordsAdded(BUSY_CUSTOMER_ACTIVITIES);
  const dataDir = join(opts.workDir, 'app-harness');
  mkdirSync(dataDir, { recursive: true });
  const keychainService = `${opts.keychainService}-app`;
  // --cpu-prof: the harness (the process answering the UI, and its import worker) is profiled too.
  const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const { url, child } = await startHarness(srv.baseUrl, dataDir, keychainService, nodeArgs);
  const browser = await chromium.launch({
    executablePath: process.env.SV_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
    // The functions handed to page.evaluate are compiled by tsx, which names them with a helper
    // the page does not have.
    await context.addInitScript('window.__name = (fn) => fn;');
    // The page's own transport to the harness (renderer/api/harness-client.ts), for the calls the
    // stage makes itself: the same HTTP path every UI call takes.
    await context.addInitScript(`window.__svApi = (method, input) => fetch(location.origin + '/__harness/api/' + method, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) }).then((r) => r.json());`);
    const page = await context.newPage();
    try {
      await drive(page);
    } catch (err) {
      // What the page showed when it failed, for whoever reads the stage's failure.
      const shot = join(tmpdir(), `sv-bench-app-failure-${process.pid}.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      throw new Error(`${err instanceof Error ? err.message.split('\n')[0] : String(err)} (screenshot: ${shot})`);
    }
    await context.close();
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    const store = new KeytarSecretStore(keychainService, 3_000);
    for (const account of [VAULT_KEY_ACCOUNT, DEVICE_KEY_ACCOUNT, VAULT_MARK_ACCOUNT]) await store.delete(account).catch(() => false);
    rmSync(dataDir, { recursive: true, force: true });
  }

  async function drive(page: Page): Promise<void> {
    await page.goto(url);
    await page.getByLabel(ui.signIn.serverUrl).fill(srv.baseUrl);
    await page.getByLabel(ui.signIn.username).fill(MANAGER.username);
    await page.getByLabel(ui.signIn.password).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: buttonName(ui.signIn.submit) }).click();
    await page.getByLabel(ui.signIn.mfaCode).waitFor();

    // ---- the first sync, with the UI calling all along --------------------------------------
    await installPoller(page, { mainNav: ui.shell.mainNav, nav: ui.nav.customers, list: ui.customers.listLabel, timeoutMs: AFTER_READY_TIMEOUT_MS });
    progress('app: signing in; the first sync runs while the page polls getState every ~50 ms');
    await page.getByLabel(ui.signIn.mfaCode).fill(totpFor(MANAGER.username));
    await page.getByRole('button', { name: buttonName(ui.signIn.verify) }).click();
    await page.waitForFunction(() => {
      const r = (window as unknown as { __svBench?: PollResult }).__svBench;
      return Boolean(r && (r.listAt !== null || r.error !== null));
    }, undefined, { timeout: 15 * 60_000, polling: 500 });
    const poll = await page.evaluate(() => (window as unknown as { __svBench: PollResult }).__svBench);
    if (poll.error) throw new Error(`the page's poller failed: ${poll.error}`);
    const lastRecordAt = srv.lastFinalPullSentAt;
    if (lastRecordAt === null || poll.listAt === null) throw new Error('no final pull page seen, or the list never showed');
    const lat = [...poll.latencies].sort((a, b) => a - b);
    figures.set('app.longestUiWaitMs', lat[lat.length - 1] ?? Number.NaN, 'ms', `longest getState round trip during the first sync (${lat.length} calls, one every ~50 ms)`, `stages seen: ${poll.stages.join(' → ') || 'none'}`);
    figures.set('app.uiWaitP99Ms', percentile(lat, 99), 'ms', 'getState round trip p99 during the first sync');
    figures.set('app.lastRecordToListMs', poll.listAt - lastRecordAt, 'ms', 'last record sent by the server → first rows of the customer list on screen');

    // ---- keyset paging of the customer list -------------------------------------------------
    const paging = await page.evaluate(async ({ size, pages }) => {
      type Row = { id: string; name: string | null };
      const call = (window as unknown as { __svApi(method: string, input: unknown): Promise<{ ok: boolean; value: { rows: Row[] } }> }).__svApi;
      const api = { searchCustomers: (input: unknown) => call('searchCustomers', input) };
      const times: number[] = [];
      let after: { name: string | null; id: string } | undefined;
      for (let i = 0; i < pages; i++) {
        const t0 = performance.now();
        const res = await api.searchCustomers({ query: '', offset: 0, limit: size, ...(after ? { after } : {}) });
        const ms = performance.now() - t0;
        if (!res.ok) throw new Error(`searchCustomers failed on page ${i + 1}: ${JSON.stringify(res)}`);
        const last = res.value.rows[res.value.rows.length - 1];
        if (!last) break; // past the end: an empty page is not a page of the list
        times.push(ms);
        if (res.value.rows.length < size) break;
        after = { name: last.name, id: last.id };
      }
      return times;
    }, { size: LIST_PAGE, pages: LIST_PAGES });
    const firstMs = paging[0] ?? Number.NaN;
    const lastMs = paging[paging.length - 1] ?? Number.NaN;
    figures.set('app.listFirstPageMs', firstMs, 'ms', `customer list, first ${LIST_PAGE}-row page (counted)`);
    figures.set('app.listLastPageMs', lastMs, 'ms', `customer list, page ${paging.length} of ${LIST_PAGE} rows (keyset)`);
    figures.set('app.listLastVsFirst', lastMs / firstMs, '×', `page ${paging.length} / page 1`, paging.length < LIST_PAGES ? `only ${paging.length} pages at this scale` : undefined);
    figures.set('app.listPages', paging.length, 'pages', `${LIST_PAGE}-row pages read (at most ${LIST_PAGES})`);

    // ---- opening a customer with 2,000 activities --------------------------------------------
    await page.getByRole('searchbox', { name: ui.customers.searchLabel }).fill(busy.name);
    const option = page.getByRole('listbox', { name: ui.customers.listLabel }).getByRole('option').filter({ hasText: busy.name }).first();
    await option.waitFor();
    await option.evaluate((el) => el.setAttribute('data-bench-open', '1'));
    const openMs = await page.evaluate(async (name) => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
      const target = document.querySelector('[data-bench-open="1"]') as HTMLElement;
      const t0 = performance.now();
      target.click();
      while (![...document.querySelectorAll('h1')].some((h) => h.textContent?.includes(name))) await frame();
      await frame(); // the frame that paints it
      return performance.now() - t0;
    }, busy.name);
    figures.set('app.openBusyCustomerMs', openMs, 'ms', `click → first paint of a customer with ${BUSY_CUSTOMER_ACTIVITIES.toLocaleString('en-US')} activities`);
  }
}
