// The admin changes that can widen someone's access, each as one apply function. A direct
// change and an approved request run exactly this code (validation, re-scoping, audit), so an
// approval can never do less checking than the change made by hand.

import { randomUUID } from 'node:crypto';
import type { Role } from '../../shared/domain/model';
import { roleDutyViolation } from '../../shared/permissions/separation';
import type { ApprovalChange } from '../../shared/protocol/admin';
import type { RoleView, ShareView, UserView } from '../../shared/protocol/routes';
import type { ServerContext } from '../context';
import { roleToRow, roleToView, rowToRole, rowToUserView, shareToView } from '../db/mappers';
import { DomainError } from '../domain-error';
import { loadClassification } from '../org/load';
import { createShare, getCustomerRow, inRecordTransaction } from '../records/repository';
import type { FieldClassification } from '../../shared/domain/model';
import { withRescope } from './rescope';
import { assertRoleExists, assertUnitsExist, createUserWithHash, mergeRole, type Actor } from './service';

type UserUpdate = Extract<ApprovalChange, { kind: 'user.update' }>;
type RoleUpdate = Extract<ApprovalChange, { kind: 'role.update' }>;
type UserCreate = Extract<ApprovalChange, { kind: 'user.create' }>;
type ShareCreate = Extract<ApprovalChange, { kind: 'share.create' }>;
type FieldLevelSet = Extract<ApprovalChange, { kind: 'classification.set' }>;

/** 400 when a role mixes administration with record work or gives an administering role a data scope. */
export function assertRoleObeysDuties(role: Pick<Role, 'actions' | 'dataScope'>): void {
  const violation = roleDutyViolation(role);
  if (violation === 'mixed_duties') {
    throw new DomainError('separation_of_duties', 'a role either administers (admin.*, audit.read, review.conduct) or works with records, never both', { violation });
  }
  if (violation === 'admin_scope_not_none') {
    throw new DomainError('separation_of_duties', 'a role that administers must have the data scope none', { violation });
  }
}

// ---- validation (before holding a request, and again before applying it) --------------------

export async function loadUserRow(ctx: ServerContext, id: string) {
  const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not_found', `no user ${id}`);
  return row;
}

export async function loadRole(ctx: ServerContext, id: string): Promise<Role> {
  const row = await ctx.db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not_found', `no role ${id}`);
  return rowToRole(row);
}

async function validateUserUpdate(ctx: ServerContext, change: UserUpdate): Promise<void> {
  await loadUserRow(ctx, change.userId);
  if (change.patch.unitId) await assertUnitsExist(ctx, [change.patch.unitId], 'unitId');
  if (change.patch.managedUnitIds) await assertUnitsExist(ctx, change.patch.managedUnitIds, 'managedUnitIds');
  if (change.patch.roleId) await assertRoleExists(ctx, change.patch.roleId);
}

async function validateUserCreate(ctx: ServerContext, change: UserCreate): Promise<void> {
  await assertUnitsExist(ctx, [change.user.unitId], 'unitId');
  await assertUnitsExist(ctx, change.user.managedUnitIds, 'managedUnitIds');
  await assertRoleExists(ctx, change.user.roleId);
  const taken = await ctx.db.selectFrom('users').select('id').where('username', '=', change.user.username).executeTakeFirst();
  if (taken) throw new DomainError('conflict', `username ${change.user.username} is taken`);
}

async function validateShare(ctx: ServerContext, change: ShareCreate): Promise<void> {
  const { share } = change;
  const customer = await getCustomerRow(ctx.db, share.customerId);
  if (!customer || customer.deleted) throw new DomainError('not_found', 'customer not found');
  if (share.expiresAt !== null && share.expiresAt <= ctx.now()) throw new DomainError('validation_failed', 'body.expiresAt: must be in the future');
  const grantee = share.granteeType === 'user'
    ? await ctx.db.selectFrom('users').select('id').where('id', '=', share.granteeId).executeTakeFirst()
    : await ctx.db.selectFrom('org_units').select('id').where('id', '=', share.granteeId).executeTakeFirst();
  if (!grantee) throw new DomainError('not_found', `${share.granteeType === 'user' ? 'grantee user' : 'grantee unit'} not found`);
}

async function validateFieldLevel(ctx: ServerContext, change: FieldLevelSet): Promise<FieldClassification> {
  const current = await loadClassification(ctx.db);
  const { entity, field } = change.change;
  if (!(field in current[entity])) throw new DomainError('validation_failed', `body.field: ${entity} has no classifiable field ${field}`);
  return current;
}

/** Throws the 4xx a direct change would get; used before holding and before applying. */
export async function validateChange(ctx: ServerContext, change: ApprovalChange): Promise<void> {
  switch (change.kind) {
    case 'user.update': return validateUserUpdate(ctx, change);
    case 'user.create': return validateUserCreate(ctx, change);
    // The merged role's duties are checked by screenChange (after the self-change check, which
    // says more) and by applyRoleUpdate.
    case 'role.update': await loadRole(ctx, change.roleId); return;
    case 'share.create': return validateShare(ctx, change);
    case 'classification.set': await validateFieldLevel(ctx, change); return;
  }
}

