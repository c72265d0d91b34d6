// Four eyes. A change that widens someone's access is applied at once only when the person
// making it already covers what it grants (their own scope reaches the records concerned);
// otherwise it is stored as a pending request, and a different administrator holding the same
// admin permission approves it (applying it through server/admin/changes.ts, with the same
// validation and re-scoping as a direct change) or rejects it. Nobody changes their own user or
// the role they hold, and nobody approves a change that widens their own access. Requests,
// approvals, rejections and refusals are all in the audit trail.

import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AdminAction, FieldLevel, Role } from '../../shared/domain/model';
import { FIELD_LEVELS } from '../../shared/domain/model';
import { authorize, type Subject } from '../../shared/permissions/engine';
import { actorCoversPlacement, actorCoversRole, roleWidening, userChangeWidens } from '../../shared/permissions/separation';
import { approvalChangeSchema, type ApprovalChange, type ApprovalView } from '../../shared/protocol/admin';
import type { Principal, ServerContext } from '../context';
import type { ApprovalRequestsTable } from '../db/schema';
import { DomainError } from '../domain-error';
import { loadClassification, loadOrgTree, loadSubjects } from '../org/load';
import { applyChange, assertRoleObeysDuties, loadRole, validateChange } from './changes';
import { mergeRole } from './service';

type Reason = ApprovalView['reasons'][number];

/** The admin permission that governs each kind of change (the approver must hold it too). */
export const APPROVAL_PERMISSION: Record<ApprovalChange['kind'], AdminAction> = {
  'user.create': 'admin.users',
  'user.update': 'admin.users',
  'share.create': 'admin.users',
  'role.update': 'admin.roles',
  'classification.set': 'admin.roles',
};

export interface Assessment {
  /** what the change grants that was not there before (empty = not a widening) */
  reasons: Reason[];
  /** true when `actor`'s own access already covers what the change grants */
  covered: boolean;
  /** existing users whose access the change touches */
  affectedUserIds: string[];
}

function rank(level: FieldLevel): number {
  return FIELD_LEVELS.indexOf(level);
}

function targetOf(change: ApprovalChange): string {
  switch (change.kind) {
    case 'user.create': return change.user.username;
    case 'user.update': return change.userId;
    case 'role.update': return change.roleId;
    case 'share.create': return change.share.customerId;
    case 'classification.set': return `${change.change.entity}.${change.change.field}`;
  }
}

/** What a (validated) change does to whom, judged by the separation-of-duties engine. */
export async function assessChange(ctx: ServerContext, actor: Subject | null, change: ApprovalChange): Promise<Assessment> {
  const [subjects, tree] = await Promise.all([loadSubjects(ctx.db), loadOrgTree(ctx.db)]);
  const all = [...subjects.values()];
  switch (change.kind) {
    case 'user.create': {
      const role = await loadRole(ctx, change.user.roleId);
      const after = { user: { id: '', status: 'active' as const, ...change.user }, role };
      const reasons = userChangeWidens(null, after, tree);
      return { reasons, covered: actor !== null && actorCoversPlacement(actor, after, tree), affectedUserIds: [] };
    }
    case 'user.update': {
      const before = subjects.get(change.userId);
      if (!before) throw new DomainError('not_found', `no user ${change.userId} (or its role)`);
      const { displayName, ...placement } = change.patch;
      const user = { ...before.user, ...placement, ...(displayName !== undefined ? { displayName } : {}) };
      const role: Role = change.patch.roleId ? await loadRole(ctx, change.patch.roleId) : before.role;
      const reasons = userChangeWidens(before, { user, role }, tree);
      return { reasons, covered: actor !== null && actorCoversPlacement(actor, { user, role }, tree), affectedUserIds: [change.userId] };
    }
    case 'role.update': {
      const before = await loadRole(ctx, change.roleId);
      const after = mergeRole(before, change.patch);
      const holders = all.filter((s) => s.user.roleId === change.roleId).map((s) => s.user.id);
      return { reasons: roleWidening(before, after), covered: actor !== null && actorCoversRole(actor, after), affectedUserIds: holders };
    }
    case 'share.create': {
      const { granteeType, granteeId } = change.share;
      const reached = all.filter((s) => s.role.dataScope !== 'none' && s.user.status === 'active' &&
        (granteeType === 'user' ? s.user.id === granteeId : tree.ancestors(s.user.unitId).includes(granteeId)));
      const affected = new Set(reached.map((s) => s.user.id));
      // A share naming someone is about their access even while their scope ignores shares.
      if (granteeType === 'user') affected.add(granteeId);
      // Shares made on the admin path are never covered: an administrator's scope is none.
      return { reasons: ['share_granted'], covered: false, affectedUserIds: [...affected] };
    }
    case 'classification.set': {
      const { entity, field, level } = change.change;
      const from = (await loadClassification(ctx.db))[entity][field] ?? 'confidential';
      const lowered = rank(level) < rank(from);
      const readers = all.filter((s) => s.role.dataScope !== 'none' && rank(s.role.readClearance) >= rank(level));
      return { reasons: lowered ? ['field_level_lowered'] : [], covered: false, affectedUserIds: lowered ? readers.map((s) => s.user.id) : [] };
    }
  }
}

