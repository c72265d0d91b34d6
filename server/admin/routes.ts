// The admin API (/v1/admin/*, /v1/audit*). Every route is authorized by the permission engine's
// authorize() with the admin action it needs; refusals are audited like every admin action.

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AdminAction } from '../../shared/domain/model';
import { authorize } from '../../shared/permissions/engine';
import { verifyChain } from '../audit/chain';
import { deviceIncident, userIncident } from '../audit/incident';
import { listAuditTrail } from '../audit/trail';
import type { Principal, ServerContext } from '../context';
import { roleToRow, roleToView, rowToDeviceView, rowToRole, rowToUnit, rowToUserView } from '../db/mappers';
import { DomainError } from '../domain-error';
import { exposureReport } from '../exposure/report';
import { renderExposure } from '../exposure/render';
import { route } from '../http/route';
import { minAppVersions, setMinAppVersion } from '../devices/min-version';
import { hashPassword } from '../identity/password';
import { loadClassification, loadOrgTree } from '../org/load';
import { resetMfa, revokeAllDevices, signOutEverywhere, unlockUser } from './account-actions';
import { approveRequest, listApprovals, rejectRequest, screenChange } from './approvals';
import { applyFieldLevel, applyRoleUpdate, applyUserCreate, applyUserUpdate, assertRoleObeysDuties } from './changes';
import { assertUnitsExist, deactivateUser, newRoleId, revokeDevice, type Actor } from './service';

async function requireAdmin(ctx: ServerContext, principal: Principal, action: AdminAction, routeName: string): Promise<Actor> {
  const decision = authorize(principal.subject, action, await loadOrgTree(ctx.db));
  if (!decision.allowed) {
    await ctx.audit.append({
      actorId: principal.user.id, deviceId: principal.device.id, action: `admin.${routeName}`, target: null,
      outcome: 'denied', details: { needs: action, reason: decision.reason ?? 'no_action' },
    });
    throw new DomainError('forbidden', `this needs the ${action} permission`);
  }
  return { userId: principal.user.id, deviceId: principal.device.id };
}