// ---- apply ----------------------------------------------------------------------------------

export async function applyUserUpdate(ctx: ServerContext, change: UserUpdate, actor: Actor, via?: string): Promise<UserView> {
  await validateUserUpdate(ctx, change);
  const current = await loadUserRow(ctx, change.userId);
  const { patch } = change;
  const changes = {
    ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
    ...(patch.unitId !== undefined ? { unit_id: patch.unitId } : {}),
    ...(patch.roleId !== undefined ? { role_id: patch.roleId } : {}),
    ...(patch.managedUnitIds !== undefined ? { managed_unit_ids: JSON.stringify(patch.managedUnitIds) } : {}),
  };
  const { notifiedUsers } = await withRescope(ctx, async () => {
    if (Object.keys(changes).length) await ctx.db.updateTable('users').set(changes).where('id', '=', change.userId).execute();
  });
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.user.update', target: change.userId, outcome: 'ok',
    details: { changes: patch, rescopedUsers: notifiedUsers.length, ...(via ? { approval: via } : {}) },
  });
  return rowToUserView({ ...current, ...changes });
}

export async function applyRoleUpdate(ctx: ServerContext, change: RoleUpdate, actor: Actor, via?: string): Promise<RoleView> {
  const updated = mergeRole(await loadRole(ctx, change.roleId), change.patch);
  assertRoleObeysDuties(updated);
  const { notifiedUsers } = await withRescope(ctx, async () => {
    await ctx.db.updateTable('roles').set(roleToRow(updated, ctx.now())).where('id', '=', updated.id).execute();
  });
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.role.update', target: updated.id, outcome: 'ok',
    details: { changes: change.patch, rescopedUsers: notifiedUsers.length, ...(via ? { approval: via } : {}) },
  });
  return roleToView(updated);
}

export async function applyUserCreate(ctx: ServerContext, change: UserCreate, passwordHash: string, actor: Actor, via?: string): Promise<UserView> {
  await validateUserCreate(ctx, change);
  return createUserWithHash(ctx, { ...change.user, passwordHash }, actor, via);
}

export async function applyShare(ctx: ServerContext, change: ShareCreate, actor: Actor & { userId: string }, via?: string): Promise<ShareView> {
  await validateShare(ctx, change);
  const customer = (await getCustomerRow(ctx.db, change.share.customerId))!;
  const body = change.share;
  const { result: share } = await withRescope(ctx, () =>
    inRecordTransaction(ctx, (trx) =>
      createShare(trx, {
        id: randomUUID(), customerId: customer.id, granteeType: body.granteeType, granteeId: body.granteeId,
        access: body.access, expiresAt: body.expiresAt, createdBy: actor.userId, now: ctx.now(),
      }),
    ),
  );
  await ctx.events.publishDataChanged([customer.owner_id]);
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'share.create', target: `share:${share.id}`, outcome: 'ok',
    details: {
      customerId: customer.id, granteeType: share.granteeType, granteeId: share.granteeId, access: share.access,
      expiresAt: share.expiresAt, ...(via ? { approval: via } : {}),
    },
  });
  return shareToView(share);
}

export async function applyFieldLevel(ctx: ServerContext, change: FieldLevelSet, actor: Actor, via?: string): Promise<FieldClassification> {
  const current = await validateFieldLevel(ctx, change);
  const { entity, field, level } = change.change;
  const { notifiedUsers } = await withRescope(ctx, async () => {
    await ctx.db
      .insertInto('field_classification')
      .values({ entity, field, level })
      .onConflict((oc) => oc.columns(['entity', 'field']).doUpdateSet({ level }))
      .execute();
  });
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.classification.set', target: `${entity}.${field}`,
    outcome: 'ok', details: { from: current[entity][field], to: level, rescopedUsers: notifiedUsers.length, ...(via ? { approval: via } : {}) },
  });
  return loadClassification(ctx.db);
}

/** Applies an approved request's change as its approver. */
export async function applyChange(
  ctx: ServerContext,
  change: ApprovalChange,
  secret: string | null,
  actor: Actor & { userId: string },
  via: string,
): Promise<void> {
  switch (change.kind) {
    case 'user.update': await applyUserUpdate(ctx, change, actor, via); return;
    case 'role.update': await applyRoleUpdate(ctx, change, actor, via); return;
    case 'user.create':
      if (secret === null) throw new DomainError('conflict', 'this request has no password to create the user with');
      await applyUserCreate(ctx, change, secret, actor, via);
      return;
    case 'share.create': await applyShare(ctx, change, actor, via); return;
    case 'classification.set': await applyFieldLevel(ctx, change, actor, via); return;
  }
}
