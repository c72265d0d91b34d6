// Administration (users, roles, units, devices, and the four-eyes approvals of changes that widen
// someone's access) and the audit trail, for IT admins and auditors: server-side data only, online
// only. Every call goes through the controller's `callServer` (an unreachable server is
// `server_unreachable`; a revocation seen here wipes like anywhere else); the server decides who
// may do what.

import type { PendingApproval } from '../../../shared/api/desktop-api';
import type { AuditDeviceRef, AuditEntryView, AuditPersonRef } from '../../../shared/protocol/routes';
import type { AppController } from '../session/controller';
import { renderExport } from './exports';
import type { HandlerGroup } from './types';

type AdminMethod =
  | 'adminListUsers'
  | 'adminCreateUser'
  | 'adminUpdateUser'
  | 'adminDeactivateUser'
  | 'adminUnlockUser'
  | 'adminResetUserMfa'
  | 'adminSignOutUserEverywhere'
  | 'adminRevokeUserDevices'
  | 'adminListRoles'
  | 'adminUpdateRole'
  | 'adminCreateRole'
  | 'adminListUnits'
  | 'adminListDevices'
  | 'adminRevokeDevice'
  | 'adminGetMinVersions'
  | 'adminSetMinVersion'
  | 'adminDeviceExposure'
  | 'adminExportDeviceExposure'
  | 'adminListApprovals'
  | 'adminApproveRequest'
  | 'adminRejectRequest'
  | 'auditList'
  | 'auditVerify'
  | 'auditExport'
  | 'incidentUser'
  | 'incidentDevice';

const AUDIT_EXPORT_MAX = 50_000;

export function adminHandlers(app: AppController): HandlerGroup<AdminMethod> {
  const callServer = app.callServer.bind(app);
  const progress = (value: { task: 'export'; done: number; total: null } | null) => {
    app.state.progress = value;
    app.emit();
  };
  return {
    adminListUsers: async () => (await callServer((c) => c.call('listUsers'))).users,
    adminCreateUser: async (input) => resultOrPending(await callServer((c) => c.call('createUser', input)), 'user'),
    adminUpdateUser: async (input) => resultOrPending(await callServer((c) => c.call('updateUser', input.patch, { params: { id: input.id } })), 'user'),
    adminDeactivateUser: async (input) => callServer((c) => c.call('deactivateUser', undefined, { params: { id: input.id } })),
    adminUnlockUser: async ({ id }) => (await callServer((c) => c.call('unlockUser', undefined, { params: { id } }))).user,
    adminResetUserMfa: async ({ id }) => (await callServer((c) => c.call('resetUserMfa', undefined, { params: { id } }))).user,
    adminSignOutUserEverywhere: async ({ id }) => callServer((c) => c.call('signOutUserEverywhere', undefined, { params: { id } })),
    adminRevokeUserDevices: async ({ id }) => (await callServer((c) => c.call('revokeUserDevices', undefined, { params: { id } }))).devices,
    adminListRoles: async () => (await callServer((c) => c.call('listRoles'))).roles,
    adminUpdateRole: async (input) => resultOrPending(await callServer((c) => c.call('updateRole', input.patch, { params: { id: input.id } })), 'role'),
    adminCreateRole: async (input) => (await callServer((c) => c.call('createRole', input))).role,
    adminListUnits: async () => (await callServer((c) => c.call('listUnits'))).units,
    adminListDevices: async () => (await callServer((c) => c.call('listDevices'))).devices,
    adminRevokeDevice: async (input) => (await callServer((c) => c.call('revokeDevice', undefined, { params: { id: input.id } }))).device,
    adminGetMinVersions: async () => callServer((c) => c.call('getMinAppVersions')),
    adminSetMinVersion: async (input) => callServer((c) => c.call('setMinAppVersion', input)),
    // The lost-device exposure report is built and rendered by the server (PDF included).
    adminDeviceExposure: async ({ id }) => (await callServer((c) => c.call('deviceExposure', undefined, { params: { id } }))).report,
    adminExportDeviceExposure: async ({ id, format, lang }) => {
      const file = await callServer((c) => c.call('deviceExposureExport', undefined, { params: { id }, query: { format, lang } }));
      return { filename: file.fileName, mime: file.mimeType, base64: file.base64, count: file.customers };
    },
    // A change that widens someone's access waits for a second administrator (the server decides).
    adminListApprovals: async (query) => (await callServer((c) => c.call('listApprovals', undefined, { query }))).approvals,
    adminApproveRequest: async ({ id }) => (await callServer((c) => c.call('approveRequest', undefined, { params: { id } }))).approval,
    adminRejectRequest: async ({ id }) => (await callServer((c) => c.call('rejectRequest', undefined, { params: { id } }))).approval,
    auditList: async (input) => (await callServer((c) => c.call('listAudit', undefined, { query: auditQuery(input) }))).entries,
    auditVerify: async () => callServer((c) => c.call('verifyAudit')),
    incidentUser: async ({ id }) => callServer((c) => c.call('userIncident', undefined, { params: { id } })),
    incidentDevice: async ({ id }) => callServer((c) => c.call('deviceIncident', undefined, { params: { id } })),
    auditExport: async (input) => {
      const filter = input.filter ?? { limit: 1000 };
      const entries: AuditEntryView[] = [];
      let beforeSeq = filter.beforeSeq;
      progress({ task: 'export', done: 0, total: null });
      try {
        while (entries.length < AUDIT_EXPORT_MAX) {
          const page = await callServer((c) => c.call('listAudit', undefined, { query: auditQuery({ ...filter, limit: 1000, beforeSeq }) }));
          entries.push(...page.entries);
          progress({ task: 'export', done: entries.length, total: null });
          const last = page.entries.at(-1);
          if (page.entries.length < 1000 || !last) break;
          beforeSeq = last.seq;
        }
      } finally {
        progress(null);
      }
      const rows = entries.map((e) => ({
        seq: e.seq,
        at: new Date(e.at).toISOString(),
        actorId: e.actorId ?? '',
        deviceId: e.deviceId ?? '',
        action: e.action,
        target: e.target ?? '',
        outcome: e.outcome,
        details: input.format === 'csv' ? JSON.stringify(e.details) : e.details,
        hash: e.hash,
        // the names the server resolved for the reader (empty where there is none)
        actorName: nameOf(e.names?.actor),
        deviceName: nameOf(e.names?.device),
        targetName: nameOf(e.names?.target),
      }));
      return renderExport('audit', input.format, rows, app.clock.now());
    },
  };
}

/** A change's result, or the pending approval it became (the server answered 202). */
export function resultOrPending<K extends string, T>(response: { [key in K]: T } | PendingApproval, key: K): T | PendingApproval {
  return 'pendingApproval' in response ? { pendingApproval: response.pendingApproval } : (response as { [key in K]: T })[key];
}

function nameOf(ref: AuditPersonRef | AuditDeviceRef | undefined): string {
  if (!ref) return '';
  if (ref.kind === 'user') return `${ref.displayName} (${ref.username})`;
  const host = ref.hostName?.trim();
  const device = host && !ref.name.includes(host) ? `${host} · ${ref.name}` : ref.name;
  return ref.ownerName ? `${device} (${ref.ownerName})` : device;
}

function auditQuery(q: Record<string, unknown>): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  for (const [k, v] of Object.entries(q)) if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return out;
}
