// Counts kept by triggers in the writing transaction, so that a figure never scans the records:
// the customer list's filter values (city, industry, tag) in facet_counts (schema.ts, migration 7)
// and the dashboard's logged activities per week and author in activity_weeks (migration 11). A
// bulk import (the first sync) rebuilds both once when it ends; a bulk scope shrink subtracts the
// leaving customers' facet values in one grouped statement (subtractFacetCounts).

import type { VaultDb } from './db';

export interface FacetValues {
  cities: string[];
  industries: string[];
  tags: string[];
}

/** Meta flag of a bulk import under way (pull-apply.ts); the facet triggers stand aside while it is set. */
const BULK_IMPORT_FLAG = 'search-stale';

/**
 * Count every value again from the customers (the end of a bulk import). One pass over the
 * customers: the same cost as one read of the filter lists before the counts existed.
 */
export function rebuildFacetCounts(db: VaultDb): void {
  db.stmt('DELETE FROM facet_counts').run();
  db.stmt(
    `INSERT INTO facet_counts(facet, value, n)
     SELECT 'city', city, count(*) FROM customers WHERE city IS NOT NULL AND city <> '' GROUP BY city`,
  ).run();
  db.stmt(
    `INSERT INTO facet_counts(facet, value, n)
     SELECT 'industry', industry, count(*) FROM customers WHERE industry IS NOT NULL AND industry <> '' GROUP BY industry`,
  ).run();
  db.stmt(
    `INSERT INTO facet_counts(facet, value, n)
     SELECT 'tag', v, count(*) FROM (SELECT DISTINCT c.rid, t.value AS v FROM customers c, json_each(c.record, '$.tags') t WHERE t.type = 'text') GROUP BY v`,
  ).run();
}

/**
 * Take the customers whose rids `leavingRids` (SQL selecting rids) selects out of the counts, as
 * customers_facets_deleted would one row at a time: a bulk scope shrink suspends that trigger
 * (two statements and a JSON walk per customer) and calls this once, before the customers go.
 * One pass over the leaving rows, in rid order (their pages in file order); `->` keeps a tags
 * value that is not an array countable the way json_each(record, '$.tags') counts it.
 */
export function subtractFacetCounts(db: VaultDb, leavingRids: string): void {
  db.stmt(
    `WITH leaving AS MATERIALIZED (
       SELECT rid, city, industry, record -> '$.tags' AS tags FROM customers WHERE rid IN (${leavingRids})),
     gone(facet, value, n) AS (
       SELECT 'city', city, count(*) FROM leaving WHERE city IS NOT NULL AND city <> '' GROUP BY city
       UNION ALL SELECT 'industry', industry, count(*) FROM leaving WHERE industry IS NOT NULL AND industry <> '' GROUP BY industry
       UNION ALL SELECT 'tag', v, count(*) FROM (SELECT DISTINCT l.rid, t.value AS v FROM leaving l, json_each(l.tags) t WHERE t.type = 'text') GROUP BY v)
     UPDATE facet_counts SET n = facet_counts.n - gone.n FROM gone WHERE facet_counts.facet = gone.facet AND facet_counts.value = gone.value`,
  ).run();
  db.stmt('DELETE FROM facet_counts WHERE n <= 0').run();
}

/** The values present, each list sorted: read from the counts (a few hundred rows, not every customer). */
export function facetValues(db: VaultDb): FacetValues {
  // While a first sync is importing, the counts are not kept yet: read the customers themselves.
  if (db.internalMeta(BULK_IMPORT_FLAG) !== null) return scanFacetValues(db);
  const rows = db.stmt('SELECT facet, value FROM facet_counts WHERE n > 0 ORDER BY facet, value').all() as { facet: string; value: string }[];
  const out: FacetValues = { cities: [], industries: [], tags: [] };
  for (const row of rows) {
    if (row.facet === 'city') out.cities.push(row.value);
    else if (row.facet === 'industry') out.industries.push(row.value);
    else out.tags.push(row.value);
  }
  return out;
}

/**
 * The same values by reading every customer: what the counts must always equal (tests), and the
 * answer while a bulk import is under way.
 */
export function scanFacetValues(db: VaultDb): FacetValues {
  const column = (sql: string) => (db.stmt(sql).all() as { v: string }[]).map((r) => r.v);
  return {
    cities: column(`SELECT DISTINCT city AS v FROM customers WHERE city IS NOT NULL AND city <> '' ORDER BY v`),
    industries: column(`SELECT DISTINCT industry AS v FROM customers WHERE industry IS NOT NULL AND industry <> '' ORDER BY v`),
    tags: column(`SELECT DISTINCT t.value AS v FROM customers c, json_each(c.record, '$.tags') t WHERE t.type = 'text' ORDER BY v`),
  };
}

