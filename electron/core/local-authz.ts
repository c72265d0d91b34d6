// Offline pre-checks of local edits, through the shared permission engine (never inline rules).
// The server stays authoritative and re-authorizes every pushed mutation; this only refuses
// edits that are obviously denied so the user learns it now rather than at the next sync.
//
// The client knows less than the server: its grant names the role, scope and clearances, but
// not the org tree or other users' units. What it does know per customer is the server's own
// verdict from the last pull (`writable`). That verdict is handed to the engine as what it is —
// an access the server granted on this record — in the form of a share to the subject, so the
// engine still makes the decision (action allowed? write access? fields within clearance?).

import { ADMIN_ACTIONS, type Action, type EntityType, type FieldClassification, type OrgUnit, type Role, type RoleKey, type Share, type User } from '../../shared/domain/model';
import type { GrantClaims } from '../../shared/protocol/grant';
import {
  authorize,
  buildOrgTree,
  fieldsAboveWriteClearance,
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
  | { kind: 'new-customer'; customerId: string }
  /** an existing customer (or a child of it) as last pulled */
  | { kind: 'existing'; customerId: string; ownerId: string; writable: boolean };

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
  now: number,
): Decision & { fields?: string[] } {
  const subject = subjectFromGrant(grant);
  const tree = ownUnitTree(grant);
  let decision: Decision;
  if (target.kind === 'new-customer') {
    decision = authorize(subject, action, tree, {
      record: { customerId: target.customerId, ownerId: grant.sub, ownerUnitId: grant.unitId },
      shares: [],
      now,
    });
  } else {
    // The owner's unit is unknown offline; the server's verdict stands in for the scope check.
    const serverVerdict: Share = {
      id: 'server-verdict',
      customerId: target.customerId,
      granteeType: 'user',
      granteeId: grant.sub,
      access: target.writable ? 'write' : 'read',
      expiresAt: null,
      revokedAt: null,
    };
    decision = authorize(subject, action, tree, {
      record: {
        customerId: target.customerId,
        ownerId: target.ownerId,
        ownerUnitId: target.ownerId === grant.sub ? grant.unitId : '',
      },
      shares: [serverVerdict],
      now,
    });
  }
  if (!decision.allowed) return decision;
  const above = fieldsAboveWriteClearance(entity, fields, grant.writeClearance, grant.classification as FieldClassification, grant.readClearance);
  if (above.length > 0) return { allowed: false, reason: 'above_clearance', fields: above };
  return decision;
}

/** Fields of `entity` this user may write (for defaults of a create). */
export function writableFieldsFor(grant: GrantClaims, entity: EntityType): string[] {
  return writableFields(entity, grant.writeClearance, grant.classification as FieldClassification, grant.readClearance);
}
