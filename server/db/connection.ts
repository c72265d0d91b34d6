// The one storage layer: an embedded SQLite file by default, PostgreSQL when a DATABASE_URL is
// given. Everything above this file speaks Kysely<Database> and never branches on the dialect,
// except where SQL genuinely differs (locks), which reads `dialect`.

import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, type SqliteDatabase as SqliteDialectDatabase } from 'kysely';
import pg from 'pg';
import type { Dialect } from '../context';
import { migrationProvider } from './migrations/index';
import type { Database } from './schema';

// int8 (bigint) columns hold epoch-ms times and sequence numbers, all far below 2^53: read them
// back as JS numbers instead of pg's default strings. Set once for the process.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres://… — when set, PostgreSQL is used */
  databaseUrl?: string;
  /** SQLite file path (default dialect); created with its directory when missing */
  sqlitePath?: string;
  /** PG pool size (default: SV_DB_POOL_SIZE, else poolSizeDefault()) */
  poolSize?: number;
}

/**
 * The PostgreSQL pool size when none is given: `SV_DB_POOL_SIZE` if set, else 4 connections per
 * CPU core of this machine, at least 4 and at most 16. A server process runs its JavaScript on one
 * thread; the pool only has to cover the statements in flight while that thread works on others,
 * and the hot paths batch concurrent requests' statements (auth.ts, audit/chain.ts), so a few
 * connections per core keep PostgreSQL busy without making its backends compete for the cores.
 * Several server processes sharing one database each open their own pool: keep
 * processes × pool size below PostgreSQL's max_connections.
 */
export function poolSizeDefault(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  const configured = env.SV_DB_POOL_SIZE;
  if (configured !== undefined && configured !== '') {
    const n = Number(configured);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`SV_DB_POOL_SIZE must be a whole number from 1 to 1000 (got "${configured}")`);
    return n;
  }
  return Math.min(16, Math.max(4, 4 * cores));
}

/** The pg pool behind each PostgreSQL handle opened here (for the pool metrics). */
const pgPools = new WeakMap<Kysely<Database>, pg.Pool>();

export interface PoolStats {
  /** connections open (idle + in use) */
  total: number;
  idle: number;
  /** queries waiting for a connection */
  waiting: number;
  max: number;
}

/** The PostgreSQL pool's state for a handle opened by openDatabase; null for SQLite (one connection). */
export function poolStats(db: Kysely<Database>): PoolStats | null {
  const pool = pgPools.get(db);
  if (!pool) return null;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<OpenedDatabase> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? poolSizeDefault(),
      // No JIT compilation: the server's statements are short, and JIT starts on the planner's
      // cost estimate alone, which is far off exactly when a table lacks statistics (a fresh
      // bulk load): a page of index probes estimated at 100 × its cost then spends ~300 ms
      // compiling itself. An `options` parameter in DATABASE_URL takes precedence over this.
      options: '-c jit=off',
    });
    // An idle client's error (server restart) must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    pgPools.set(db, pool);
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }

  if (!opts.sqlitePath) throw new Error('openDatabase: give databaseUrl (PostgreSQL) or sqlitePath (SQLite)');
  if (opts.sqlitePath !== ':memory:') mkdirSync(dirname(opts.sqlitePath), { recursive: true });
  const file = new SqliteDatabase(opts.sqlitePath);
  file.pragma('journal_mode = WAL');
  file.pragma('foreign_keys = ON');
  // Several server processes (CLI + running server) may share the file: wait instead of failing.
  file.pragma('busy_timeout = 5000');
  file.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Distinct SQL texts whose prepared statements are kept (the hot path uses a few dozen). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The SQLite file with its prepared statements reused per SQL text: Kysely prepares on every
 * query, and preparing costs about as much as running the small statements of a sync. Safe
 * because the driver runs one statement at a time on this connection and reads results eagerly
 * (a statement being iterated, i.e. streamed, is never handed out again until it finishes).
 */
function withStatementCache(file: SqliteDatabase.Database): SqliteDialectDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => file.close(),
    prepare(text: string) {
      const cached = cache.get(text);
      if (cached && !cached.busy) {
        // Map order is insertion order: re-inserting keeps the most recently used last.
        cache.delete(text);
        cache.set(text, cached);
        return cached;
      }
      const statement = file.prepare(text);
      cache.set(text, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}

export interface MigrationOutcome {
  applied: string[];
}

/** Applies every pending numbered migration; throws (naming the migration) when one fails. */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect = dialectOf(db)): Promise<MigrationOutcome> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/**
 * Migration names this build knows that the database has not applied (empty = current). Reads
 * Kysely's own bookkeeping table; a database never migrated lacks the table and misses all.
 */
export async function pendingMigrations(db: Kysely<Database>, dialect: Dialect = dialectOf(db)): Promise<string[]> {
  const known = Object.keys(await migrationProvider(dialect).getMigrations());
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const applied = new Set((await migrator.getMigrations()).filter((m) => m.executedAt !== undefined).map((m) => m.name));
  return known.filter((name) => !applied.has(name));
}

/** Which dialect a Kysely instance was opened with (for callers that only hold `db`). */
export function dialectOf(db: Kysely<Database>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