/** Every (facet, value, count) as a full scan computes it (tests compare the kept counts with this). */
export function scanFacetCounts(db: VaultDb): { facet: string; value: string; n: number }[] {
  return db.stmt(
    `SELECT facet, value, count(*) AS n FROM (
       SELECT 'city' AS facet, city AS value FROM customers WHERE city IS NOT NULL AND city <> ''
       UNION ALL SELECT 'industry', industry FROM customers WHERE industry IS NOT NULL AND industry <> ''
       UNION ALL SELECT 'tag', v FROM (SELECT DISTINCT c.rid, t.value AS v FROM customers c, json_each(c.record, '$.tags') t WHERE t.type = 'text')
     ) GROUP BY facet, value ORDER BY facet, value`,
  ).all() as { facet: string; value: string; n: number }[];
}

/** The kept counts (tests). */
export function keptFacetCounts(db: VaultDb): { facet: string; value: string; n: number }[] {
  return db.stmt('SELECT facet, value, n FROM facet_counts ORDER BY facet, value').all() as { facet: string; value: string; n: number }[];
}

// ---- logged activities per week and author (activity_weeks, schema.ts migration 11) ----------
// The dashboard's weekly activity chart. Kept by triggers like facet_counts; rebuilt once at the
// end of a bulk import, and read from the activities themselves while one is under way.

/** The UTC ISO week start (Monday 00:00, isoWeekStart in dates.ts) of `a.at`; 345600000 is Monday 1970-01-05. */
const WEEK_OF_AT = 'a.at - ((a.at - 345600000) % 604800000 + 604800000) % 604800000';
/** A logged activity: a moment, and no due moment or done (an open follow-up is a plan, not a contact). */
const LOGGED = 'a.at IS NOT NULL AND (a.due_at IS NULL OR a.done_at IS NOT NULL)';
const SCAN_WEEKS = `SELECT ${WEEK_OF_AT} AS weekStart, coalesce(a.author_id, '') AS authorId, count(*) AS n FROM activities a WHERE ${LOGGED} GROUP BY 1, 2`;

export interface ActivityWeek {
  weekStart: number;
  authorId: string;
  n: number;
}

/** Count every logged activity again (the end of a bulk import). */
export function rebuildActivityWeeks(db: VaultDb): void {
  db.stmt('DELETE FROM activity_weeks').run();
  db.stmt(`INSERT INTO activity_weeks(week_start, author_id, n) ${SCAN_WEEKS}`).run();
}

/**
 * Logged activities per week start in [from, to) (both week starts), of the given authors or of
 * everyone: from the kept counts, or from the activities while a bulk import is under way.
 */
export function activityWeekCounts(db: VaultDb, from: number, to: number, authorIds?: readonly string[]): Map<number, number> {
  // An author filter that names nobody (a team without members) counts nothing, never everything.
  const byAuthor = authorIds ? `AND authorId IN (${authorIds.length ? authorIds.map(() => '?').join(', ') : 'NULL'})` : '';
  const source = db.internalMeta(BULK_IMPORT_FLAG) !== null ? SCAN_WEEKS : 'SELECT week_start AS weekStart, author_id AS authorId, n FROM activity_weeks';
  const rows = db.stmt(`SELECT weekStart, sum(n) AS n FROM (${source}) WHERE weekStart >= ? AND weekStart < ? ${byAuthor} GROUP BY weekStart`).all(from, to, ...(authorIds ?? [])) as {
    weekStart: number;
    n: number;
  }[];
  return new Map(rows.map((r) => [r.weekStart, r.n]));
}

/** Every (week, author, count) as a full scan computes it (tests compare the kept counts with this). */
export function scanActivityWeeks(db: VaultDb): ActivityWeek[] {
  return db.stmt(`${SCAN_WEEKS} ORDER BY 1, 2`).all() as ActivityWeek[];
}

/** The kept counts (tests). */
export function keptActivityWeeks(db: VaultDb): ActivityWeek[] {
  return db.stmt('SELECT week_start AS weekStart, author_id AS authorId, n FROM activity_weeks ORDER BY 1, 2').all() as ActivityWeek[];
}
