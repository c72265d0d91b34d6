// The customer list's filter values (city, industry, tag) from the counts kept in facet_counts
// (schema.ts, migration 7): triggers keep them in step with every write of a customer, in the
// writing transaction; a bulk import (the first sync) rebuilds them once when it ends.

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
