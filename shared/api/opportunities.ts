import { z } from 'zod';
import { OPPORTUNITY_STAGES, type OpportunityStage } from '../domain/model';
import { idSchema } from '../protocol/common';

// The opportunities list, the pipeline board and the dashboard's filters as the desktop API
// speaks them (see desktop-api.ts). Rules: docs/pipeline-and-dashboards.md.

/** The stages a deal moves through while it is open, in order; won and lost close it. */
export const OPEN_STAGES = ['lead', 'qualified', 'proposal', 'negotiation'] as const satisfies readonly OpportunityStage[];
export const CLOSED_STAGES = ['won', 'lost'] as const satisfies readonly OpportunityStage[];

export function isOpenStage(stage: string): boolean {
  return (OPEN_STAGES as readonly string[]).includes(stage);
}

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as yyyy-mm-dd');

/** What selects opportunities: every criterion given must hold (AND); a list means any of it. */
export const opportunityFilterSchema = z.object({
  stages: z.array(z.enum(OPPORTUNITY_STAGES)).max(OPPORTUNITY_STAGES.length).optional(),
  ownerIds: z.array(idSchema).max(200).optional(),
  /** Expected close date from (inclusive), yyyy-mm-dd. */
  closeFrom: isoDay.optional(),
  /** Expected close date to (inclusive), yyyy-mm-dd. */
  closeTo: isoDay.optional(),
  amountMin: z.number().finite().min(0).optional(),
  amountMax: z.number().finite().min(0).optional(),
  customerId: idSchema.optional(),
});
export type OpportunityFilter = z.infer<typeof opportunityFilterSchema>;

export const OPPORTUNITY_SORTS = ['closeDate', 'amount', 'title', 'customer', 'stage', 'owner', 'probability', 'updatedAt'] as const;
export type OpportunitySort = (typeof OPPORTUNITY_SORTS)[number];

export const listOpportunitiesInput = opportunityFilterSchema.extend({
  sort: z.enum(OPPORTUNITY_SORTS).default('closeDate'),
  order: z.enum(['asc', 'desc']).default('asc'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(50),
});

export interface OpportunityListItem {
  id: string;
  customerId: string;
  customerName: string | null;
  title: string | null;
  stage: OpportunityStage | null;
  /** Absent (null) when above the user's read clearance. */
  amount: number | null;
  expectedCloseDate: string | null;
  probability: number | null;
  ownerId: string | null;
  ownerName: string | null;
  updatedAt: number;
  /** The server's last write verdict for the deal's customer (the UI offers a move only then). */
  writable: boolean;
  /** Local edits of this deal wait in the outbox. */
  pending: boolean;
}

export interface OpportunityPage {
  /** Every opportunity the filter selects (not only this page). */
  total: number;
  /** Sum of the readable amounts of every selected opportunity. */
  amountTotal: number;
  rows: OpportunityListItem[];
}

/**
 * The dashboard's own filters: a close-date period, owners (one rep, or several), and an org unit
 * (a branch or a team: its members and those of the units below it; with owners, both must hold).
 */
export const teamDashboardInput = z
  .object({
    closeFrom: isoDay.optional(),
    closeTo: isoDay.optional(),
    ownerIds: z.array(idSchema).min(1).max(200).optional(),
    unitId: idSchema.optional(),
  })
  .optional();

/**
 * One row of the roll-up by branch and team (docs/pipeline-and-dashboards.md): a branch (its
 * teams and its own staff), a team, the branch staff outside any team ('direct'), or the owners
 * outside every branch in the vault ('other': owners of customers shared with the user). The rows
 * of kind 'branch' and 'other' add up to the whole vault under the period.
 */
export interface RollupRow {
  kind: 'branch' | 'team' | 'direct' | 'other';
  /** The org unit (a branch or a team; for 'direct' its branch); null for 'other'. */
  unitId: string | null;
  /** The unit's name; '' for 'direct' and 'other' (the UI names them). */
  name: string;
  /** Everyone whose records the row counts (the drill-downs' owner filter). */
  ownerIds: string[];
  /** Open deals (lead to negotiation) and their readable amounts. */
  openCount: number;
  openAmount: number;
  won: number;
  lost: number;
  /** won / (won + lost), null when neither. */
  winRate: number | null;
  /** Customers not contacted in 30 days (all of them, not capped). */
  notContacted: number;
}
export type TeamDashboardFilter = NonNullable<z.infer<typeof teamDashboardInput>>;

/**
 * One step of the stage funnel. `reached`: deals now at this stage or beyond it (won counts as
 * beyond every open stage; lost deals are kept apart, their last stage is not known).
 * `conversion`: reached of the next step / reached of this one (null at the last open stage or
 * when nothing reached this one).
 */
export interface FunnelStep {
  stage: (typeof OPEN_STAGES)[number] | 'won';
  count: number;
  amount: number;
  reached: number;
  conversion: number | null;
}

/** A saved view of the opportunities list (kept in the vault of this device). */
export const opportunityViewSchema = z.object({
  id: idSchema,
  name: z.string().trim().min(1).max(60),
  filter: opportunityFilterSchema,
  sort: z.enum(OPPORTUNITY_SORTS),
  order: z.enum(['asc', 'desc']),
});
export type OpportunityView = z.infer<typeof opportunityViewSchema>;
