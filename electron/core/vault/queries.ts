// Read queries over the vault: the customer list (search), one customer as stored, facets and
// the team dashboard. The vault holds exactly the user's scope, projected to their clearance, so
// these read everything they find.

import type { CustomerListItem, TeamDashboard } from '../../../shared/api/desktop-api';
import { searchCustomersInput } from '../../../shared/api/desktop-api';
import { OPPORTUNITY_STAGES, type EntityType, type OpportunityStage } from '../../../shared/domain/model';
import type { SearchInput, StoredCustomer } from '../contracts';
import { DAY_MS, WEEK_MS, isoDate, isoWeekStart } from './dates';
import type { VaultDb } from './db';
import { VaultError } from './errors';
import type { CHILD_ENTITIES} from './records';
import { TABLE, stringOr, type StoredRecord } from './records';
import { LIKE_ESCAPE, buildSearchFilter } from './search-query';

const NOT_CONTACTED_DAYS = 30;
const NOT_CONTACTED_LIMIT = 100;
const DASHBOARD_WEEKS = 8;

/** Stored record counts per entity (progress, diagnostics, tests). */
export function recordCounts(db: VaultDb): Record<EntityType, number> {
  const count = (entity: EntityType) => (db.stmt(`SELECT count(*) AS n FROM ${TABLE[entity]}`).get() as { n: number }).n;
  return { customer: count('customer'), contact: count('contact'), opportunity: count('opportunity'), activity: count('activity') };
}

