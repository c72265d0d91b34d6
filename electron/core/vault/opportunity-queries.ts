// Read queries over the vault's opportunities: the filtered, sorted, paged list (the opportunities
// screen, the pipeline board's columns and every dashboard drill-down) and the saved views of
// that list. The vault holds exactly the user's scope, so these read everything they find; an
// amount above the user's clearance is absent and counts as 0 in sums.

import { z } from 'zod';
import type { OpportunityStage } from '../../../shared/domain/model';
import { OPPORTUNITY_STAGES } from '../../../shared/domain/model';
import {
  listOpportunitiesInput,
  opportunityViewSchema,
  type OpportunityFilter,
  type OpportunityListItem,
  type OpportunityPage,
  type OpportunitySort,
  type OpportunityView,
} from '../../../shared/api/opportunities';
import type { VaultDb } from './db';
import { VaultError } from './errors';
import { stringOr, type StoredRecord } from './records';

export type ListOpportunitiesInput = z.input<typeof listOpportunitiesInput>;

/** The stage order as SQL (for sorting by stage in pipeline order, not alphabetically). */
const STAGE_ORDER_SQL = `CASE o.stage ${OPPORTUNITY_STAGES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} ELSE ${OPPORTUNITY_STAGES.length} END`;

const SORT_SQL: Record<OpportunitySort, string> = {
  closeDate: 'o.expected_close_date',
  amount: 'o.amount',
  // Names in pinyin order by their stored sort key (collation.ts); '' is the key of no title /
  // no name (or an owner the directory does not name), made NULL: it sorts last like every other
  // absent value.
  title: `nullif(o.sort_key, '')`,
  customer: `nullif(c.sort_key, '')`,
  stage: STAGE_ORDER_SQL,
  owner: `nullif(u.sort_key, '')`,
  probability: `json_extract(o.record, '$.probability')`,
  updatedAt: `json_extract(o.record, '$.updatedAt')`,
};

/** WHERE clause (over alias `o`) and its parameters for a filter; every criterion must hold. */
export function opportunityWhere(filter: OpportunityFilter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.stages) {
    // An empty list selects nothing (a drill-down into nothing shows nothing, never everything).
    if (filter.stages.length === 0) where.push('0');
    else {
      where.push(`o.stage IN (${filter.stages.map(() => '?').join(', ')})`);
      params.push(...filter.stages);
    }
  }
  if (filter.ownerIds) {
    if (filter.ownerIds.length === 0) where.push('0');
    else {
      where.push(`o.owner_id IN (${filter.ownerIds.map(() => '?').join(', ')})`);
      params.push(...filter.ownerIds);
    }
  }
  if (filter.closeFrom) {
    where.push('o.expected_close_date >= ?');
    params.push(filter.closeFrom);
  }
  if (filter.closeTo) {
    where.push('o.expected_close_date <= ?');
    params.push(filter.closeTo);
  }
  if (filter.amountMin !== undefined) {
    where.push('o.amount >= ?');
    params.push(filter.amountMin);
  }
  if (filter.amountMax !== undefined) {
    where.push('o.amount <= ?');
    params.push(filter.amountMax);
  }
  if (filter.customerId) {
    where.push('o.customer_id = ?');
    params.push(filter.customerId);
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

export function listOpportunities(db: VaultDb, rawInput: ListOpportunitiesInput): OpportunityPage {
  const parsed = listOpportunitiesInput.safeParse(rawInput);
  if (!parsed.success) throw new VaultError('invalid_input', `Invalid opportunity filter: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  const input = parsed.data;
  const { sql: whereSql, params } = opportunityWhere(input);
  // Criteria on stage and amount alone are answered from the (stage, amount) index without
  // reading the records (the planner does not see that it covers these generated columns).
  const stageAndAmountOnly = !input.ownerIds && !input.closeFrom && !input.closeTo && !input.customerId;
  const totals = db
    .stmt(`SELECT count(*) AS n, total(o.amount) AS amount FROM opportunities o ${stageAndAmountOnly ? 'INDEXED BY opportunities_stage' : ''} ${whereSql}`)
    .get(...params) as { n: number; amount: number };
  const column = SORT_SQL[input.sort];
  const dir = input.order === 'desc' ? 'DESC' : 'ASC';
  // Values that are absent (above clearance, never set) sort last in both directions; the row id
  // makes the order total, so pages never overlap or skip. The page is chosen over row ids
  // alone (joined only where the sort needs it; the indexes on stage, amount, owner and close
  // date cover it), then its rows are read: the sort never carries the records' JSON.
  const joins = [
    input.sort === 'customer' ? 'LEFT JOIN customers c ON c.id = o.customer_id' : '',
    input.sort === 'owner' ? 'LEFT JOIN users u ON u.id = o.owner_id' : '',
  ].join(' ');
  const rids = (
    db.stmt(`SELECT o.rid AS rid FROM opportunities o ${joins} ${whereSql} ORDER BY ${column} ${dir} NULLS LAST, o.rid LIMIT ? OFFSET ?`)
      .all(...params, input.limit, input.offset) as { rid: number }[]
  ).map((r) => r.rid);
  const byRid = new Map(
    (db.stmt(
      `SELECT o.rid AS rid, o.record, c.name AS customer_name, c.writable AS writable, u.display_name AS owner_name,
              EXISTS (SELECT 1 FROM outbox x WHERE x.entity = 'opportunity' AND x.record_id = o.id) AS pending
       FROM opportunities o
       LEFT JOIN customers c ON c.id = o.customer_id
       LEFT JOIN users u ON u.id = o.owner_id
       WHERE o.rid IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(rids)) as { rid: number; record: string; customer_name: string | null; writable: number | null; owner_name: string | null; pending: number }[]).map((r) => [r.rid, r]),
  );
  const rows = rids.flatMap((rid) => byRid.get(rid) ?? []);
  return {
    total: totals.n,
    amountTotal: totals.amount,
    rows: rows.map((r) => toItem(JSON.parse(r.record) as StoredRecord, r)),
  };
}

