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

  // The pipeline by rep and the roll-up both count deals per owner under the period (the rep
  // figures also under the owner filter): one read of the owner index (schema.ts, migration 12)
  // gives both, per owner and stage, instead of one pass each with its own per-row conditions.
  // An owner's amount is then the sum of its stages' sums: whole amounts add up exactly, and
  // fractional ones can differ from one sum over the rows only in the last binary digit.
  const period = { ...(filter.closeFrom ? { closeFrom: filter.closeFrom } : {}), ...(filter.closeTo ? { closeTo: filter.closeTo } : {}) };
  const ownerStages = dealsByOwnerAndStage(db, period);
  const pipelineByRep = repPipeline(ownerStages, filter.ownerIds);

  // Every owner of a deal in the vault, whatever the filter (the owner filter's choices), by
  // seeks in the owner index (ownersOf) rather than reading its 100k entries.
  const dealOwners = db.stmt(
    `WITH RECURSIVE ${ownersOf('opportunities')}
     SELECT o.id AS ownerId, coalesce(u.display_name, o.id) AS ownerName
     FROM owners o LEFT JOIN users u ON u.id = o.id WHERE o.id IS NOT NULL
     ORDER BY u.sort_key IS NULL, u.sort_key, ownerName, o.id`,
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
    // order, collation.ts) and stops at the limit. The owners are checked on the way (`+`: not
    // through the owner index, which would collect and sort every customer of theirs).
    `SELECT id AS customerId, coalesce(name, id) AS name, last_activity_at AS lastActivityAt FROM customers
     WHERE (last_activity_at IS NULL OR last_activity_at < ?) ${filter.ownerIds ? `AND +owner_id IN ${inOwners}` : ''}
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
    rollup: rollup(db, ownerStages, notContactedBefore),
    computedAt: now,
  };
}

/**
 * A recursive CTE `owners(id)`: the distinct owner ids of `table`, found by seeking from one owner
 * to the next in an index that starts with owner_id (a few dozen seeks rather than reading every
 * entry); its last row is NULL, so readers keep `id IS NOT NULL`.
 */
function ownersOf(table: 'customers' | 'opportunities'): string {
  return `owners(id) AS (
       SELECT (SELECT min(owner_id) FROM ${table})
       UNION ALL SELECT (SELECT min(owner_id) FROM ${table} WHERE owner_id > owners.id) FROM owners WHERE owners.id IS NOT NULL)`;
}

/** The deals of one owner at one stage (stage null: not stored, e.g. above clearance). */
interface OwnerStage {
  ownerId: string;
  ownerName: string;
  stage: string | null;
  n: number;
  amount: number;
}

/** Deals with an owner under the period, counted and summed per owner and stage, with the owner's name. */
function dealsByOwnerAndStage(db: VaultDb, period: TeamDashboardFilter): OwnerStage[] {
  const where = dealWhere(period, ['o.owner_id IS NOT NULL']);
  return db.stmt(
    `SELECT g.ownerId, coalesce(u.display_name, g.ownerId) AS ownerName, g.stage, g.n, g.amount FROM (
       SELECT o.owner_id AS ownerId, o.stage AS stage, count(*) AS n, total(o.amount) AS amount
       FROM opportunities o ${where.sql} GROUP BY o.owner_id, o.stage) g
     LEFT JOIN users u ON u.id = g.ownerId`,
  ).all(...where.params) as OwnerStage[];
}

/** SQLite's BINARY order of two strings (UTF-8 bytes), which JavaScript's < (UTF-16 units) differs from above U+FFFF. */
function binaryOrder(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The open pipeline per owner (a stage that is neither won nor lost; a deal without a stored
 * stage is in no pipeline), owners narrowed by the filter, largest amount first, then by owner
 * id as SQLite orders it.
 */
function repPipeline(ownerStages: readonly OwnerStage[], ownerIds: readonly string[] | undefined): TeamDashboard['pipelineByRep'] {
  const wanted = ownerIds ? new Set(ownerIds) : null;
  const reps = new Map<string, TeamDashboard['pipelineByRep'][number]>();
  for (const g of ownerStages) {
    if (g.stage === null || g.stage === 'won' || g.stage === 'lost' || (wanted && !wanted.has(g.ownerId))) continue;
    const rep = reps.get(g.ownerId);
    if (rep) {
      rep.count += g.n;
      rep.amount += g.amount;
    } else reps.set(g.ownerId, { ownerId: g.ownerId, ownerName: g.ownerName, count: g.n, amount: g.amount });
  }
  return [...reps.values()].sort((a, b) => b.amount - a.amount || binaryOrder(a.ownerId, b.ownerId));
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
function rollup(db: VaultDb, ownerStages: readonly OwnerStage[], notContactedBefore: number): RollupRow[] {
  const open = new Set<string>(OPEN_STAGES);
  const figures = new Map<string, OwnerFigures>();
  const of = (ownerId: string) => {
    let f = figures.get(ownerId);
    if (!f) figures.set(ownerId, (f = { openCount: 0, openAmount: 0, won: 0, lost: 0, notContacted: 0 }));
    return f;
  };
  // Every owner of a deal in the period has figures, even when none of its deals has a stage.
  for (const g of ownerStages) {
    const f = of(g.ownerId);
    if (g.stage !== null && open.has(g.stage)) {
      f.openCount += g.n;
      f.openAmount += g.amount;
    } else if (g.stage === 'won') f.won += g.n;
    else if (g.stage === 'lost') f.lost += g.n;
  }
  // Not contacted, per owner, inside the (owner, last activity) index (schema.ts, migration 12):
  // from one owner to the next by seeks, and per owner the never-contacted range (NULL) and the
  // range before the cutoff, two disjoint counts. Owners with none are left out, as before.
  for (const r of db.stmt(
    `WITH RECURSIVE ${ownersOf('customers')}
     SELECT ownerId, n FROM (
       SELECT id AS ownerId,
         (SELECT count(*) FROM customers WHERE owner_id = owners.id AND last_activity_at IS NULL)
         + (SELECT count(*) FROM customers WHERE owner_id = owners.id AND last_activity_at < ?) AS n
       FROM owners WHERE id IS NOT NULL)
     WHERE n > 0`,
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
