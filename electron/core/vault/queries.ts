// Read queries over the vault: the customer list (search), one customer as stored (its child
// lists paged by keyset) and facets
// (the team dashboard: dashboard.ts; opportunities: opportunity-queries.ts). The vault holds
// exactly the user's scope, projected to their clearance, so these read everything they find.

import type { ChildCursor, ChildPage, CustomerListItem } from '../../../shared/api/desktop-api';
import { CHILD_PAGE_SIZE, searchCustomersInput } from '../../../shared/api/desktop-api';
import type { EntityType } from '../../../shared/domain/model';
import type { ChildEntity, SearchInput, StoredChild, StoredCustomer } from '../contracts';
import { nameSortKey } from './collation';
import type { VaultDb } from './db';
import { VaultError } from './errors';
import { facetValues } from './facet-counts';
import { TABLE, stringOr, type StoredRecord } from './records';
import { LIKE_ESCAPE, buildSearchFilter } from './search-query';

/** Stored record counts per entity (progress, diagnostics, tests). */
export function recordCounts(db: VaultDb): Record<EntityType, number> {
  const count = (entity: EntityType) => (db.stmt(`SELECT count(*) AS n FROM ${TABLE[entity]}`).get() as { n: number }).n;
  return { customer: count('customer'), contact: count('contact'), opportunity: count('opportunity'), activity: count('activity') };
}

/**
 * At least this many matches and the page is read by walking the name order's index
 * (customers_sort) and keeping the rows that match, which stops once the page is full; with
 * fewer, the matches are looked up and sorted. Walking costs about (offset + limit) × customers
 * ÷ matches index entries, sorting about one row lookup and sort step per match: at 100k
 * customers a page of 100 with 1,000 matches walks ~10,000 entries, index-only.
 */
export const DENSE_MATCHES = 1_000;

