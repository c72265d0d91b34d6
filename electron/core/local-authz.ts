// Offline pre-checks of local edits, through the shared permission engine (never inline rules).
// The server stays authoritative and re-authorizes every pushed mutation; this only refuses
// edits that are obviously denied so the user learns it now rather than at the next sync.
//
// The client knows less than the server: its grant names the role, scope and clearances, but
// not the org tree, other users' units or the shares. What it does know per customer is the
// server's own verdict from the last pull (`writable`: this user may write this customer, decided
// by the server with the same engine over scope, ownership and shares). That verdict is used as
// it is: the engine answers whether the role allows the action at all, the verdict whether this
// record may be written, the clearance which fields.

import { ADMIN_ACTIONS, type Action, type EntityType, type FieldClassification, type OrgUnit, type Role, type RoleKey, type User } from '../../shared/domain/model';
import type { GrantClaims } from '../../shared/protocol/grant';
import {
  authorize,
  buildOrgTree,
  fieldsAboveWriteClearance,
  isWriteAction,
  writableFields,
  type Decision,
  type Subject,
} from '../../shared/permissions/engine';

export function subjectFromGrant(grant: GrantClaims): Subject {
  const user: User = {
    id: grant.sub,
    username: grant.username,
    displayName: grant.displayName,
    unitId: grant.unitId,
    roleId: grant.role.id,
    managedUnitIds: [],
    status: 'active',
  };
  const role: Role = {
    id: grant.role.id,
    key: grant.role.key as RoleKey | null,
    name: grant.role.name,
    actions: grant.actions,
    dataScope: grant.dataScope,
    readClearance: grant.readClearance,
    writeClearance: grant.writeClearance,
    offline: grant.offline,
  };
  return { user, role };
}

function ownUnitTree(grant: GrantClaims) {
  const unit: OrgUnit = { id: grant.unitId, parentId: null, name: grant.unitId, kind: 'team' };
  return buildOrgTree([unit]);
}

/** What the client knows about the customer an edit touches. */
export type EditTarget =
  /** a customer this user is creating (owner = the user) */
  | { kind: 'new-customer' }
  /** an existing customer (or a child of it) with the server's write verdict from the last pull */
  | { kind: 'existing'; customerId: string; writable: boolean };

/**
 * Does the role allow `action` at all? Admin/dashboard actions are asked as they are; a record
 * action is asked about a record the user owns (inside every data scope except `none`), so the
 * engine answers "may this role do this to the records it can see".
 */
export function authorizeAction(grant: GrantClaims, action: Action): Decision {
  const subject = subjectFromGrant(grant);
  const tree = ownUnitTree(grant);
  if ((ADMIN_ACTIONS as readonly string[]).includes(action)) return authorize(subject, action, tree);
  return authorize(subject, action, tree, {
    record: { customerId: 'scope-probe', ownerId: grant.sub, ownerUnitId: grant.unitId },
    shares: [],
    now: 0,
  });
}

/**
 * May this user make this edit, as far as the client can tell offline?
 * Returns the engine's decision; `fields` above the write clearance deny with 'above_clearance'.
 */
export function authorizeLocalEdit(
  grant: GrantClaims,
  action: Action,
  entity: EntityType,
  target: EditTarget,
  fields: readonly string[],
): Decision & { fields?: string[] } {
  // A new customer is owned by the user, so the role's own answer is the whole answer.
  const decision = authorizeAction(grant, action);
  if (!decision.allowed) return decision;
  // An existing record: the server's verdict on this record decides whether it may be written.
  if (target.kind === 'existing' && isWriteAction(action) && !target.writable) return { allowed: false, reason: 'read_only_share' };
  const above = fieldsAboveWriteClearance(entity, fields, grant.writeClearance, grant.classification as FieldClassification, grant.readClearance);
  if (above.length > 0) return { allowed: false, reason: 'above_clearance', fields: above };
  return decision;
}

/** Fields of `entity` this user may write (for defaults of a create). */
export function writableFieldsFor(grant: GrantClaims, entity: EntityType): string[] {
  return writableFields(entity, grant.writeClearance, grant.classification as FieldClassification, grant.readClearance);
}
