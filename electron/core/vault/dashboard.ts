// The team dashboard over everything in the vault (the vault holds exactly the user's scope),
// under the dashboard's filters: a close-date period, owners and an org unit (a branch or a team:
// its members, by the owners' units the pull's directory delivered). The roll-up by branch and
// team applies the period only. Each figure is computed with
// the same criteria a drill-down sends to the opportunities list (opportunity-queries.ts), so
// clicking a figure lands on exactly the records behind it. Rules:
// docs/pipeline-and-dashboards.md.

import type { TeamDashboard } from '../../../shared/api/desktop-api';
import { OPEN_STAGES, type FunnelStep, type RollupRow, type TeamDashboardFilter } from '../../../shared/api/opportunities';
import { OPPORTUNITY_STAGES, type OpportunityStage } from '../../../shared/domain/model';
import { DAY_MS, WEEK_MS, isoDate, isoWeekStart } from './dates';
import type { VaultDb } from './db';
import { opportunityWhere } from './opportunity-queries';
import { activityWeekCounts } from './facet-counts';

const NOT_CONTACTED_DAYS = 30;
const NOT_CONTACTED_LIMIT = 100;
const DASHBOARD_WEEKS = 8;

/** The opportunity criteria of the dashboard's filter (AND-ed with each figure's own). */
function dealWhere(filter: TeamDashboardFilter, extra: string[] = [], extraParams: unknown[] = []): { sql: string; params: unknown[] } {
  const base = opportunityWhere({ closeFrom: filter.closeFrom, closeTo: filter.closeTo, ownerIds: filter.ownerIds });
  const clauses = [base.sql.replace(/^WHERE /, ''), ...extra].filter(Boolean);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params: [...base.params, ...extraParams] };
}

/**
 * pipelineByStage covers every stage; pipelineByRep is the open pipeline (not won or lost); the
 * funnel and the win rate follow from the stage counts. Amounts above the user's clearance are
 * absent and count as 0.
 */
export function teamDashboard(db: VaultDb, now: number, requested: TeamDashboardFilter = {}): TeamDashboard {
  // A unit narrows the owners to its members (and those of the units below it); the echoed
  // filter names them, so every drill-down applies exactly the owners counted here.
  let filter = requested;
  if (requested.unitId !== undefined) {
    const members = unitMembers(db, requested.unitId);
    const ownerIds = requested.ownerIds ? requested.ownerIds.filter((id) => members.includes(id)) : members;
    filter = { ...requested, ownerIds };
  }
  const stageWhere = dealWhere(filter, ['o.stage IS NOT NULL']);
  const byStage = new Map(
    (db.stmt(`SELECT o.stage AS stage, count(*) AS n, total(o.amount) AS amount FROM opportunities o ${stageWhere.sql} GROUP BY o.stage`).all(...stageWhere.params) as {
      stage: string; n: number; amount: number;
    }[]).map((r) => [r.stage, r]),
  );
  const pipelineByStage = OPPORTUNITY_STAGES.map((stage: OpportunityStage) => ({
    stage,
    count: byStage.get(stage)?.n ?? 0,
    amount: byStage.get(stage)?.amount ?? 0,
  }));

  const repWhere = dealWhere(filter, [`o.stage NOT IN ('won', 'lost')`, 'o.owner_id IS NOT NULL']);
  const pipelineByRep = db.stmt(
    `SELECT o.owner_id AS ownerId, coalesce(u.display_name, o.owner_id) AS ownerName, count(*) AS count, total(o.amount) AS amount
     FROM opportunities o LEFT JOIN users u ON u.id = o.owner_id
     ${repWhere.sql}
     GROUP BY o.owner_id ORDER BY amount DESC, o.owner_id`,
  ).all(...repWhere.params) as TeamDashboard['pipelineByRep'];

  // Every owner of a deal in the vault, whatever the filter (the owner filter's choices).
  const dealOwners = db.stmt(
    `SELECT o.owner_id AS ownerId, coalesce(u.display_name, o.owner_id) AS ownerName
     FROM (SELECT DISTINCT owner_id FROM opportunities WHERE owner_id IS NOT NULL) o LEFT JOIN users u ON u.id = o.owner_id
     ORDER BY u.sort_key IS NULL, u.sort_key, ownerName, o.owner_id`,
  ).all() as TeamDashboard['owners'];

  const won = byStage.get('won')?.n ?? 0;
  const lost = byStage.get('lost')?.n ?? 0;

  const thisWeek = isoWeekStart(now);
  const firstWeek = thisWeek - (DASHBOARD_WEEKS - 1) * WEEK_MS;
  const owners = filter.ownerIds ?? [];
  // An owner filter that selects nobody (a team without members) selects nothing, never everything.
  const inOwners = owners.length ? `(${owners.map(() => '?').join(', ')})` : '(NULL)';
  // Logged activities only (docs/follow-ups.md), from the counts kept per week and author (facet-counts.ts).
  const perWeek = activityWeekCounts(db, firstWeek, thisWeek + WEEK_MS, filter.ownerIds);
  const activitiesPerWeek = Array.from({ length: DASHBOARD_WEEKS }, (_, i) => ({
    weekStart: isoDate(firstWeek + i * WEEK_MS),
    count: perWeek.get(firstWeek + i * WEEK_MS) ?? 0,
  }));

  const notContactedBefore = now - NOT_CONTACTED_DAYS * DAY_MS;
  const byOwner = filter.ownerIds ? `AND owner_id IN ${inOwners}` : '';
  const ownerParam = owners;
  const notContacted30d = db.stmt(
    // last_activity_at is kept by triggers (schema.ts); the index (last_activity_at, sort_key, id)
    // is read in this order (never contacted first: NULLs sort first; then names in pinyin
    // order, collation.ts) and stops at the limit.
    `SELECT id AS customerId, coalesce(name, id) AS name, last_activity_at AS lastActivityAt FROM customers
     WHERE (last_activity_at IS NULL OR last_activity_at < ?) ${byOwner}
     ORDER BY last_activity_at, sort_key, id LIMIT ?`,
  ).all(notContactedBefore, ...ownerParam, NOT_CONTACTED_LIMIT) as TeamDashboard['notContacted30d'];

  // The list above is capped; the card states how many qualify in all (an honest count).
  const notContacted30dTotal = (
    db.stmt(`SELECT count(*) AS n FROM customers WHERE (last_activity_at IS NULL OR last_activity_at < ?) ${byOwner}`).get(notContactedBefore, ...ownerParam) as { n: number }
  ).n;

  const overdueBefore = isoDate(now - DAY_MS);
  const overdueWhere = dealWhere(filter, [`o.stage NOT IN ('won', 'lost')`, 'o.expected_close_date <= ?'], [overdueBefore]);
  const overdue = (db.stmt(`SELECT count(*) AS n FROM opportunities o ${overdueWhere.sql}`).get(...overdueWhere.params) as { n: number }).n;

  return {
    filter,
    pipelineByStage,
    funnel: stageFunnel(pipelineByStage),
    owners: dealOwners,
    pipelineByRep,
    winRate: { won, lost, rate: won + lost > 0 ? won / (won + lost) : null },
    activitiesPerWeek,
    notContacted30d,
    notContacted30dTotal,
    overdue,
    overdueBefore,
    units: db.stmt('SELECT id, parent_id AS parentId, name, kind FROM org_units ORDER BY name, id').all() as TeamDashboard['units'],
    rollup: rollup(db, { ...(filter.closeFrom ? { closeFrom: filter.closeFrom } : {}), ...(filter.closeTo ? { closeTo: filter.closeTo } : {}) }, notContactedBefore),
    computedAt: now,
  };
}