export function registerAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // ---- users
  route(app, ctx, 'listUsers', async ({ principal }) => {
    await requireAdmin(ctx, principal, 'admin.users', 'listUsers');
    const rows = await ctx.db.selectFrom('users').selectAll().orderBy('username').execute();
    // A lock from one address counts too: IT sees every user who cannot sign in somewhere now.
    const locks = await ctx.db.selectFrom('sign_in_throttle').select(['username', 'locked_until'])
      .where('locked_until', '>', ctx.now()).execute();
    const lockedUntil = new Map<string, number>();
    for (const l of locks) lockedUntil.set(l.username, Math.max(lockedUntil.get(l.username) ?? 0, l.locked_until ?? 0));
    return {
      users: rows.map((r) => {
        const view = rowToUserView(r);
        const until = Math.max(view.lockedUntil ?? 0, lockedUntil.get(r.username) ?? 0);
        return { ...view, lockedUntil: until > 0 ? until : null };
      }),
    };
  });

  // Changes that widen someone's access go through screenChange (server/admin/approvals.ts):
  // refused when they touch the caller's own access, held for a second administrator (202) when
  // the caller's own scope does not cover them, applied at once otherwise.
  route(app, ctx, 'createUser', async ({ principal, body, reply }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.users', 'createUser');
    const { password, ...user } = body;
    const change = { kind: 'user.create' as const, user };
    const passwordHash = await hashPassword(password);
    const pending = await screenChange(ctx, principal, change, passwordHash);
    if (pending) {
      reply.code(202);
      return { pendingApproval: pending };
    }
    return { user: await applyUserCreate(ctx, change, passwordHash, actor) };
  });

  route(app, ctx, 'updateUser', async ({ principal, body, params, reply }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.users', 'updateUser');
    const change = { kind: 'user.update' as const, userId: params.id!, patch: body };
    const pending = await screenChange(ctx, principal, change);
    if (pending) {
      reply.code(202);
      return { pendingApproval: pending };
    }
    return { user: await applyUserUpdate(ctx, change, actor) };
  });

  route(app, ctx, 'deactivateUser', async ({ principal, params }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.users', 'deactivateUser');
    return deactivateUser(ctx, params.id!, actor);
  });

  route(app, ctx, 'unlockUser', async ({ principal, params }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.users', 'unlockUser');
    return { user: await unlockUser(ctx, params.id!, actor) };
  });

  route(app, ctx, 'resetUserMfa', async ({ principal, params }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.users', 'resetUserMfa');
    return { user: await resetMfa(ctx, params.id!, actor) };
  });

  route(app, ctx, 'signOutUserEverywhere', async ({ principal, params }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.users', 'signOutUserEverywhere');
    return { signedOutDevices: await signOutEverywhere(ctx, params.id!, actor) };
  });

  route(app, ctx, 'revokeUserDevices', async ({ principal, params }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.devices', 'revokeUserDevices');
    return { devices: await revokeAllDevices(ctx, params.id!, actor) };
  });

  // ---- roles
  route(app, ctx, 'listRoles', async ({ principal }) => {
    await requireAdmin(ctx, principal, 'admin.roles', 'listRoles');
    const rows = await ctx.db.selectFrom('roles').selectAll().orderBy('name').execute();
    return { roles: rows.map((r) => roleToView(rowToRole(r))) };
  });

  route(app, ctx, 'createRole', async ({ principal, body }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.roles', 'createRole');
    const role = { ...body, id: newRoleId(), key: null };
    // A new role has no holders, so creating it widens nobody's access; it must still obey
    // separation of duties. Placing anyone into it is a user change, screened like any other.
    assertRoleObeysDuties(role);
    await ctx.db.insertInto('roles').values(roleToRow(role, ctx.now())).execute();
    await ctx.audit.append({
      actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.role.create', target: role.id, outcome: 'ok',
      details: { role },
    });
    return { role: roleToView(role) };
  });

  route(app, ctx, 'updateRole', async ({ principal, body, params, reply }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.roles', 'updateRole');
    const change = { kind: 'role.update' as const, roleId: params.id!, patch: body };
    const pending = await screenChange(ctx, principal, change);
    if (pending) {
      reply.code(202);
      return { pendingApproval: pending };
    }
    return { role: await applyRoleUpdate(ctx, change, actor) };
  });

  // ---- org units (managing teams is user administration)
  route(app, ctx, 'listUnits', async ({ principal }) => {
    await requireAdmin(ctx, principal, 'admin.users', 'listUnits');
    const rows = await ctx.db.selectFrom('org_units').selectAll().orderBy('name').execute();
    return { units: rows.map(rowToUnit) };
  });

  route(app, ctx, 'createUnit', async ({ principal, body }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.users', 'createUnit');
    await assertUnitsExist(ctx, [body.parentId], 'parentId');
    const unit = { id: `unit-${randomUUID()}`, parent_id: body.parentId, name: body.name, kind: body.kind };
    await ctx.db.insertInto('org_units').values(unit).execute();
    await ctx.audit.append({
      actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.unit.create', target: unit.id, outcome: 'ok',
      details: { parentId: unit.parent_id, name: unit.name, kind: unit.kind },
    });
    return { unit: rowToUnit(unit) };
  });

  // ---- field classification
  route(app, ctx, 'getClassification', async ({ principal }) => {
    await requireAdmin(ctx, principal, 'admin.roles', 'getClassification');
    return { classification: await loadClassification(ctx.db) };
  });

  route(app, ctx, 'setFieldLevel', async ({ principal, body, reply }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.roles', 'setFieldLevel');
    const change = { kind: 'classification.set' as const, change: body };
    const pending = await screenChange(ctx, principal, change);
    if (pending) {
      reply.code(202);
      return { pendingApproval: pending };
    }
    return { classification: await applyFieldLevel(ctx, change, actor) };
  });

  // ---- approvals (four eyes)
  route(app, ctx, 'listApprovals', async ({ principal, query }) => {
    const tree = await loadOrgTree(ctx.db);
    if (!(['admin.users', 'admin.roles'] as const).some((a) => authorize(principal.subject, a, tree).allowed)) {
      await requireAdmin(ctx, principal, 'admin.users', 'listApprovals');
    }
    return { approvals: await listApprovals(ctx, query) };
  });

  route(app, ctx, 'approveRequest', async ({ principal, params }) => ({ approval: await approveRequest(ctx, principal, params.id!) }));

  route(app, ctx, 'rejectRequest', async ({ principal, params }) => ({ approval: await rejectRequest(ctx, principal, params.id!) }));

  // ---- devices
  route(app, ctx, 'listDevices', async ({ principal }) => {
    await requireAdmin(ctx, principal, 'admin.devices', 'listDevices');
    const rows = await ctx.db.selectFrom('devices').selectAll().orderBy('enrolled_at', 'desc').execute();
    return { devices: rows.map(rowToDeviceView) };
  });

  route(app, ctx, 'revokeDevice', async ({ principal, params }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.devices', 'revokeDevice');
    return { device: await revokeDevice(ctx, params.id!, actor) };
  });

  // ---- minimum app version per platform (server/devices/min-version.ts)
  route(app, ctx, 'getMinAppVersions', async ({ principal }) => {
    await requireAdmin(ctx, principal, 'admin.devices', 'getMinAppVersions');
    return minAppVersions(ctx);
  });

  route(app, ctx, 'setMinAppVersion', async ({ principal, body }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.devices', 'setMinAppVersion');
    return setMinAppVersion(ctx, body.platform, body.minVersion, actor);
  });

  // ---- lost-device exposure (server/exposure): ids, customer names, field names; never values.
  // Every view and export is audited with the device it was about.
  route(app, ctx, 'deviceExposure', async ({ principal, params }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.devices', 'deviceExposure');
    const report = await exposureReport(ctx, params.id!);
    await ctx.audit.append({
      actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.device.exposure', target: params.id!, outcome: 'ok',
      details: { format: 'view', customers: report.customers.length },
    });
    return { report };
  });

  route(app, ctx, 'deviceExposureExport', async ({ principal, params, query }) => {
    const actor = await requireAdmin(ctx, principal, 'admin.devices', 'deviceExposureExport');
    const report = await exposureReport(ctx, params.id!);
    const file = await renderExposure(report, query.format, query.lang);
    await ctx.audit.append({
      actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.device.exposure', target: params.id!, outcome: 'ok',
      details: { format: query.format, lang: query.lang, customers: report.customers.length },
    });
    return file;
  });

  // ---- audit trail
  route(app, ctx, 'listAudit', async ({ principal, query }) => {
    await requireAdmin(ctx, principal, 'audit.read', 'listAudit');
    return { entries: await listAuditTrail(ctx, query) };
  });

  // ---- incident view (read from the trail; the actions on it are the routes above)
  route(app, ctx, 'userIncident', async ({ principal, params }) => {
    await requireAdmin(ctx, principal, 'audit.read', 'userIncident');
    return userIncident(ctx, params.id!);
  });

  route(app, ctx, 'deviceIncident', async ({ principal, params }) => {
    await requireAdmin(ctx, principal, 'audit.read', 'deviceIncident');
    return deviceIncident(ctx, params.id!);
  });

  route(app, ctx, 'verifyAudit', async ({ principal }) => {
    const actor = await requireAdmin(ctx, principal, 'audit.read', 'verifyAudit');
    const result = await verifyChain(ctx.db);
    await ctx.audit.append({
      actorId: actor.userId, deviceId: actor.deviceId, action: 'audit.verify', target: null, outcome: 'ok',
      details: { ...result },
    });
    return result;
  });
}

