// What IT does for a person who calls for help, or after an incident: unlock an account, reset
// its MFA (the user sets up an authenticator again at the next sign-in), sign the user out
// everywhere, revoke all the user's devices. Nobody does any of this to their own account
// (`self_change`): a second administrator does, so every change to an administrator's access is
// seen by another person. Each action is audited; none widens anyone's access, so none waits for
// an approval.

import type { DeviceView, UserView } from '../../shared/protocol/routes';
import type { ServerContext } from '../context';
import { rowToUserView } from '../db/mappers';
import type { UsersTable } from '../db/schema';
import { announceRevocation } from '../devices/revocation';
import { DomainError } from '../domain-error';
import { revokeDevice, type Actor } from './service';

/** Revoke reason of the devices IT signed out (shown as signed out, and told to wipe like a revocation). */
export const SIGNED_OUT_BY_IT_REASON = 'signed_out_by_it';

async function targetUser(ctx: ServerContext, userId: string, actor: Actor): Promise<UsersTable> {
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) throw new DomainError('not_found', `no user ${userId}`);
  if (actor.userId !== null && actor.userId === userId) {
    throw new DomainError('self_change', 'nobody acts on their own account: ask another administrator');
  }
  return user;
}

/** Clears every sign-in lock of the account (from one address and everywhere) and its failure counts. */
export async function unlockUser(ctx: ServerContext, userId: string, actor: Actor): Promise<UserView> {
  const user = await targetUser(ctx, userId, actor);
  const cleared = await ctx.db.deleteFrom('sign_in_throttle').where('username', '=', user.username).executeTakeFirst();
  await ctx.db.updateTable('users').set({ locked_until: null, failed_attempts: 0 }).where('id', '=', userId).execute();
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.user.unlock', target: userId, outcome: 'ok',
    details: { username: user.username, wasLockedUntil: user.locked_until, clearedCounters: Number(cleared.numDeletedRows) },
  });
  return rowToUserView({ ...user, locked_until: null, failed_attempts: 0 });
}

/**
 * Forgets the account's authenticator: the next sign-in (password first) offers a new one to set
 * up. Devices already signed in keep working; sign the user out everywhere as well when the
 * authenticator was lost together with a laptop.
 */
export async function resetMfa(ctx: ServerContext, userId: string, actor: Actor): Promise<UserView> {
  const user = await targetUser(ctx, userId, actor);
  await ctx.db
    .updateTable('users')
    .set({ totp_secret: null, totp_pending_secret: null, last_totp_step: null })
    .where('id', '=', userId)
    .execute();
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.user.mfa_reset', target: userId, outcome: 'ok',
    details: { username: user.username, wasEnrolled: user.totp_secret !== null },
  });
  return rowToUserView({ ...user, totp_secret: null, totp_pending_secret: null, last_totp_step: null });
}

/**
 * Signs the user out on every device: each active device is retired (shown as signed out) and
 * told to erase its local data, exactly as if the user had signed out there. Offline devices
 * erase at their next contact. Returns how many devices were signed out.
 */
export async function signOutEverywhere(ctx: ServerContext, userId: string, actor: Actor): Promise<number> {
  const user = await targetUser(ctx, userId, actor);
  const devices = await ctx.db.selectFrom('devices').select('id').where('user_id', '=', userId).where('status', '=', 'active').execute();
  const now = ctx.now();
  let count = 0;
  for (const device of devices) {
    const changed = await ctx.db
      .updateTable('devices')
      .set({ status: 'revoked', revoked_at: now, revoke_reason: SIGNED_OUT_BY_IT_REASON, signed_out_at: now })
      .where('id', '=', device.id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) continue;
    count++;
    await announceRevocation(ctx, userId, device.id, 'device_revoked');
  }
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.user.sign_out_everywhere', target: userId, outcome: 'ok',
    details: { username: user.username, devices: devices.map((d) => d.id), signedOut: count },
  });
  return count;
}

/** Revokes every active device of the user (each wipes itself and confirms). */
export async function revokeAllDevices(ctx: ServerContext, userId: string, actor: Actor): Promise<DeviceView[]> {
  const user = await targetUser(ctx, userId, actor);
  const devices = await ctx.db.selectFrom('devices').select('id').where('user_id', '=', userId).where('status', '=', 'active').execute();
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.user.revoke_all_devices', target: userId, outcome: 'ok',
    details: { username: user.username, devices: devices.map((d) => d.id) },
  });
  const revoked: DeviceView[] = [];
  for (const device of devices) revoked.push(await revokeDevice(ctx, device.id, actor));
  return revoked;
}