/** Owners whose unit is `unitId` or lies below it (by the units and owner units the pull delivered). */
function unitMembers(db: VaultDb, unitId: string): string[] {
  return (db.stmt(
    `WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT u.id FROM org_units u JOIN sub ON u.parent_id = sub.id)
     SELECT id FROM users WHERE unit_id IN (SELECT id FROM sub) ORDER BY id`,
  ).all(unitId) as { id: string }[]).map((r) => r.id);
}

interface OwnerFigures {
  openCount: number;
  openAmount: number;
  won: number;
  lost: number;
  notContacted: number;
}

/**
 * The roll-up: per branch (a row for the branch, one per team, one for its staff outside any
 * team when they hold anything) and one row for the owners outside every branch. Figures are
 * summed per owner, then per row, so the branch rows and the 'other' row add up to the vault.
 */
function rollup(db: VaultDb, period: TeamDashboardFilter, notContactedBefore: number): RollupRow[] {
  const openStages = OPEN_STAGES.map((s) => `'${s}'`).join(', ');
  const where = dealWhere(period, ['o.owner_id IS NOT NULL']);
  const figures = new Map<string, OwnerFigures>();
  const of = (ownerId: string) => {
    let f = figures.get(ownerId);
    if (!f) figures.set(ownerId, (f = { openCount: 0, openAmount: 0, won: 0, lost: 0, notContacted: 0 }));
    return f;
  };
  for (const r of db.stmt(
    `SELECT o.owner_id AS ownerId, sum(o.stage IN (${openStages})) AS openCount,
       total(CASE WHEN o.stage IN (${openStages}) THEN o.amount END) AS openAmount,
       sum(o.stage = 'won') AS won, sum(o.stage = 'lost') AS lost
     FROM opportunities o ${where.sql} GROUP BY o.owner_id`,
  ).all(...where.params) as (Omit<OwnerFigures, 'notContacted'> & { ownerId: string })[]) {
    Object.assign(of(r.ownerId), { openCount: r.openCount, openAmount: r.openAmount, won: r.won, lost: r.lost });
  }
  for (const r of db.stmt(
    `SELECT owner_id AS ownerId, count(*) AS n FROM customers WHERE (last_activity_at IS NULL OR last_activity_at < ?) AND owner_id IS NOT NULL GROUP BY owner_id`,
  ).all(notContactedBefore) as { ownerId: string; n: number }[]) {
    of(r.ownerId).notContacted = r.n;
  }

  const units = new Map((db.stmt('SELECT id, parent_id AS parentId, name, kind FROM org_units').all() as { id: string; parentId: string | null; name: string; kind: string }[]).map((u) => [u.id, u]));
  /** The nearest unit of `kind` at or above `unitId`. */
  const up = (unitId: string | null, kind: string): string | null => {
    for (let id = unitId, hops = 0; id && hops < 64; hops++) {
      const unit = units.get(id);
      if (!unit) return null;
      if (unit.kind === kind) return unit.id;
      id = unit.parentId;
    }
    return null;
  };
  const unitOf = new Map((db.stmt('SELECT id, unit_id AS unitId FROM users').all() as { id: string; unitId: string | null }[]).map((u) => [u.id, u.unitId]));

  const newRow = (kind: RollupRow['kind'], unitId: string | null, name: string): RollupRow => ({
    kind, unitId, name, ownerIds: [], openCount: 0, openAmount: 0, won: 0, lost: 0, winRate: null, notContacted: 0,
  });
  const branches = new Map<string, { row: RollupRow; teams: Map<string, RollupRow>; direct: RollupRow }>();
  const branchEntry = (id: string) => {
    let b = branches.get(id);
    if (!b) branches.set(id, (b = { row: newRow('branch', id, units.get(id)?.name ?? id), teams: new Map(), direct: newRow('direct', id, '') }));
    return b;
  };
  for (const u of units.values()) {
    if (u.kind === 'branch') branchEntry(u.id);
    if (u.kind === 'team') {
      const branch = up(u.parentId, 'branch');
      if (branch) branchEntry(branch).teams.set(u.id, newRow('team', u.id, u.name));
    }
  }
  const other = newRow('other', null, '');
  const add = (row: RollupRow, ownerId: string, f: OwnerFigures | undefined) => {
    row.ownerIds.push(ownerId);
    if (!f) return;
    row.openCount += f.openCount;
    row.openAmount += f.openAmount;
    row.won += f.won;
    row.lost += f.lost;
    row.notContacted += f.notContacted;
  };
  // Every known member (so an empty team still drills into its people), and every owner of a figure.
  for (const ownerId of new Set([...unitOf.keys(), ...figures.keys()])) {
    const f = figures.get(ownerId);
    const unitId = unitOf.get(ownerId) ?? null;
    const branchId = up(unitId, 'branch');
    if (!branchId) {
      if (f) add(other, ownerId, f);
      continue;
    }
    const b = branchEntry(branchId);
    add(b.row, ownerId, f);
    const teamId = up(unitId, 'team');
    const team = teamId ? b.teams.get(teamId) : undefined;
    add(team ?? b.direct, ownerId, f);
  }

  // By code point: 一组 before 二组 (a pinyin collation would put 二 "er" first), then by id.
  const key = (r: RollupRow) => `${r.name}\u0000${r.unitId}`;
  const byName = (a: RollupRow, c: RollupRow) => (key(a) < key(c) ? -1 : key(a) > key(c) ? 1 : 0);
  const held = (r: RollupRow) => r.openCount + r.won + r.lost + r.notContacted > 0;
  const rows: RollupRow[] = [];
  for (const b of [...branches.values()].sort((x, y) => byName(x.row, y.row))) {
    rows.push(b.row, ...[...b.teams.values()].sort(byName));
    if (held(b.direct)) rows.push(b.direct);
  }
  if (held(other)) rows.push(other);
  for (const r of rows) {
    r.ownerIds.sort();
    r.winRate = r.won + r.lost > 0 ? r.won / (r.won + r.lost) : null;
  }
  return rows;
}

/**
 * The stage funnel from the current stage counts: a deal at a stage has passed every earlier
 * one, and a won deal has passed them all. Lost deals are left out (at which stage a deal was
 * lost is not stored), so they neither inflate nor deflate a conversion.
 */
export function stageFunnel(byStage: readonly { stage: OpportunityStage; count: number; amount: number }[]): FunnelStep[] {
  const of = (stage: OpportunityStage) => byStage.find((s) => s.stage === stage) ?? { count: 0, amount: 0 };
  const steps: (FunnelStep['stage'])[] = [...OPEN_STAGES, 'won'];
  const reached = steps.map((_, i) => steps.slice(i).reduce((sum, s) => sum + of(s).count, 0));
  return steps.map((stage, i) => ({
    stage,
    count: of(stage).count,
    amount: of(stage).amount,
    reached: reached[i]!,
    conversion: i < steps.length - 1 && reached[i]! > 0 ? reached[i + 1]! / reached[i]! : null,
  }));
}
