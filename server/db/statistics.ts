// Planner statistics on PostgreSQL, kept by the server itself where it changes tables in bulk.
//
// PostgreSQL plans from statistics that only ANALYZE gathers; autovacuum runs it some time after a
// table changed (or never, where it is switched off). A table loaded in bulk and queried before
// that is planned from defaults: `deleted = 0` counts as 0.5 % of the rows, so the backfill's
// keyset page on customers(owner_id, id) becomes "read the owner's whole bucket, then sort it", and
// a join over a page's customer ids a scan of the whole child table, on every page: a first sync
// then costs pages × table size. So the server analyzes the tables it just filled (the bulk insert
// path) and, at start, any table that was filled without it (a restore, an import by other tools).
// SQLite needs none of this: its planner takes the index that matches without statistics.

import { sql, type Kysely } from 'kysely';
import { dialectOf } from './connection';
import type { Database } from './schema';

/** The tables the sync reads in bulk: the records and the change log. */
export const RECORD_TABLES = ['customers', 'contacts', 'opportunities', 'activities', 'change_log'] as const;

/** Below this size (8 kB pages) a table is read whole faster than any plan could go wrong. */
const MIN_PAGES = 64;
/** A table analyzed at N pages is analyzed again once it reaches this many times N. */
const GROWTH = 2;

interface TableSize {
  name: string;
  /** pages when last analyzed (0 before) */
  relpages: number;
  /** rows when last analyzed; -1 = never analyzed */
  reltuples: number;
  /** pages now */
  pages: number;
}

/**
 * Which of `tables` have outgrown their statistics: never analyzed, or GROWTH times as large as
 * when they last were, and larger than MIN_PAGES. Reads the catalog only (no table is scanned).
 */
export async function staleStatistics(db: Kysely<Database>, tables: readonly string[] = RECORD_TABLES): Promise<string[]> {
  if (dialectOf(db) !== 'postgres' || tables.length === 0) return [];
  const { rows } = await sql<TableSize>`select t.name, c.relpages, c.reltuples,
      pg_relation_size(c.oid) / current_setting('block_size')::int as pages
    from unnest(cast(${[...tables]} as text[])) as t(name) join pg_class c on c.oid = to_regclass(t.name)`.execute(db);
  const stale = new Set(rows
    .filter((r) => Number(r.pages) >= MIN_PAGES && (Number(r.reltuples) < 0 || Number(r.pages) >= GROWTH * Math.max(1, Number(r.relpages))))
    .map((r) => r.name));
  return tables.filter((table) => stale.has(table));
}

/**
 * ANALYZE the tables whose statistics are stale (see staleStatistics); returns their names. A no-op
 * on SQLite. ANALYZE reads a sample (30,000 rows at the default target), takes no lock that blocks
 * reads or writes, and runs once per doubling of a table, so a load of any size pays a few.
 */
export async function refreshStatistics(db: Kysely<Database>, tables: readonly string[] = RECORD_TABLES): Promise<string[]> {
  const stale = await staleStatistics(db, tables);
  for (const table of stale) await sql`analyze ${sql.table(table)}`.execute(db);
  return stale;
}
