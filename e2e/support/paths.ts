// Where the e2e run keeps what its parts share: the running server's coordinates (written by the
// global setup, read by every spec) and the size of the demo organisation it is seeded with.

import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SERVER_INFO_FILE = resolve(ROOT, 'test-results/e2e-server.json');
/**
 * The renderer build the harnesses serve: a copy of dist/renderer taken at setup, so a rebuild
 * of dist/ during the run (someone else's `vite build`) cannot pull the page from under a spec.
 */
export const RENDERER_SNAPSHOT_DIR = resolve(ROOT, 'test-results/e2e-renderer');
/** Small enough for a fast first sync, large enough that every rep owns several customers. */
export const E2E_CUSTOMERS = 200;

export interface ServerInfo {
  /** http://127.0.0.1:<port> of the permission server */
  url: string;
  port: number;
  /** loopback control listener of the server process (stop/start) */
  controlUrl: string;
  token: string;
  /** the server's SQLite file: specs read it to check what the server holds */
  dbPath: string;
  pid: number;
  dir: string;
}