function toItem(record: StoredRecord, row: { customer_name: string | null; writable: number | null; owner_name: string | null; pending: number }): OpportunityListItem {
  const stage = stringOr(record.stage);
  const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    id: record.id,
    customerId: String(record.customerId ?? ''),
    customerName: row.customer_name,
    title: stringOr(record.title),
    stage: stage && (OPPORTUNITY_STAGES as readonly string[]).includes(stage) ? (stage as OpportunityStage) : null,
    amount: number(record.amount),
    expectedCloseDate: stringOr(record.expectedCloseDate),
    probability: number(record.probability),
    ownerId: stringOr(record.ownerId),
    ownerName: row.owner_name,
    updatedAt: Number(record.updatedAt ?? 0),
    writable: row.writable === 1,
    pending: row.pending === 1,
  };
}

// ---- saved views (this device only; they hold criteria, never records) ---------------------

const VIEWS_KEY = 'opportunity-views';
const MAX_VIEWS = 50;

export function listOpportunityViews(db: VaultDb): OpportunityView[] {
  const raw = db.internalMeta(VIEWS_KEY);
  if (!raw) return [];
  const parsed = z.array(opportunityViewSchema).safeParse(JSON.parse(raw));
  // A stored list this version cannot read is dropped rather than shown half-understood.
  return parsed.success ? parsed.data : [];
}

/** Adds the view, or replaces the one with the same id or (case-insensitively) the same name. */
export function saveOpportunityView(db: VaultDb, view: OpportunityView): OpportunityView[] {
  const parsed = opportunityViewSchema.safeParse(view);
  if (!parsed.success) throw new VaultError('invalid_input', `Invalid view: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  const next = parsed.data;
  const others = listOpportunityViews(db).filter((v) => v.id !== next.id && v.name.toLowerCase() !== next.name.toLowerCase());
  if (others.length >= MAX_VIEWS) throw new VaultError('invalid_input', `At most ${MAX_VIEWS} saved views.`);
  const views = [...others, next].sort((a, b) => a.name.localeCompare(b.name));
  db.setInternalMeta(VIEWS_KEY, JSON.stringify(views));
  return views;
}

export function deleteOpportunityView(db: VaultDb, id: string): OpportunityView[] {
  const views = listOpportunityViews(db).filter((v) => v.id !== id);
  db.setInternalMeta(VIEWS_KEY, JSON.stringify(views));
  return views;
}
