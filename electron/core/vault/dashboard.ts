// The team dashboard over everything in the vault (the vault holds exactly the user's scope),
// under the dashboard's filters: a close-date period and one owner. Each figure is computed with
// the same criteria a drill-down sends to the opportunities list (opportunity-queries.ts), so
// clicking a figure lands on exactly the records behind it. Rules:
// docs/pipeline-and-dashboards.md.

import type { TeamDashboard } from '../../../shared/api/desktop-api';
import { OPEN_STAGES, type FunnelStep, type TeamDashboardFilter } from '../../../shared/api/opportunities';
import { OPPORTUNITY_STAGES, type OpportunityStage } from '../../../shared/domain/model';
import { DAY_MS, WEEK_MS, isoDate, isoWeekStart } from './dates';
import type { VaultDb } from './db';
import { opportunityWhere } from './opportunity-queries';

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
export function teamDashboard(db: VaultDb, now: number, filter: TeamDashboardFilter = {}): TeamDashboard {
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
     ORDER BY ownerName, o.owner_id`,
  ).all() as TeamDashboard['owners'];

  const won = byStage.get('won')?.n ?? 0;
  const lost = byStage.get('lost')?.n ?? 0;

  const thisWeek = isoWeekStart(now);
  const firstWeek = thisWeek - (DASHBOARD_WEEKS - 1) * WEEK_MS;
  const owners = filter.ownerIds ?? [];
  const inOwners = `(${owners.map(() => '?').join(', ')})`;
  const byAuthor = owners.length ? `AND json_extract(record, '$.authorId') IN ${inOwners}` : '';
  const perWeek = new Map(
    // Logged activities only: an open follow-up is a plan, not a contact (docs/follow-ups.md).
    (db.stmt(`SELECT CAST((at - ?) / ? AS INTEGER) AS week, count(*) AS n FROM activities WHERE at >= ? AND at < ? AND (due_at IS NULL OR done_at IS NOT NULL) ${byAuthor} GROUP BY week`).all(
      firstWeek, WEEK_MS, firstWeek, thisWeek + WEEK_MS, ...owners,
    ) as { week: number; n: number }[]).map((r) => [r.week, r.n]),
  );
  const activitiesPerWeek = Array.from({ length: DASHBOARD_WEEKS }, (_, i) => ({
    weekStart: isoDate(firstWeek + i * WEEK_MS),
    count: perWeek.get(i) ?? 0,
  }));

  const notContactedBefore = now - NOT_CONTACTED_DAYS * DAY_MS;
  const byOwner = owners.length ? `AND owner_id IN ${inOwners}` : '';
  const ownerParam = owners;
  const notContacted30d = db.stmt(
    // last_activity_at is kept by triggers (schema.ts); the index (last_activity_at, name, id)
    // is read in this order (never contacted first: NULLs sort first) and stops at the limit.
    `SELECT id AS customerId, coalesce(name, id) AS name, last_activity_at AS lastActivityAt FROM customers
     WHERE (last_activity_at IS NULL OR last_activity_at < ?) ${byOwner}
     ORDER BY last_activity_at, name, id LIMIT ?`,
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
    computedAt: now,
  };
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