export function approvalView(row: Selectable<ApprovalRequestsTable>): ApprovalView {
  return {
    id: row.id, kind: row.kind, permission: row.permission, target: row.target,
    change: approvalChangeSchema.parse(JSON.parse(row.change)), reasons: JSON.parse(row.reasons) as Reason[],
    requestedBy: row.requested_by, requestedAt: row.requested_at, status: row.status,
    decidedBy: row.decided_by, decidedAt: row.decided_at,
  };
}

async function refuseSelfChange(ctx: ServerContext, principal: Principal, action: string, target: string, message: string): Promise<never> {
  await ctx.audit.append({
    actorId: principal.user.id, deviceId: principal.device.id, action, target, outcome: 'denied', details: { reason: 'self_change' },
  });
  throw new DomainError('self_change', message);
}

/**
 * Screens a change an administrator makes: refuses it when it touches their own access (403
 * self_change); holds it as a pending request when it widens access their own scope does not
 * cover (returns the request: answer 202); returns null when it may be applied at once.
 * `secret` is stored with the request but never shown (a new user's password hash).
 */
export async function screenChange(
  ctx: ServerContext,
  principal: Principal,
  change: ApprovalChange,
  secret: string | null = null,
): Promise<ApprovalView | null> {
  await validateChange(ctx, change);
  const assessment = await assessChange(ctx, principal.subject, change);
  if (assessment.affectedUserIds.includes(principal.user.id)) {
    await refuseSelfChange(ctx, principal, `admin.${change.kind}`, targetOf(change), 'nobody changes their own user or the role they hold: ask another administrator');
  }
  if (change.kind === 'role.update') assertRoleObeysDuties(mergeRole(await loadRole(ctx, change.roleId), change.patch));
  if (assessment.reasons.length === 0 || assessment.covered) return null;
  const row: Selectable<ApprovalRequestsTable> = {
    id: `approval-${randomUUID()}`, kind: change.kind, permission: APPROVAL_PERMISSION[change.kind], target: targetOf(change),
    change: JSON.stringify(change), reasons: JSON.stringify(assessment.reasons), secret,
    requested_by: principal.user.id, requested_device: principal.device.id, requested_at: ctx.now(),
    status: 'pending', decided_by: null, decided_at: null,
  };
  await ctx.db.insertInto('approval_requests').values(row).execute();
  await ctx.audit.append({
    actorId: principal.user.id, deviceId: principal.device.id, action: 'admin.approval.request', target: row.id, outcome: 'ok',
    details: { kind: row.kind, target: row.target, reasons: assessment.reasons, change },
  });
  return approvalView(row);
}

