// Where the server's SQLite database lives, the same way for `npm start`, `npm run server -- start`
// and every CLI command (rules in README "Running"):
//   --data FILE        the database file itself
//   --data-dir DIR     DIR/server.db
//   SV_DATA_DIR=DIR    DIR/server.db
//   otherwise          <checkout>/.data/server.db (what `npm start` seeds)
// Only the commands that exist to create a database (migrate, seed, create-admin) may create one;
// every other command refuses a path that holds no server database instead of starting on an
// empty one. PostgreSQL (DATABASE_URL) bypasses all of this.

import Sqlite from 'better-sqlite3-multiple-ciphers';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER_DB_FILE = 'server.db';
const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export class NoServerDatabaseError extends Error {
  constructor(readonly path: string, why: string) {
    super(`no SalesVault server database at ${path} (${why}); start the server first (npm start) or set SV_DATA_DIR / --data-dir to the directory that holds server.db`);
  }
}

export interface DataLocation {
  /** The SQLite file. */
  file: string;
  /** Its directory (what SV_DATA_DIR names). */
  dir: string;
  /** Which setting chose it, for messages. */
  from: '--data' | '--data-dir' | 'SV_DATA_DIR' | 'default';
}

export function serverDataLocation(options: { data?: string | undefined; dataDir?: string | undefined }, env: NodeJS.ProcessEnv = process.env): DataLocation {
  if (options.data) {
    const file = resolve(options.data);
    return { file, dir: dirname(file), from: '--data' };
  }
  const [dir, from] = options.dataDir
    ? [resolve(options.dataDir), '--data-dir' as const]
    : env.SV_DATA_DIR
      ? [resolve(env.SV_DATA_DIR), 'SV_DATA_DIR' as const]
      : [join(CHECKOUT, '.data'), 'default' as const];
  return { file: join(dir, SERVER_DB_FILE), dir, from };
}

/**
 * Throws NoServerDatabaseError unless `file` is a SQLite database the server has migrated (it
 * holds the migration table and users). Opened read-only: checking never creates anything.
 */
export function assertServerDatabase(file: string): void {
  if (!existsSync(file)) throw new NoServerDatabaseError(file, 'the file does not exist');
  if (!statSync(file).isFile()) throw new NoServerDatabaseError(file, 'it is not a file');
  let tables: string[];
  try {
    const db = new Sqlite(file, { readonly: true, fileMustExist: true });
    try {
      tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('kysely_migration', 'users')`).all() as { name: string }[]).map((r) => r.name);
    } finally {
      db.close();
    }
  } catch (err) {
    throw new NoServerDatabaseError(file, `not a SQLite database: ${(err as Error).message}`);
  }
  if (tables.length < 2) throw new NoServerDatabaseError(file, 'the file holds no server tables');
}
