// The import worker's own side (a worker_threads thread; started by off-thread.ts): its own
// connection to the vault file, and the same functions the UI's thread would call to apply a
// pull page (pull-apply.ts). It receives the key once, as bytes, zeroes them after keying the
// connection, and answers each page with its counts or a serialized error. It never logs.
//
// Messages in:  { type: 'open', path, key: Uint8Array } | { type: 'apply', page, claims } | { type: 'close' }
// Messages out: { type: 'opened' } | { type: 'stage', stage } | { type: 'applied', result }
//               | { type: 'failed', error } | { type: 'closed' }

import { parentPort } from 'node:worker_threads';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
import type { GrantClaims } from '../../../shared/protocol/grant';
import type { PullResponse } from '../../../shared/protocol/sync';
import { VaultDb } from './db';
import { openImportConnection } from './open';
import { applyPullPage, rememberDirectory } from './pull-apply';
import { serializeError, type ToWorker } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('import-worker.ts runs on a worker thread only');

let raw: Db | null = null;
let db: VaultDb | null = null;

function keyHexOf(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function apply(page: PullResponse, claims: GrantClaims) {
  if (!db) throw new Error('the import worker has no open vault');
  const vault = db;
  rememberDirectory(vault, page);
  return applyPullPage(vault, page, claims, (stage) => port?.postMessage({ type: 'stage', stage }));
}

port.on('message', (msg: ToWorker) => {
  try {
    if (msg.type === 'open') {
      const key = msg.key;
      try {
        raw = openImportConnection(msg.path, keyHexOf(key));
      } finally {
        key.fill(0);
      }
      // Applying a pull page reads no clock (only settling a push stamps issues, on the UI's thread).
      db = new VaultDb(raw, { now: () => Date.now() });
      port.postMessage({ type: 'opened' });
    } else if (msg.type === 'apply') {
      port.postMessage({ type: 'applied', result: apply(msg.page, msg.claims) });
    } else {
      if (raw?.open) raw.close();
      raw = null;
      db = null;
      port.postMessage({ type: 'closed' });
      port.close();
    }
  } catch (err) {
    port.postMessage({ type: 'failed', error: serializeError(err) });
  }
});
