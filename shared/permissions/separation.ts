// Separation of duties (职责分离): people who administer access never hold customer data, and
// nobody widens their own access. Pure functions, used by the server to refuse or hold changes
// and by the client to explain them.
//
// The rules:
//   - A role either administers (admin.*, audit.read, review.conduct) or works with records
//     (customer.* … activity.*, dashboard.team), never both; an administering role's data
//     scope is `none`.
//   - A change that widens someone's access (a role gaining actions, data scope, clearance or a
//     looser offline policy; a user placed into a role, unit or managed units that reach more)
//     is applied at once only when the person making it already covers what it grants;
//     otherwise a second administrator must approve it.

import type { Action, DataScope, FieldLevel, OfflinePolicy, Role, User } from '../domain/model';
import { FIELD_LEVELS } from '../domain/model';
import { scopeUnitIds, type OrgTree } from './engine';

export const ADMINISTERING_ACTIONS: readonly Action[] = [
  'admin.users',
  'admin.devices',
  'admin.roles',
  'audit.read',
  'review.conduct',
];
const ADMINISTERING: ReadonlySet<string> = new Set(ADMINISTERING_ACTIONS);

export type ActionKind = 'administering' | 'record';
export type RoleKind = ActionKind | 'empty' | 'mixed';

/** Every action is one kind or the other: the administering list, or record work (incl. dashboard.team). */
export function actionKind(action: Action): ActionKind {
  return ADMINISTERING.has(action) ? 'administering' : 'record';
}

export function roleKind(role: Pick<Role, 'actions'>): RoleKind {
  const kinds = new Set(role.actions.map(actionKind));
  if (kinds.size === 0) return 'empty';
  if (kinds.size > 1) return 'mixed';
  return kinds.has('administering') ? 'administering' : 'record';
}

export type RoleDutyViolation = 'mixed_duties' | 'admin_scope_not_none';

/** Why a role breaks separation of duties, or null when it is valid. */
export function roleDutyViolation(role: Pick<Role, 'actions' | 'dataScope'>): RoleDutyViolation | null {
  const kind = roleKind(role);
  if (kind === 'mixed') return 'mixed_duties';
  if (kind === 'administering' && role.dataScope !== 'none') return 'admin_scope_not_none';
  return null;
}

// ---- widening -----------------------------------------------------------------------------

export type WideningReason =
  | 'actions_gained'
  | 'scope_widened'
  | 'read_clearance_raised'
  | 'write_clearance_raised'
  | 'offline_loosened'
  | 'units_gained'
  | 'share_reach_gained'
  | 'activated';

function levelRank(level: FieldLevel): number {
  const rank = FIELD_LEVELS.indexOf(level);
  return rank < 0 ? FIELD_LEVELS.length - 1 : rank;
}

/**
 * true when scope `after` may reach a record `before` does not, for the same user. `team` and
 * `unit` reach different units, so a switch between them counts as wider (the unit sets are
 * compared precisely by userChangeWidens, which knows the user's placement).
 */
function scopeWider(after: DataScope, before: DataScope): boolean {
  if (after === before || after === 'none') return false;
  if (before === 'all') return false;
  if (after === 'all') return true;
  if (before === 'none') return true;
  if (after === 'own') return false;
  return before === 'own' || after !== before;
}

function offlineLooser(after: OfflinePolicy, before: OfflinePolicy): boolean {
  return (
    (after.offlineAllowed && !before.offlineAllowed) ||
    after.leaseHours > before.leaseHours ||
    after.wipeAfterHours > before.wipeAfterHours ||
    (after.exportAllowed && !before.exportAllowed) ||
    after.maxDevices > before.maxDevices
  );
}

type RoleShape = Pick<Role, 'actions' | 'dataScope' | 'readClearance' | 'writeClearance' | 'offline'>;

