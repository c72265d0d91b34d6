// The integrity check of the whole vault, run right after open on a worker thread: `quick_check`
// walks every b-tree page and the cipher verifies each page's HMAC as it is read, so a damaged
// page anywhere in use is found without waiting for a read to hit it. On the benchmark's vaults
// it takes too long to run on the UI's path at every open (see the "integrity" stage of
// `bench/`), so the app opens at once and the check reports later; damage leads to the repair.
//
// The worker is plain JavaScript (no build step for it), opens its own read-only connection
// with the key passed in memory, and reports only ok / damaged / could-not-check.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export type IntegrityVerdict = { state: 'ok' } | { state: 'damaged'; detail: string } | { state: 'unknown'; detail: string };

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
let db;
try {
  db = new Database(workerData.path, { readonly: true, fileMustExist: true });
  db.pragma("cipher='sqlcipher'");
  db.pragma('legacy=4');
  db.pragma('key="x\\'' + workerData.keyHex + '\\'"');
  db.pragma('cache_size = -16384');
  const rows = db.pragma('quick_check');
  const ok = rows.length === 1 && rows[0].quick_check === 'ok';
  parentPort.postMessage(ok ? { state: 'ok' } : { state: 'damaged', detail: rows.slice(0, 3).map((r) => r.quick_check).join('; ') });
} catch (err) {
  const code = String((err && err.code) || '');
  const damaged = code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
  parentPort.postMessage({ state: damaged ? 'damaged' : 'unknown', detail: code + ' ' + String(err && err.message) });
} finally {
  try { if (db) db.close(); } catch {}
}
`;

const KEY_HEX = /^[0-9a-f]{64}$/i;

/** A running check: its verdict (never rejects) and a way to end it early. */
export interface IntegrityCheck {
  verdict: Promise<IntegrityVerdict>;
  /**
   * End the worker now and wait until it has: its read-only connection is closed by then, so no
   * -wal/-shm file of the vault is created or held after this resolves (a close, a wipe or a
   * removal of the data directory may follow).
   */
  stop(): Promise<void>;
}

/** Check the vault file at `path` on a worker thread. */
export function startIntegrityCheck(path: string, keyHex: string): IntegrityCheck {
  if (!KEY_HEX.test(keyHex)) return { verdict: Promise.resolve({ state: 'unknown', detail: 'malformed key' }), stop: async () => undefined };
  const module = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path, keyHex } });
  } catch (err) {
    return { verdict: Promise.resolve({ state: 'unknown', detail: err instanceof Error ? err.message : String(err) }), stop: async () => undefined };
  }
  worker.unref();
  const verdict = new Promise<IntegrityVerdict>((resolve) => {
    worker.once('message', (v: IntegrityVerdict) => resolve(v));
    worker.once('error', (err) => resolve({ state: 'unknown', detail: err.message }));
    worker.once('exit', () => resolve({ state: 'unknown', detail: 'the check ended without a verdict' }));
  });
  // terminate() resolves once the thread has exited (at once if it already has).
  return { verdict, stop: async () => void (await worker.terminate()) };
}