export function searchCustomers(db: VaultDb, rawInput: SearchInput): { total: number | null; rows: CustomerListItem[] } {
  const parsed = searchCustomersInput.safeParse(rawInput);
  if (!parsed.success) throw new VaultError('invalid_input', `Invalid search: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  const input = parsed.data;
  const where: string[] = [];
  const params: unknown[] = [];
  const filter = buildSearchFilter(input.query);
  const from = 'customers c';
  if (filter.trigramMatch) {
    where.push('c.rid IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)');
    params.push(filter.trigramMatch);
  }
  if (filter.gramMatch) {
    where.push('c.rid IN (SELECT rowid FROM customer_grams WHERE customer_grams MATCH ?)');
    params.push(filter.gramMatch);
  }
  for (const pattern of filter.likePatterns) {
    const columns = ['s.name', 's.contact_names', 's.city', 's.tags', 's.contact_points'].map((col) => `${col} LIKE ? ESCAPE '${LIKE_ESCAPE}'`).join(' OR ');
    where.push(`c.rid IN (SELECT s.rowid FROM customer_search s WHERE ${columns})`);
    params.push(pattern, pattern, pattern, pattern, pattern);
  }
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
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // One count per query: a keyset continuation (`after`) is not counted again.
  const total = input.after ? null : (db.stmt(`SELECT count(*) AS n FROM ${from} ${whereSql}`).get(...params) as { n: number }).n;
  // Keyset paging: the position in the sort order (name, id) instead of an offset, so a deep
  // page is one index seek, not a walk over every earlier row. NULL names sort first.
  let pageWhere = whereSql;
  const pageParams = [...params];
  if (input.after) {
    const after = input.after.name === null ? '(c.name IS NOT NULL OR c.id > ?)' : '(c.name > ? OR (c.name = ? AND c.id > ?))';
    pageWhere = `${whereSql ? `${whereSql} AND` : 'WHERE'} ${after}`;
    if (input.after.name === null) pageParams.push(input.after.id);
    else pageParams.push(input.after.name, input.after.name, input.after.id);
  }
  const rows = db.stmt(
    `SELECT c.record, u.display_name AS owner_name,
            EXISTS (SELECT 1 FROM outbox o WHERE o.customer_id = c.id) AS pending
     FROM ${from} LEFT JOIN users u ON u.id = c.owner_id
     ${pageWhere} ORDER BY c.name, c.id LIMIT ? OFFSET ?`,
  ).all(...pageParams, input.limit, input.after ? 0 : input.offset) as { record: string; owner_name: string | null; pending: number }[];
  return { total, rows: rows.map((r) => toListItem(JSON.parse(r.record) as StoredRecord, r.owner_name, r.pending === 1)) };
}

/**
 * A customer with its children as stored, the server's write verdict for it (`writable`, from
 * the last pull) and whether local edits of it are waiting. What the user may do with it is
 * decided by the caller (record-access.ts), not here.
 */
export function getStoredCustomer(db: VaultDb, id: string): StoredCustomer | null {
  const row = db.stmt('SELECT record, writable FROM customers WHERE id = ?').get(id) as { record: string; writable: number } | undefined;
  if (!row) return null;
  const children = <T>(entity: (typeof CHILD_ENTITIES)[number], order: string): T[] =>
    (db.stmt(`SELECT record FROM ${TABLE[entity]} WHERE customer_id = ? ORDER BY ${order}`).all(id) as { record: string }[]).map(
      (r) => JSON.parse(r.record) as T,
    );
  return {
    customer: JSON.parse(row.record) as StoredCustomer['customer'],
    contacts: children('contact', 'name, id'),
    opportunities: children('opportunity', 'expected_close_date, id'),
    activities: children('activity', 'at DESC, id'),
    writable: row.writable === 1,
    pending: Boolean(db.stmt('SELECT 1 FROM outbox WHERE customer_id = ? LIMIT 1').get(id)),
  };
}

export function facets(db: VaultDb): { cities: string[]; industries: string[]; tags: string[] } {
  const column = (sql: string) => (db.stmt(sql).all() as { v: string }[]).map((r) => r.v);
  return {
    cities: column(`SELECT DISTINCT city AS v FROM customers WHERE city IS NOT NULL AND city <> '' ORDER BY v`),
    industries: column(`SELECT DISTINCT industry AS v FROM customers WHERE industry IS NOT NULL AND industry <> '' ORDER BY v`),
    tags: column(`SELECT DISTINCT t.value AS v FROM customers c, json_each(c.record, '$.tags') t WHERE t.type = 'text' ORDER BY v`),
  };
}

/**
 * The team dashboard over everything in the vault (the vault holds exactly the user's scope).
 * pipelineByStage covers every stage; pipelineByRep is the open pipeline (not won or lost).
 * Amounts above the user's clearance are absent and count as 0.
 */
export function teamDashboard(db: VaultDb, now: number): TeamDashboard {
  const byStage = new Map(
    (db.stmt('SELECT stage, count(*) AS n, total(amount) AS amount FROM opportunities WHERE stage IS NOT NULL GROUP BY stage').all() as {
      stage: string; n: number; amount: number;
    }[]).map((r) => [r.stage, r]),
  );
  const pipelineByStage = OPPORTUNITY_STAGES.map((stage: OpportunityStage) => ({
    stage,
    count: byStage.get(stage)?.n ?? 0,
    amount: byStage.get(stage)?.amount ?? 0,
  }));

  const pipelineByRep = (
    db.stmt(
      `SELECT o.owner_id AS ownerId, coalesce(u.display_name, o.owner_id) AS ownerName, count(*) AS count, total(o.amount) AS amount
       FROM opportunities o LEFT JOIN users u ON u.id = o.owner_id
       WHERE o.stage NOT IN ('won', 'lost') AND o.owner_id IS NOT NULL
       GROUP BY o.owner_id ORDER BY amount DESC, o.owner_id`,
    ).all() as TeamDashboard['pipelineByRep']
  );

  const won = byStage.get('won')?.n ?? 0;
  const lost = byStage.get('lost')?.n ?? 0;

  const thisWeek = isoWeekStart(now);
  const firstWeek = thisWeek - (DASHBOARD_WEEKS - 1) * WEEK_MS;
  const perWeek = new Map(
    (db.stmt(// Logged activities only: an open follow-up is a plan (docs/follow-ups.md).
      'SELECT CAST((at - ?) / ? AS INTEGER) AS week, count(*) AS n FROM activities WHERE at >= ? AND at < ? AND (due_at IS NULL OR done_at IS NOT NULL) GROUP BY week').all(
      firstWeek, WEEK_MS, firstWeek, thisWeek + WEEK_MS,
    ) as { week: number; n: number }[]).map((r) => [r.week, r.n]),
  );
  const activitiesPerWeek = Array.from({ length: DASHBOARD_WEEKS }, (_, i) => ({
    weekStart: isoDate(firstWeek + i * WEEK_MS),
    count: perWeek.get(i) ?? 0,
  }));

  const notContacted30d = (
    db.stmt(
      // last_activity_at is kept by triggers (schema.ts); the index (last_activity_at, name, id)
      // is read in this order (never contacted first: NULLs sort first) and stops at the limit.
      `SELECT id AS customerId, coalesce(name, id) AS name, last_activity_at AS lastActivityAt FROM customers
       WHERE last_activity_at IS NULL OR last_activity_at < ?
       ORDER BY last_activity_at, name, id LIMIT ?`,
    ).all(now - NOT_CONTACTED_DAYS * DAY_MS, NOT_CONTACTED_LIMIT) as TeamDashboard['notContacted30d']
  );

  // The list above is capped; the card states how many qualify in all (an honest count).
  const notContacted30dTotal = (
    db.stmt(`SELECT count(*) AS n FROM customers WHERE last_activity_at IS NULL OR last_activity_at < ?`).get(now - NOT_CONTACTED_DAYS * DAY_MS) as { n: number }
  ).n;

  const overdue = (
    db.stmt(`SELECT count(*) AS n FROM opportunities WHERE expected_close_date < ? AND stage NOT IN ('won', 'lost')`).get(isoDate(now)) as { n: number }
  ).n;

  return {
    pipelineByStage,
    pipelineByRep,
    winRate: { won, lost, rate: won + lost > 0 ? won / (won + lost) : null },
    activitiesPerWeek,
    notContacted30d,
    notContacted30dTotal,
    overdue,
    computedAt: now,
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