/** What `after` grants that `before` does not (empty = not wider). */
export function roleWidening(before: RoleShape, after: RoleShape): WideningReason[] {
  const reasons: WideningReason[] = [];
  const had = new Set(before.actions);
  if (after.actions.some((a) => !had.has(a))) reasons.push('actions_gained');
  if (scopeWider(after.dataScope, before.dataScope)) reasons.push('scope_widened');
  if (levelRank(after.readClearance) > levelRank(before.readClearance)) reasons.push('read_clearance_raised');
  if (levelRank(after.writeClearance) > levelRank(before.writeClearance)) reasons.push('write_clearance_raised');
  if (offlineLooser(after.offline, before.offline)) reasons.push('offline_loosened');
  return reasons;
}

/** A role that grants nothing: the "before" of a user who does not exist yet. */
export const NO_ACCESS: RoleShape = {
  actions: [],
  dataScope: 'none',
  readClearance: 'public',
  writeClearance: 'public',
  offline: { offlineAllowed: false, leaseHours: 0, wipeAfterHours: 0, exportAllowed: false, maxDevices: 0 },
};

export interface Placement {
  user: User;
  role: Role;
}

function unitsWithin(after: ReadonlySet<string> | 'all', before: ReadonlySet<string> | 'all'): boolean {
  if (before === 'all') return true;
  if (after === 'all') return false;
  for (const unit of after) if (!before.has(unit)) return false;
  return true;
}

/** The units whose unit-wide shares reach the user (none for a scope of `none` or an inactive user). */
function shareReach(p: Placement, tree: OrgTree): Set<string> {
  if (p.user.status !== 'active' || p.role.dataScope === 'none') return new Set();
  return new Set(tree.ancestors(p.user.unitId));
}

/**
 * What the user's placement `after` lets them see or do that `before` did not. `before` null =
 * the user does not exist yet (creating a user with any action at all is a widening).
 */
export function userChangeWidens(before: Placement | null, after: Placement, tree: OrgTree): WideningReason[] {
  if (after.user.status !== 'active') return [];
  if (before === null) {
    // A new account: whatever its role lets it do is new. A role without actions grants nothing.
    if (after.role.actions.length === 0) return [];
    return roleWidening(NO_ACCESS, after.role).filter((r) => r !== 'offline_loosened');
  }
  const reasons: WideningReason[] = [];
  if (before.user.status !== 'active') reasons.push('activated');
  for (const r of roleWidening(before.role, after.role)) if (r !== 'scope_widened') reasons.push(r);
  // Scope is compared on the units it actually reaches for this user, before and after.
  if (before.role.dataScope === 'none' && after.role.dataScope !== 'none') {
    reasons.push('scope_widened');
  } else if (!unitsWithin(scopeUnitIds(after, tree), scopeUnitIds(before, tree))) {
    reasons.push(after.role.dataScope === before.role.dataScope ? 'units_gained' : 'scope_widened');
  }
  const reachBefore = shareReach(before, tree);
  if ([...shareReach(after, tree)].some((unit) => !reachBefore.has(unit))) reasons.push('share_reach_gained');
  return [...new Set(reasons)];
}

/**
 * Does the actor's own access already cover what `granted` gives? Only a record-working actor
 * with an `all` scope can cover a role (a role applies to holders anywhere in the org), and only
 * when the role grants nothing the actor's own role lacks. Administering roles never cover: their
 * scope is `none`.
 */
export function actorCoversRole(actor: Placement, granted: RoleShape): boolean {
  if (actor.user.status !== 'active' || roleDutyViolation(actor.role) !== null) return false;
  if (actor.role.dataScope !== 'all') return false;
  return roleWidening(actor.role, granted).length === 0;
}

/**
 * Does the actor cover a user's new placement: nothing in the role beyond the actor's own, and
 * every unit it reaches (the user's own unit included, for their own records) inside the actor's
 * scope?
 */
export function actorCoversPlacement(actor: Placement, target: Placement, tree: OrgTree): boolean {
  if (actor.user.status !== 'active' || roleDutyViolation(actor.role) !== null || actor.role.dataScope === 'none') return false;
  if (roleWidening(actor.role, target.role).some((r) => r !== 'scope_widened')) return false;
  const actorUnits = scopeUnitIds(actor, tree);
  if (actorUnits === 'all') return true;
  const targetUnits = scopeUnitIds(target, tree);
  if (targetUnits === 'all') return false;
  return [...targetUnits, target.user.unitId].every((unit) => actorUnits.has(unit));
}
