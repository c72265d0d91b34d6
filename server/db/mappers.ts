// Rows <-> domain objects and wire views. JSON columns are parsed here and nowhere else.

import type { Selectable } from 'kysely';
import type { Action, DataScope, FieldLevel, OfflinePolicy, OrgUnit, Role, RoleKey, Share, User } from '../../shared/domain/model';
import type { DeviceView, RoleView, ShareView, UserView } from '../../shared/protocol/routes';
import { deviceLifecycle } from '../devices/lifecycle';
import { validWipeConfirmation } from '../devices/revocation';
import type { DevicesTable, OrgUnitsTable, RolesTable, SharesTable, UsersTable } from './schema';

export function rowToUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    unitId: row.unit_id,
    roleId: row.role_id,
    managedUnitIds: JSON.parse(row.managed_unit_ids) as string[],
    status: row.status,
  };
}

export function rowToUserView(row: Selectable<UsersTable>): UserView {
  return {
    ...rowToUser(row),
    mfaEnrolled: row.totp_secret !== null,
    lastSignInAt: row.last_sign_in_at,
    lockedUntil: row.locked_until,
  };
}

export function rowToRole(row: Selectable<RolesTable>): Role {
  return {
    id: row.id,
    key: row.key as RoleKey | null,
    name: row.name,
    actions: JSON.parse(row.actions) as Action[],
    dataScope: row.data_scope as DataScope,
    readClearance: row.read_clearance as FieldLevel,
    writeClearance: row.write_clearance as FieldLevel,
    offline: JSON.parse(row.offline) as OfflinePolicy,
  };
}

export function roleToView(role: Role): RoleView {
  return { ...role };
}

export function roleToRow(role: Role, updatedAt: number): Selectable<RolesTable> {
  return {
    id: role.id,
    key: role.key,
    name: role.name,
    actions: JSON.stringify(role.actions),
    data_scope: role.dataScope,
    read_clearance: role.readClearance,
    write_clearance: role.writeClearance,
    offline: JSON.stringify(role.offline),
    updated_at: updatedAt,
  };
}

export function rowToUnit(row: Selectable<OrgUnitsTable>): OrgUnit {
  return { id: row.id, parentId: row.parent_id, name: row.name, kind: row.kind };
}

export function rowToShare(row: Selectable<SharesTable>): Share {
  return {
    id: row.id,
    customerId: row.customer_id,
    granteeType: row.grantee_type,
    granteeId: row.grantee_id,
    access: row.access,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export function shareToView(share: Share): ShareView {
  return { ...share };
}

export function rowToDeviceView(row: Selectable<DevicesTable>): DeviceView {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    platform: row.platform,
    appVersion: row.app_version,
    status: row.status,
    enrolledAt: row.enrolled_at,
    lastCheckInAt: row.last_check_in_at,
    revokedAt: row.revoked_at,
    wipeConfirmedAt: validWipeConfirmation(row),
    lifecycle: deviceLifecycle(row),
    hostName: row.host_name,
    osVersion: row.os_version,
    lastIp: row.last_ip,
    signedOutAt: row.signed_out_at,
  };
}
