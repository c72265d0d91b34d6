// Pull pages applied off the thread that answers the UI. In Electron that thread is the main
// process: a page import, the index builds at the end of a first sync or a large purge would
// freeze the window for as long as they take. So the sync engine applies pages through a
// PageImporter, opened for one sync run:
//  - a page with heavy work (part of a bulk import — its index builds included —, a field purge,
//    dropped buckets, or more than INLINE_MAX_RECORDS records) goes to the import worker, a
//    worker_threads thread with its own connection to the same SQLCipher file (import-worker.ts),
//    started at the first such page and ended when the run closes the importer. WAL lets the UI's
//    connection keep reading while the worker writes;
//  - a small delta page is applied on the calling thread: starting a thread costs more than it.
// Both call the same pull-apply.ts functions: one transaction per page, with its cursor.
//
// The key crosses to the worker once, in memory (a transferred buffer, zeroed on both sides
// once used); never in workerData, a file, an argument or a log. A worker that dies (or cannot
// start) fails the page it was applying with `import_failed`: its transaction is rolled back
// by SQLite, the sync fails with that error and the next sync resumes from the stored cursor.
//
// Where the worker's code comes from: under Node (tests, the harness, the benchmark) the
// TypeScript entry is loaded through tsx's loader; in the Electron build it is its own bundle
// beside main.cjs (`build/bundle-electron.mjs` → vault-import-worker.cjs), read by the main
// process and evaluated in the worker with a `require` rooted at that file, like the
// integrity check (integrity.ts) evaluates its source.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { GrantClaims } from '../../../shared/protocol/grant';
import type { PullResponse } from '../../../shared/protocol/sync';
import type { VaultDb } from './db';
import { VaultError } from './errors';
import { nextTurn } from '../next-turn';
import type { ImportStage, PageImporter } from '../contracts';
import { applyPullPage, isBulkImport, rememberDirectory } from './pull-apply';
import { deserializeError, type FromWorker, type ToWorker } from './worker-protocol';

/** Pages with at most this many upserts + removals and nothing else heavy are applied inline. */
export const INLINE_MAX_RECORDS = 200;

/**
 * V8 heap limits of the import worker. They bound the client's peak memory during a first sync
 * (the benchmark's `client.peakRssMb`): without them the worker's heap grew to 126–138 MB by the
 * end of a 700k-record first sync (the search-index rebuild) while what it holds alive stays
 * under ~50 MB (a 2,000-record page, a batch of search rows, the pinyin caches) — V8 lets a heap
 * whose limit is the process default (gigabytes) grow far past its live size before collecting.
 * With a 256 MB old generation it collected at 58–71 MB, and a 16 MB young generation keeps the
 * short-lived garbage of each page small; no measurable change in the import's CPU time. 256 MB
 * is still five times the largest live heap measured: a worker over it dies with
 * `import_failed`, which would stop every sync.
 */
export const WORKER_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 } as const;

/** The bundled worker's file name, beside the bundled main (see build/bundle-electron.mjs). */
export const WORKER_BUNDLE = 'vault-import-worker.cjs';

export type PageApplied = { upserted: number; removed: number };

/** Does this page need the worker? */
export function isHeavyPage(db: VaultDb, page: PullResponse): boolean {
  return (
    page.fieldPurges.length > 0 ||
    page.droppedBuckets.length > 0 ||
    page.upserts.length + page.removals.length > INLINE_MAX_RECORDS ||
    isBulkImport(db, page)
  );
}

export interface ImporterOptions {
  /** The vault file and its key (hex, from the keychain). */
  path: string;
  keyHex(): Promise<string | null>;
  /** Run the worker from this bundle file instead of the TypeScript source (the Electron build; tests of the bundle). */
  bundle?: string;
}

/** The importer the sync engine uses for one run over `db` (the UI's connection). */
export function openPageImporter(db: VaultDb, options: ImporterOptions): PageImporter {
  let worker: Promise<ImportWorker> | null = null;
  const applyInline = (page: PullResponse, claims: GrantClaims, onStage?: (stage: ImportStage) => void): PageApplied => {
    rememberDirectory(db, page);
    return applyPullPage(db, page, claims, onStage);
  };
  return {
    async apply(page, claims, onStage) {
      if (!worker && !isHeavyPage(db, page)) return applyInline(page, claims, onStage);
      worker ??= ImportWorker.start(options);
      return (await worker).apply(page, claims, onStage);
    },
    async close() {
      const started = worker;
      worker = null;
      if (started) await (await started.catch(() => null))?.close();
    },
    async kill() {
      await (await worker?.catch(() => null))?.terminate();
    },
  };
}