export async function listApprovals(ctx: ServerContext, filter: { status?: ApprovalView['status']; limit: number }): Promise<ApprovalView[]> {
  let q = ctx.db.selectFrom('approval_requests').selectAll().orderBy('requested_at', 'desc').limit(filter.limit);
  if (filter.status) q = q.where('status', '=', filter.status);
  return (await q.execute()).map(approvalView);
}

/** The checks both decisions share: pending, not the requester's own, approver holds the permission. */
async function loadDecidable(ctx: ServerContext, principal: Principal, id: string, verb: 'approve' | 'reject') {
  const row = await ctx.db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not_found', `no approval request ${id}`);
  const deny = async (reason: string) => ctx.audit.append({
    actorId: principal.user.id, deviceId: principal.device.id, action: `admin.approval.${verb}`, target: id, outcome: 'denied', details: { reason },
  });
  if (row.requested_by === principal.user.id) {
    await deny('own_request');
    throw new DomainError('own_request', 'a second administrator must decide this request, not the one who asked');
  }
  const permission = row.permission as AdminAction;
  if (!authorize(principal.subject, permission, await loadOrgTree(ctx.db)).allowed) {
    await deny('no_action');
    throw new DomainError('forbidden', `deciding this request needs the ${permission} permission`);
  }
  if (row.status !== 'pending') throw new DomainError('conflict', `this request was already ${row.status}`);
  return row;
}

async function markDecided(ctx: ServerContext, id: string, status: 'approved' | 'rejected' | 'pending', by: string | null): Promise<boolean> {
  const from = status === 'pending' ? 'approved' : 'pending';
  const result = await ctx.db.updateTable('approval_requests')
    .set({ status, decided_by: by, decided_at: by === null ? null : ctx.now() })
    .where('id', '=', id).where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function approveRequest(ctx: ServerContext, principal: Principal, id: string): Promise<ApprovalView> {
  const row = await loadDecidable(ctx, principal, id, 'approve');
  const change = approvalChangeSchema.parse(JSON.parse(row.change));
  await validateChange(ctx, change);
  const assessment = await assessChange(ctx, null, change);
  if (assessment.affectedUserIds.includes(principal.user.id)) {
    await refuseSelfChange(ctx, principal, 'admin.approval.approve', id, 'nobody approves a change that widens their own access');
  }
  // Claim the request first so that two approvers cannot both apply it.
  if (!(await markDecided(ctx, id, 'approved', principal.user.id))) throw new DomainError('conflict', 'this request was decided meanwhile');
  try {
    await applyChange(ctx, change, row.secret, { userId: principal.user.id, deviceId: principal.device.id }, id);
  } catch (err) {
    await markDecided(ctx, id, 'pending', null);
    throw err;
  }
  await ctx.db.updateTable('approval_requests').set({ secret: null }).where('id', '=', id).execute();
  await ctx.audit.append({
    actorId: principal.user.id, deviceId: principal.device.id, action: 'admin.approval.approve', target: id, outcome: 'ok',
    details: { kind: row.kind, target: row.target, requestedBy: row.requested_by },
  });
  const updated = await ctx.db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return approvalView(updated);
}

export async function rejectRequest(ctx: ServerContext, principal: Principal, id: string): Promise<ApprovalView> {
  const row = await loadDecidable(ctx, principal, id, 'reject');
  if (!(await markDecided(ctx, id, 'rejected', principal.user.id))) throw new DomainError('conflict', 'this request was decided meanwhile');
  await ctx.db.updateTable('approval_requests').set({ secret: null }).where('id', '=', id).execute();
  await ctx.audit.append({
    actorId: principal.user.id, deviceId: principal.device.id, action: 'admin.approval.reject', target: id, outcome: 'ok',
    details: { kind: row.kind, target: row.target, requestedBy: row.requested_by },
  });
  const updated = await ctx.db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return approvalView(updated);
}