export function searchCustomers(db: VaultDb, rawInput: SearchInput): { total: number | null; rows: CustomerListItem[] } {
  const parsed = searchCustomersInput.safeParse(rawInput);
  if (!parsed.success) throw new VaultError('invalid_input', `Invalid search: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  const input = parsed.data;
  const text = matchingRids(input.query);
  // Conditions other than the text, and their parameters.
  const where: string[] = [];
  const params: unknown[] = [];
  if (input.city) {
    where.push('c.city = ?');
    params.push(input.city);
  }
  if (input.industry) {
    where.push('c.industry = ?');
    params.push(input.industry);
  }
  if (input.tag) {
    where.push(`EXISTS (SELECT 1 FROM json_each(c.record, '$.tags') t WHERE t.value = ?)`);
    params.push(input.tag);
  }
  // Dashboard drill-downs: "not contacted since" (last_activity_at is kept by triggers) and
  // "had an activity in this week" (the activities' time index).
  if (input.ownerIds) {
    where.push(`c.owner_id IN (${input.ownerIds.map(() => '?').join(', ')})`);
    params.push(...input.ownerIds);
  }
  if (input.notContactedSince !== undefined) {
    where.push('(c.last_activity_at IS NULL OR c.last_activity_at < ?)');
    params.push(input.notContactedSince);
  }
  if (input.activityFrom !== undefined || input.activityTo !== undefined) {
    where.push('c.id IN (SELECT a.customer_id FROM activities a WHERE a.at >= ? AND a.at < ? AND (a.due_at IS NULL OR a.done_at IS NOT NULL))');
    params.push(input.activityFrom ?? 0, input.activityTo ?? Number.MAX_SAFE_INTEGER);
  }
  /** The WHERE clause; `walk`: the text's rid test may not be used as a lookup (see below). */
  const filtered = (walk: boolean, extra: string[] = []) => {
    const all = [...(text ? [`${walk ? '+' : ''}c.rid IN (${text.sql})`] : []), ...where, ...extra];
    return { sql: all.length ? `WHERE ${all.join(' AND ')}` : '', params: [...(text?.params ?? []), ...params] };
  };

  // One count per query: a keyset continuation (`after`) is not counted again. A search by text
  // alone is counted in the search indexes, without a lookup of each matching customer (every
  // indexed rowid is a customer's rid: the indexes are kept in step with the table).
  let total: number | null = null;
  if (!input.after) {
    const all = filtered(false);
    const counted = text && !where.length
      ? db.stmt(`SELECT count(*) AS n FROM (${text.sql})`).get(...text.params)
      : db.stmt(`SELECT count(*) AS n FROM customers c ${all.sql}`).get(...all.params);
    total = (counted as { n: number }).n;
  }
  // Many matches (DENSE_MATCHES; a continuation follows a full first page, so its query matched
  // many): walk the name order. `+c.rid` makes the rid test unusable as a lookup, so SQLite reads
  // customers_sort in order — not INDEXED BY: a first sync's bulk import drops that index until
  // its last page, and search works meanwhile.
  const walk = text !== null && (total === null || total >= DENSE_MATCHES);
  // Keyset paging: the position in the sort order (sort_key, id) instead of an offset, so a deep
  // page is one index seek, not a walk over every earlier row. The key is a pure function of the
  // name (collation.ts: pinyin order, rows without a name first), so the position the renderer
  // sends — the last row's name and id — is turned into the key here.
  const page = input.after ? filtered(walk, ['(c.sort_key, c.id) > (?, ?)']) : filtered(walk);
  if (input.after) page.params.push(nameSortKey(input.after.name), input.after.id);
  // The page's rids first, then their rows: a sort carries a rid and its key, not every matching
  // customer's record, owner name and pending flag. CROSS JOIN keeps the page as the outer loop:
  // with the limit a bound parameter, SQLite otherwise chose to scan every customer in name
  // order and probe the page for each.
  const rows = db.stmt(
    `SELECT c.record, u.display_name AS owner_name,
            EXISTS (SELECT 1 FROM outbox o WHERE o.customer_id = c.id) AS pending
     FROM (SELECT c.rid FROM customers c ${page.sql} ORDER BY c.sort_key, c.id LIMIT ? OFFSET ?) page
     CROSS JOIN customers c ON c.rid = page.rid LEFT JOIN users u ON u.id = c.owner_id
     ORDER BY c.sort_key, c.id`,
  ).all(...page.params, input.limit, input.after ? 0 : input.offset) as { record: string; owner_name: string | null; pending: number }[];
  return { total, rows: rows.map((r) => toListItem(JSON.parse(r.record) as StoredRecord, r.owner_name, r.pending === 1)) };
}

/**
 * The rids of the customers whose indexed text matches every term of `query` (search-query.ts),
 * as one compound SELECT of a single column, or null for a query without terms.
 */
function matchingRids(query: string): { sql: string; params: unknown[] } | null {
  const filter = buildSearchFilter(query);
  const sets: string[] = [];
  const params: unknown[] = [];
  if (filter.trigramMatch) {
    sets.push('SELECT rowid FROM customer_search WHERE customer_search MATCH ?');
    params.push(filter.trigramMatch);
  }
  if (filter.gramMatch) {
    sets.push('SELECT rowid FROM customer_grams WHERE customer_grams MATCH ?');
    params.push(filter.gramMatch);
  }
  for (const term of filter.letterTerms) {
    const textIndex = term.index === 'trigram' ? 'customer_search' : 'customer_grams';
    // A letter term is its text OR a pinyin prefix; wrapped, so INTERSECT applies to the union.
    sets.push(`SELECT * FROM (SELECT rowid FROM ${textIndex} WHERE ${textIndex} MATCH ? UNION SELECT rowid FROM customer_pinyin WHERE customer_pinyin MATCH ?)`);
    params.push(term.text, term.pinyin);
  }
  for (const pattern of filter.likePatterns) {
    const columns = ['s.name', 's.contact_names', 's.city', 's.tags', 's.contact_points'].map((col) => `${col} LIKE ? ESCAPE '${LIKE_ESCAPE}'`).join(' OR ');
    sets.push(`SELECT s.rowid FROM customer_search s WHERE ${columns}`);
    params.push(pattern, pattern, pattern, pattern, pattern);
  }
  return sets.length ? { sql: sets.join(' INTERSECT '), params } : null;
}

/**
 * A customer as stored with the first page of each child list, their counts and where each list
 * continues (listChildren), the server's write verdict for it (`writable`, from the last pull)
 * and whether local edits of it are waiting. What the user may do with it is decided by the
 * caller (record-access.ts), not here.
 */
export function getStoredCustomer(db: VaultDb, id: string, pageSize = CHILD_PAGE_SIZE): StoredCustomer | null {
  const row = db.stmt('SELECT record, writable FROM customers WHERE id = ?').get(id) as { record: string; writable: number } | undefined;
  if (!row) return null;
  const count = (entity: ChildEntity) => (db.stmt(`SELECT count(*) AS n FROM ${TABLE[entity]} WHERE customer_id = ?`).get(id) as { n: number }).n;
  const contacts = listChildren(db, 'contact', id, undefined, pageSize);
  const opportunities = listChildren(db, 'opportunity', id, undefined, pageSize);
  const activities = listChildren(db, 'activity', id, undefined, pageSize);
  return {
    customer: JSON.parse(row.record) as StoredCustomer['customer'],
    contacts: contacts.rows,
    opportunities: opportunities.rows,
    activities: activities.rows,
    counts: { contacts: count('contact'), opportunities: count('opportunity'), activities: count('activity') },
    next: { contacts: contacts.next, opportunities: opportunities.next, activities: activities.next },
    writable: row.writable === 1,
    pending: Boolean(db.stmt('SELECT 1 FROM outbox WHERE customer_id = ? LIMIT 1').get(id)),
  };
}

/**
 * The sort of each child list, a column of the table: contacts by name (its sort key,
 * collation.ts: pinyin order; the contacts_customer index holds it) and opportunities by
 * expected close date ascending (NULLs first), activities newest first (NULLs last). Ties go by
 * rid, so (key, rid) is a total order and a page continues exactly after the last row seen; the
 * activities' (customer_id, at) index carries rid, so a page of a long timeline is an index range
 * read in order, never a sort of every activity of the customer.
 */
const CHILD_ORDER: Record<ChildEntity, { column: string; desc: boolean }> = {
  contact: { column: 'sort_key', desc: false },
  opportunity: { column: 'expected_close_date', desc: false },
  activity: { column: 'at', desc: true },
};

/** One page of a customer's contacts, opportunities or activities, after `after` (keyset). */
export function listChildren<E extends ChildEntity>(
  db: VaultDb, entity: E, customerId: string, after: ChildCursor | undefined, limit: number,
): ChildPage<StoredChild[E]> {
  const { column: k, desc } = CHILD_ORDER[entity];
  const params: unknown[] = [customerId];
  let keyset = '';
  if (after) {
    // SQLite sorts NULL lowest: first in ascending order, last in descending order.
    if (after.key === null) {
      keyset = desc ? `AND x.${k} IS NULL AND x.rid < ?` : `AND (x.${k} IS NOT NULL OR x.rid > ?)`;
      params.push(after.rid);
    } else {
      keyset = desc ? `AND ((x.${k}, x.rid) < (?, ?) OR x.${k} IS NULL)` : `AND (x.${k}, x.rid) > (?, ?)`;
      params.push(after.key, after.rid);
    }
  }
  const dir = desc ? 'DESC' : 'ASC';
  const author = entity === 'activity';
  const rows = db.stmt(
    `SELECT x.rid, x.${k} AS k, x.record${author ? ', u.display_name AS author_name' : ''}
     FROM ${TABLE[entity]} x${author ? ' LEFT JOIN users u ON u.id = x.author_id' : ''}
     WHERE x.customer_id = ? ${keyset} ORDER BY x.${k} ${dir}, x.rid ${dir} LIMIT ?`,
  ).all(...params, limit + 1) as { rid: number; k: string | number | null; record: string; author_name?: string | null }[];
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    rows: page.map((r) => {
      const record = JSON.parse(r.record) as Record<string, unknown>;
      // Who logged an activity, by name: only when its author is a field this user may read.
      if (author) record.authorName = typeof record.authorId === 'string' ? (r.author_name ?? null) : null;
      return record as unknown as StoredChild[E];
    }),
    next: more && last ? { key: last.k, rid: last.rid } : null,
  };
}

/** The owner directory the pull delivered: display names of the owners in scope (and of shared customers' owners), in pinyin order. */
export function directory(db: VaultDb): { id: string; name: string }[] {
  return db.stmt('SELECT id, display_name AS name FROM users ORDER BY sort_key, id').all() as { id: string; name: string }[];
}

export function facets(db: VaultDb): { cities: string[]; industries: string[]; tags: string[]; owners: { id: string; name: string }[] } {
  return {
    owners: directory(db),
    ...facetValues(db),
  };
}

function toListItem(record: StoredRecord, ownerName: string | null, pending: boolean): CustomerListItem {
  const item: CustomerListItem = {
    id: record.id,
    name: stringOr(record.name) ?? '',
    ownerId: String(record.ownerId ?? ''),
    ownerName,
    updatedAt: Number(record.updatedAt ?? 0),
    pending,
  };
  // Optional fields only when the user may read them (present in the stored projection).
  if (record.type === 'company' || record.type === 'person') item.type = record.type;
  if (typeof record.industry === 'string') item.industry = record.industry;
  if (typeof record.city === 'string') item.city = record.city;
  if (Array.isArray(record.tags)) item.tags = record.tags.filter((t): t is string => typeof t === 'string');
  return item;
}