function importFailed(detail: string): VaultError {
  return new VaultError('import_failed', `The import worker stopped: ${detail}. Nothing applied by it was half-written; the sync resumes from the last saved page.`);
}

/** Where the worker's code comes from, and how it is evaluated (see the header). */
function workerScript(bundle: string | undefined): { source: string; workerData: Record<string, string> } {
  const here = fileURLToPath(import.meta.url);
  const bundleFile = bundle ?? (here.endsWith('.cjs') ? join(dirname(here), WORKER_BUNDLE) : null);
  if (bundleFile) {
    return {
      source: `
const { createRequire } = require('node:module');
const vm = require('node:vm');
const { workerData } = require('node:worker_threads');
const mod = { exports: {} };
const wrapped = vm.runInThisContext('(function (exports, require, module, __filename, __dirname) {' + workerData.code + '\\n})', { filename: workerData.file });
wrapped(mod.exports, createRequire(workerData.file), mod, workerData.file, workerData.dir);
`,
      workerData: { code: readFileSync(bundleFile, 'utf8'), file: bundleFile, dir: dirname(bundleFile) },
    };
  }
  // tsx's CommonJS register hook: the worker then require()s the TypeScript entry.
  const tsxApi = createRequire(import.meta.url).resolve('tsx/cjs/api');
  return {
    source: `
const { workerData } = require('node:worker_threads');
require(workerData.tsx).register();
require(workerData.entry);
`,
    workerData: { tsx: tsxApi, entry: fileURLToPath(new URL('./import-worker.ts', import.meta.url)) },
  };
}

/** One worker thread, one connection, one request at a time (the engine awaits each page). */
class ImportWorker {
  private pending: { resolve(value: FromWorker): void; reject(err: Error): void; onStage?: (stage: ImportStage) => void } | null = null;
  private ended: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'stage') {
        this.pending?.onStage?.(msg.stage);
        return;
      }
      const pending = this.pending;
      this.pending = null;
      pending?.resolve(msg);
    });
    worker.on('error', (err) => this.end(importFailed(err.message)));
    worker.on('exit', (code) => this.end(importFailed(`the thread exited (code ${code})`)));
  }

  private end(err: Error): void {
    this.ended ??= err;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(this.ended);
  }

  static async start(options: ImporterOptions): Promise<ImportWorker> {
    const keyHex = await options.keyHex();
    if (!keyHex || !/^[0-9a-f]{64}$/i.test(keyHex)) throw new VaultError('import_failed', 'The import worker cannot start: the vault key is not available.');
    const { source, workerData } = workerScript(options.bundle);
    let thread: Worker;
    try {
      thread = new Worker(source, { eval: true, workerData, resourceLimits: WORKER_RESOURCE_LIMITS });
    } catch (err) {
      throw importFailed(err instanceof Error ? err.message : String(err));
    }
    // A worker left behind must never keep the app (or a test) alive.
    thread.unref();
    const worker = new ImportWorker(thread);
    const key = new Uint8Array(32);
    for (let i = 0; i < 32; i++) key[i] = parseInt(keyHex.slice(2 * i, 2 * i + 2), 16);
    try {
      // Transferred: this thread's view of the buffer is detached once posted.
      await worker.request({ type: 'open', path: options.path, key }, [key.buffer]);
    } catch (err) {
      if (key.byteLength) key.fill(0); // not transferred (posting failed): zero this copy
      await worker.worker.terminate();
      throw err;
    }
    return worker;
  }

  private request(msg: ToWorker, transfer: ArrayBuffer[] = [], onStage?: (stage: ImportStage) => void): Promise<FromWorker> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.pending) return Promise.reject(new Error('the import worker takes one request at a time'));
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending = { resolve, reject, onStage };
      this.worker.postMessage(msg, transfer);
    }).then((answer) => {
      if (answer.type === 'failed') throw deserializeError(answer.error);
      return answer;
    });
  }

  async apply(page: PullResponse, claims: GrantClaims, onStage?: (stage: ImportStage) => void): Promise<PageApplied> {
    await nextTurn(); // posting copies the whole page: a step of its own on the UI's thread
    const answer = await this.request({ type: 'apply', page, claims }, [], onStage);
    if (answer.type !== 'applied') throw importFailed(`unexpected answer ${answer.type}`);
    return answer.result;
  }

  /** The worker closes its connection and ends; a worker already gone is fine. */
  async close(): Promise<void> {
    if (!this.ended) {
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      await this.request({ type: 'close' }).catch(() => undefined);
      // It ends by itself once its port closes; terminate() if it lingers (the connection is closed by then).
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000).unref())]);
    }
    await this.worker.terminate();
  }

  /** End the thread now, whatever it is doing (its open transaction is rolled back). */
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
