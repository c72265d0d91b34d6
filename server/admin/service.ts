// Admin operations shared by the HTTP admin API and the IT CLI. Callers authorize first (the
// routes with the permission engine; the CLI is trusted local access). Every operation audits.

import { randomUUID } from 'node:crypto';
import type { Role } from '../../shared/domain/model';
import type { DeviceView, UserView } from '../../shared/protocol/routes';
import type { ServerContext } from '../context';
import { rowToDeviceView, rowToUserView } from '../db/mappers';
import { announceRevocation, type RevocationReason } from '../devices/revocation';
import { DomainError } from '../domain-error';
import { hashPassword } from '../identity/password';

/** Who performs an admin action (null ids = the local CLI). */
export interface Actor {
  userId: string | null;
  deviceId: string | null;
}

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  unitId: string;
  roleId: string;
  managedUnitIds: string[];
}

export async function assertUnitsExist(ctx: ServerContext, unitIds: readonly string[], field: string): Promise<void> {
  if (unitIds.length === 0) return;
  const found = await ctx.db.selectFrom('org_units').select('id').where('id', 'in', [...unitIds]).execute();
  const known = new Set(found.map((r) => r.id));
  const missing = unitIds.filter((id) => !known.has(id));
  if (missing.length) throw new DomainError('validation_failed', `${field}: unknown org unit ${missing.join(', ')}`);
}

export async function assertRoleExists(ctx: ServerContext, roleId: string): Promise<void> {
  const role = await ctx.db.selectFrom('roles').select('id').where('id', '=', roleId).executeTakeFirst();
  if (!role) throw new DomainError('validation_failed', `roleId: unknown role ${roleId}`);
}

export async function createUser(ctx: ServerContext, input: NewUser, actor: Actor): Promise<UserView> {
  await assertUnitsExist(ctx, [input.unitId], 'unitId');
  await assertUnitsExist(ctx, input.managedUnitIds, 'managedUnitIds');
  await assertRoleExists(ctx, input.roleId);
  const { password, ...fields } = input;
  return createUserWithHash(ctx, { ...fields, passwordHash: await hashPassword(password) }, actor);
}

/**
 * Inserts the user with an already hashed password (a request waiting for approval keeps only
 * the hash). `via` names the approval request that allowed it, for the audit trail.
 */
export async function createUserWithHash(
  ctx: ServerContext,
  input: Omit<NewUser, 'password'> & { passwordHash: string },
  actor: Actor,
  via?: string,
): Promise<UserView> {
  const taken = await ctx.db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
  if (taken) throw new DomainError('conflict', `username ${input.username} is taken`);
  const row = {
    id: randomUUID(),
    username: input.username,
    display_name: input.displayName,
    unit_id: input.unitId,
    role_id: input.roleId,
    managed_unit_ids: JSON.stringify(input.managedUnitIds),
    status: 'active' as const,
    password_hash: input.passwordHash,
    totp_secret: null,
    totp_pending_secret: null,
    failed_attempts: 0,
    locked_until: null,
    last_sign_in_at: null,
    last_totp_step: null,
    created_at: ctx.now(),
  };
  await ctx.db.insertInto('users').values(row).execute();
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.user.create', target: row.id, outcome: 'ok',
    details: {
      username: row.username, unitId: row.unit_id, roleId: row.role_id, managedUnitIds: input.managedUnitIds,
      ...(via ? { approval: via } : {}),
    },
  });
  return rowToUserView(row);
}

/** Revokes one device and tells it (if connected) to wipe itself. Idempotent. */
export async function revokeDevice(
  ctx: ServerContext,
  deviceId: string,
  actor: Actor,
  reason: RevocationReason = 'device_revoked',
): Promise<DeviceView> {
  const device = await ctx.db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
  if (!device) throw new DomainError('not_found', `no device ${deviceId}`);
  if (device.status === 'revoked') return rowToDeviceView(device);
  const now = ctx.now();
  await ctx.db
    .updateTable('devices')
    .set({ status: 'revoked', revoked_at: now, revoke_reason: reason })
    .where('id', '=', deviceId)
    .execute();
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.device.revoke', target: deviceId, outcome: 'ok',
    details: { userId: device.user_id, reason },
  });
  await announceRevocation(ctx, device.user_id, deviceId, reason);
  return rowToDeviceView({ ...device, status: 'revoked', revoked_at: now, revoke_reason: reason });
}

/** Deactivates the user and revokes every one of the user's devices (each gets a wipe directive). */
export async function deactivateUser(ctx: ServerContext, userId: string, actor: Actor): Promise<{ user: UserView; revokedDevices: number }> {
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) throw new DomainError('not_found', `no user ${userId}`);
  if (actor.userId === userId) throw new DomainError('self_change', 'nobody changes their own account: ask another administrator');
  await ctx.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', userId).execute();
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.user.deactivate', target: userId, outcome: 'ok',
    details: { username: user.username },
  });
  const devices = await ctx.db
    .selectFrom('devices')
    .select('id')
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .execute();
  for (const device of devices) await revokeDevice(ctx, device.id, actor, 'user_deactivated');
  return { user: rowToUserView({ ...user, status: 'deactivated' }), revokedDevices: devices.length };
}

export function newRoleId(): string {
  return `role-${randomUUID()}`;
}

/** Role edits must keep the built-in key; only its contents change. */
export function mergeRole(current: Role, patch: Partial<Omit<Role, 'id' | 'key'>>): Role {
  return { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
}
