import { z } from 'zod';
import { AUDIT_GROUPS } from '../audit/actions';
import { APP_PLATFORMS, SEMVER_PATTERN } from '../domain/app-version';
import { DATA_SCOPES, FIELD_LEVELS } from '../domain/model';
import { epochMsSchema, idSchema } from './common';
import {
  approvalViewSchema,
  createRoleBodySchema,
  createShareBodySchema,
  createUserBodySchema,
  passwordSchema,
  pendingApprovalSchema,
  roleViewSchema,
  setFieldLevelBodySchema,
  updateRoleBodySchema,
  updateUserBodySchema,
  usernameSchema,
} from './admin';
import { exposureExportQuerySchema, exposureFileSchema, exposureReportSchema } from './exposure';
import { classificationSchema } from './grant';
import { alertThresholdsSchema } from './alert-thresholds';
import { recycleBinResponseSchema } from './recycle-bin';
import { SSO_ROUTES } from './sso';
import {
  auditUploadSchema,
  pullRequestSchema,
  pullResponseSchema,
  pushRequestSchema,
  pushResponseSchema,
  serverEventSchema,
} from './sync';

// The server's HTTP API as one table: the server registers routes from it, the client calls
// through it. `auth`:
//   none   – public (sign-in, server key)
//   signed – device signature only (refresh; the device key is the credential)
//   token  – device signature AND a bearer access token (everything else)

type Auth = 'none' | 'signed' | 'token';
interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodType;
  response: z.ZodType;
}

const fieldLevel = z.enum(FIELD_LEVELS);
const username = usernameSchema;
const password = passwordSchema;
const totpCode = z.string().regex(/^\d{6}$/, 'a 6-digit code');
/** What a device tells about the machine it runs on (at enrolment and check-in; older apps omit it). */
const deviceFacts = {
  hostName: z.string().trim().max(100).optional(),
  osVersion: z.string().trim().max(100).optional(),
};

export const userViewSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  unitId: z.string(),
  roleId: z.string(),
  managedUnitIds: z.array(z.string()),
  status: z.enum(['active', 'deactivated']),
  mfaEnrolled: z.boolean(),
  lastSignInAt: epochMsSchema.nullable(),
  lockedUntil: epochMsSchema.nullable(),
});

export const orgUnitViewSchema = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  kind: z.enum(['company', 'region', 'branch', 'team']),
});

export const deviceViewSchema = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  platform: z.string(),
  appVersion: z.string(),
  status: z.enum(['active', 'revoked']),
  enrolledAt: epochMsSchema,
  lastCheckInAt: epochMsSchema.nullable(),
  revokedAt: epochMsSchema.nullable(),
  wipeConfirmedAt: epochMsSchema.nullable(),
  /** where the device is in its life, for people: see deviceLifecycle() on the server */
  lifecycle: z.enum(['active', 'signed_out', 'revoked', 'wipe_confirmed']),
  hostName: z.string().nullable(),
  osVersion: z.string().nullable(),
  lastIp: z.string().nullable(),
  signedOutAt: epochMsSchema.nullable(),
});

/** The minimum app version IT set for a platform (docs/app-versions.md). */
export const minAppVersionViewSchema = z.object({
  platform: z.enum(APP_PLATFORMS),
  minVersion: z.string(),
  /** null = set from the CLI */
  setBy: z.string().nullable(),
  setAt: epochMsSchema,
});

export const minAppVersionsSchema = z.object({
  minimums: z.array(minAppVersionViewSchema),
  /** active devices below their platform's minimum, per platform */
  belowMinimum: z.record(z.string(), z.number().int()),
});

/** details of a 426 app_update_required answer */
export const updateRequiredDetailsSchema = z.object({
  platform: z.string(),
  minimum: z.string(),
  current: z.string(),
});

export const shareViewSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  granteeType: z.enum(['user', 'unit']),
  granteeId: z.string(),
  access: z.enum(['read', 'write']),
  expiresAt: epochMsSchema.nullable(),
  revokedAt: epochMsSchema.nullable(),
});

const auditPersonSchema = z.object({ kind: z.literal('user'), id: z.string(), username: z.string(), displayName: z.string() });
const auditDeviceSchema = z.object({
  kind: z.literal('device'), id: z.string(), name: z.string(), hostName: z.string().nullable(), platform: z.string(),
  userId: z.string(), ownerName: z.string().nullable(),
});

export const auditEntryViewSchema = z.object({
  seq: z.number().int(),
  at: epochMsSchema,
  actorId: z.string().nullable(),
  deviceId: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: z.enum(['ok', 'denied', 'failed']),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
  /** names of the people and devices the entry mentions, resolved by the server for audit readers */
  names: z.object({
    actor: auditPersonSchema.optional(),
    device: auditDeviceSchema.optional(),
    target: z.union([auditPersonSchema, auditDeviceSchema]).optional(),
  }).optional(),
  /** a routine sync entry (check-in, a pull or push that changed nothing) */
  routine: z.boolean().optional(),
});

export const auditQuerySchema = z.object({
  actorId: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  /** a person's name or username, or part of it: entries they made or that concern them or their devices */
  person: z.string().trim().min(1).max(64).optional(),
  group: z.enum(AUDIT_GROUPS).optional(),
  /** a record id (or `entity:id`): entries whose target is that record */
  recordId: z.string().trim().min(1).max(128).optional(),
  /** entries made from this device or about it */
  deviceId: z.string().trim().min(1).max(64).optional(),
  /** routine sync entries are folded away unless `show` (or an action filter names them) */
  routine: z.enum(['fold', 'show']).optional(),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  beforeSeq: z.coerce.number().int().positive().optional(),
});

export { roleViewSchema, approvalViewSchema };
export type { ApprovalChange, ApprovalView } from './admin';

// ---- anomaly alerts and access reviews (server-side security monitoring and periodic access certification)
export const ALERT_RULES = [
  'pull_volume', 'offline_view_volume', 'offline_export_volume',
  'failed_sign_in_user', 'failed_sign_in_ip', 'new_device', 'off_hours', 'offline_audit_flagged',
  // an access review is due soon and this reviewer has undecided items (server/reviews/deadlines.ts)
  'review_due',
] as const;
export const ALERT_SEVERITIES = ['low', 'medium', 'high'] as const;

export const alertViewSchema = z.object({
  id: z.string(),
  at: epochMsSchema,
  rule: z.enum(ALERT_RULES),
  severity: z.enum(ALERT_SEVERITIES),
  userId: z.string().nullable(),
  deviceId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  status: z.enum(['open', 'acknowledged']),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: epochMsSchema.nullable(),
  note: z.string().nullable(),
});

export const REVIEW_FLAGS = ['stale', 'moved', 'role_changed', 'privileged'] as const;

export const reviewSnapshotSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  unitId: z.string(),
  unitName: z.string().nullable(),
  managedUnitIds: z.array(z.string()),
  roleId: z.string(),
  roleName: z.string(),
  actions: z.array(z.string()),
  dataScope: z.enum(DATA_SCOPES),
  readClearance: fieldLevel,
  writeClearance: fieldLevel,
  devices: z.array(z.object({
    id: z.string(), name: z.string(), platform: z.string(), status: z.enum(['active', 'revoked']),
    enrolledAt: epochMsSchema, lastCheckInAt: epochMsSchema.nullable(),
  })),
  lastSignInAt: epochMsSchema.nullable(),
  /** the later of the last sign-in and the last device check-in */
  lastActivityAt: epochMsSchema.nullable(),
  /** the same user in the previous campaign (for `moved` / `role_changed`) */
  previous: z.object({ campaignId: z.string(), unitId: z.string(), roleId: z.string() }).nullable(),
});

export const reviewItemViewSchema = z.object({
  id: z.string(),
  campaignId: z.string(),
  userId: z.string(),
  reviewerId: z.string().nullable(),
  snapshot: reviewSnapshotSchema,
  flags: z.array(z.enum(REVIEW_FLAGS)),
  decision: z.enum(['certified', 'revoked']).nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: epochMsSchema.nullable(),
  note: z.string().nullable(),
  /** a reviewer decided, or the campaign's due date did (its setting: keep or revoke) */
  decisionSource: z.enum(['reviewer', 'due_date']).nullable(),
});

/** What the due date does to the items still undecided then. */
export const REVIEW_DUE_ACTIONS = ['keep', 'revoke'] as const;

export const reviewCampaignViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdBy: z.string().nullable(),
  createdAt: epochMsSchema,
  dueAt: epochMsSchema,
  status: z.enum(['open', 'closed']),
  staleDays: z.number().int(),
  closedAt: epochMsSchema.nullable(),
  items: z.number().int(),
  decided: z.number().int(),
  dueAction: z.enum(['keep', 'revoke']),
  /** reviewers with undecided items are reminded this many days before the due date (0: never) */
  reminderDays: z.number().int(),
  remindedAt: epochMsSchema.nullable(),
  closeReason: z.enum(['all_items_decided', 'due_date']).nullable(),
});

const ok = z.object({ ok: z.literal(true) });

// ---- incident view: one person's or one device's story, from the audit trail and the device and alert tables
export const INCIDENT_EVENT_KINDS = [
  'enrolment', 'sign_in', 'sync', 'scope_change', 'records', 'alert', 'revocation', 'wipe', 'sign_out', 'account', 'other',
] as const;

export const incidentEventSchema = z.object({
  at: epochMsSchema,
  kind: z.enum(INCIDENT_EVENT_KINDS),
  /** the audit entry (null for an alert from the alert table) */
  seq: z.number().int().nullable(),
  action: z.string().nullable(),
  outcome: z.enum(['ok', 'denied', 'failed']).nullable(),
  actorName: z.string().nullable(),
  deviceId: z.string().nullable(),
  /** the device's host name and label, as the server knows it */
  deviceName: z.string().nullable(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  /** routine syncs folded into this one event: how many, the first one's time */
  folded: z.object({ count: z.number().int(), from: epochMsSchema }).optional(),
  alert: z.object({ id: z.string(), rule: z.string(), severity: z.enum(['low', 'medium', 'high']), status: z.enum(['open', 'acknowledged']) }).optional(),
});

export const incidentSchema = z.object({
  user: userViewSchema,
  /** the user's devices (user incident), or the one device (device incident) */
  devices: z.array(deviceViewSchema),
  /** newest first */
  events: z.array(incidentEventSchema),
  /** older entries exist beyond the newest ones shown */
  truncated: z.boolean(),
});

export const ROUTES = {
  serverKey: {
    method: 'GET', path: '/v1/server-key', auth: 'none',
    response: z.object({ jwk: z.record(z.string(), z.unknown()), kid: z.string() }),
  },
  /** Step 1: password. Always answers mfa_required-style with an mfaToken when the password is right. */
  signIn: {
    method: 'POST', path: '/v1/auth/sign-in', auth: 'none',
    body: z.object({ username, password }),
    response: z.object({
      mfaToken: z.string(),
      /** true when the user has no TOTP yet: `otpauthUri` is given to enrol an authenticator. */
      mfaSetupRequired: z.boolean(),
      otpauthUri: z.string().optional(),
    }),
  },
  /** Step 2: TOTP code → enrollment token (single use, 5 min). */
  verifyMfa: {
    method: 'POST', path: '/v1/auth/mfa', auth: 'none',
    body: z.object({ mfaToken: z.string().max(2048), code: totpCode }),
    response: z.object({ enrollmentToken: z.string() }),
  },
  /** Step 3: register the device's Ed25519 public key; returns the first grant and access token. */
  enrollDevice: {
    method: 'POST', path: '/v1/devices/enroll', auth: 'none',
    body: z.object({
      enrollmentToken: z.string().max(2048),
      /** raw 32-byte Ed25519 public key, base64url */
      publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a base64url Ed25519 public key'),
      name: z.string().trim().min(1).max(100),
      platform: z.string().max(40),
      appVersion: z.string().max(40),
      ...deviceFacts,
      /** random id of this installation, kept outside the vault: the same machine signing in again */
      installId: z.string().uuid().optional(),
    }),
    response: z.object({
      deviceId: z.string(),
      grant: z.string(),
      accessToken: z.string(),
      accessExpiresAt: epochMsSchema,
      serverKey: z.object({ jwk: z.record(z.string(), z.unknown()), kid: z.string() }),
    }),
  },
  /** Check-in: fresh access token and grant. Device signature only. */
  refresh: {
    method: 'POST', path: '/v1/session/refresh', auth: 'signed',
    body: z.object({ appVersion: z.string().max(40), ...deviceFacts }),
    response: z.object({ accessToken: z.string(), accessExpiresAt: epochMsSchema, grant: z.string() }),
  },
  /**
   * The device signs itself out (sent, signed, just before its local wipe): it is retired on the
   * server, no longer counts toward the device limit and is shown as signed out.
   */
  signOutDevice: {
    method: 'POST', path: '/v1/devices/sign-out', auth: 'signed',
    response: ok,
  },
  pull: { method: 'POST', path: '/v1/sync/pull', auth: 'token', body: pullRequestSchema, response: pullResponseSchema },
  push: { method: 'POST', path: '/v1/sync/push', auth: 'token', body: pushRequestSchema, response: pushResponseSchema },
  uploadAudit: {
    method: 'POST', path: '/v1/audit/offline', auth: 'token', body: auditUploadSchema,
    response: z.object({ accepted: z.number().int() }),
  },
  /** The client reports that it has crypto-shredded itself (after a wipe directive). */
  /**
   * A device whose enrollment never finished on the client (killed before its vault and first
   * grant were saved) retires itself: the body is signed with the device key over
   * `abandonEnrollmentMessage(publicKey)`. Only a device that never checked in is retired.
   */
  abandonEnrollment: {
    method: 'POST', path: '/v1/devices/abandon-enrollment', auth: 'none',
    body: z.object({
      publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a base64url Ed25519 public key'),
      signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'a base64url Ed25519 signature'),
    }),
    response: z.object({ retired: z.boolean() }),
  },
  confirmWipe: {
    method: 'POST', path: '/v1/devices/wipe-confirm', auth: 'signed',
    body: z.object({ directiveIat: z.number().int() }),
    response: ok,
  },
  /**
   * The real-time stream: text/event-stream, each event `event: <type>` + `data: <serverEventSchema
   * JSON>`. Registered by hand on the server (server/events/stream.ts), not through route().
   */
  events: { method: 'GET', path: '/v1/events', auth: 'token', response: serverEventSchema },

  // ---- admin (authorized by the permission engine: admin.users / admin.roles / admin.devices / audit.read)
  listUsers: { method: 'GET', path: '/v1/admin/users', auth: 'token', response: z.object({ users: z.array(userViewSchema) }) },
  // A change that widens someone's access and is not covered by the caller's own scope answers
  // 202 with the pending approval instead of the result (separation of duties).
  createUser: {
    method: 'POST', path: '/v1/admin/users', auth: 'token',
    body: createUserBodySchema,
    response: z.union([z.object({ user: userViewSchema }), pendingApprovalSchema]),
  },
  updateUser: {
    method: 'PATCH', path: '/v1/admin/users/:id', auth: 'token',
    body: updateUserBodySchema,
    response: z.union([z.object({ user: userViewSchema }), pendingApprovalSchema]),
  },
  deactivateUser: {
    method: 'POST', path: '/v1/admin/users/:id/deactivate', auth: 'token',
    response: z.object({ user: userViewSchema, revokedDevices: z.number().int() }),
  },
  // ---- help desk and incident actions on a user (never on oneself: 403 self_change)
  /** Clears every sign-in lock of the account. admin.users */
  unlockUser: { method: 'POST', path: '/v1/admin/users/:id/unlock', auth: 'token', response: z.object({ user: userViewSchema }) },
  /** The user sets up an authenticator again at the next sign-in. admin.users */
  resetUserMfa: { method: 'POST', path: '/v1/admin/users/:id/reset-mfa', auth: 'token', response: z.object({ user: userViewSchema }) },
  /** Every active device of the user is signed out (and erases its data). admin.users */
  signOutUserEverywhere: {
    method: 'POST', path: '/v1/admin/users/:id/sign-out-everywhere', auth: 'token',
    response: z.object({ signedOutDevices: z.number().int() }),
  },
  /** Every active device of the user is revoked. admin.devices */
  revokeUserDevices: {
    method: 'POST', path: '/v1/admin/users/:id/revoke-devices', auth: 'token',
    response: z.object({ devices: z.array(deviceViewSchema) }),
  },
  listRoles: { method: 'GET', path: '/v1/admin/roles', auth: 'token', response: z.object({ roles: z.array(roleViewSchema) }) },
  createRole: {
    method: 'POST', path: '/v1/admin/roles', auth: 'token',
    body: createRoleBodySchema,
    response: z.object({ role: roleViewSchema }),
  },
  updateRole: {
    method: 'PATCH', path: '/v1/admin/roles/:id', auth: 'token',
    body: updateRoleBodySchema,
    response: z.union([z.object({ role: roleViewSchema }), pendingApprovalSchema]),
  },
  listUnits: { method: 'GET', path: '/v1/admin/units', auth: 'token', response: z.object({ units: z.array(orgUnitViewSchema) }) },
  createUnit: {
    method: 'POST', path: '/v1/admin/units', auth: 'token',
    body: z.object({ parentId: idSchema, name: z.string().trim().min(1).max(100), kind: z.enum(['region', 'branch', 'team']) }),
    response: z.object({ unit: orgUnitViewSchema }),
  },
  getClassification: {
    method: 'GET', path: '/v1/admin/classification', auth: 'token',
    response: z.object({ classification: classificationSchema }),
  },
  setFieldLevel: {
    method: 'PATCH', path: '/v1/admin/classification', auth: 'token',
    body: setFieldLevelBodySchema,
    response: z.union([z.object({ classification: classificationSchema }), pendingApprovalSchema]),
  },
  /**
   * Shares are created by whoever may reassign the customer (customer.reassign); a user
   * administrator's share waits for a second administrator (202).
   */
  createShare: {
    method: 'POST', path: '/v1/shares', auth: 'token',
    body: createShareBodySchema,
    response: z.union([z.object({ share: shareViewSchema }), pendingApprovalSchema]),
  },
  revokeShare: { method: 'POST', path: '/v1/shares/:id/revoke', auth: 'token', response: z.object({ share: shareViewSchema }) },
  reassignCustomer: {
    method: 'POST', path: '/v1/customers/:id/reassign', auth: 'token',
    body: z.object({ ownerId: idSchema }),
    response: ok,
  },
  /** Deleted customers the caller holds customer.delete over (docs/reassign-and-delete.md). */
  listRecycleBin: {
    method: 'GET', path: '/v1/recycle-bin', auth: 'token',
    response: recycleBinResponseSchema,
  },
  /** Back into the vaults in scope at their next sync; customer.delete over the customer. */
  restoreCustomer: {
    method: 'POST', path: '/v1/recycle-bin/:id/restore', auth: 'token',
    response: ok,
  },
  /** Approvals: listed by anyone with admin.users or admin.roles; decided by another holder of the request's permission. */
  listApprovals: {
    method: 'GET', path: '/v1/admin/approvals', auth: 'token',
    query: z.object({ status: z.enum(['pending', 'approved', 'rejected']).optional(), limit: z.coerce.number().int().min(1).max(500).default(200) }),
    response: z.object({ approvals: z.array(approvalViewSchema) }),
  },
  approveRequest: {
    method: 'POST', path: '/v1/admin/approvals/:id/approve', auth: 'token',
    response: z.object({ approval: approvalViewSchema }),
  },
  rejectRequest: {
    method: 'POST', path: '/v1/admin/approvals/:id/reject', auth: 'token',
    response: z.object({ approval: approvalViewSchema }),
  },
  listDevices: {
    method: 'GET', path: '/v1/admin/devices', auth: 'token',
    response: z.object({ devices: z.array(deviceViewSchema) }),
  },
  revokeDevice: {
    method: 'POST', path: '/v1/admin/devices/:id/revoke', auth: 'token',
    response: z.object({ device: deviceViewSchema }),
  },
  /** The minimum app version per platform, and how many active devices are below it. admin.devices */
  getMinAppVersions: {
    method: 'GET', path: '/v1/admin/min-versions', auth: 'token',
    response: minAppVersionsSchema,
  },
  /** Set (or with null, remove) a platform's minimum. admin.devices; audited. */
  setMinAppVersion: {
    method: 'POST', path: '/v1/admin/min-versions', auth: 'token',
    body: z.object({
      platform: z.enum(APP_PLATFORMS),
      minVersion: z.string().trim().max(40).regex(SEMVER_PATTERN, 'a version such as 1.4.0').nullable(),
    }),
    response: minAppVersionsSchema,
  },
  /** What the device's vault held (the exposure ledger): ids, customer names, field names. admin.devices */
  deviceExposure: {
    method: 'GET', path: '/v1/admin/devices/:id/exposure', auth: 'token',
    response: z.object({ report: exposureReportSchema }),
  },
  /** The same report rendered as a JSON, CSV or PDF file. admin.devices */
  deviceExposureExport: {
    method: 'GET', path: '/v1/admin/devices/:id/exposure/export', auth: 'token', query: exposureExportQuerySchema,
    response: exposureFileSchema,
  },
  listAudit: {
    method: 'GET', path: '/v1/audit', auth: 'token', query: auditQuerySchema,
    response: z.object({ entries: z.array(auditEntryViewSchema) }),
  },
  userIncident: {
    method: 'GET', path: '/v1/admin/incidents/users/:id', auth: 'token', response: incidentSchema,
  },
  deviceIncident: {
    method: 'GET', path: '/v1/admin/incidents/devices/:id', auth: 'token', response: incidentSchema,
  },
  verifyAudit: {
    method: 'GET', path: '/v1/audit/verify', auth: 'token',
    response: z.object({ ok: z.boolean(), checked: z.number().int(), firstBrokenSeq: z.number().int().nullable() }),
  },
  // ---- anomaly alerts (read: admin.devices or audit.read; acknowledge: admin.devices)
  listAlerts: {
    method: 'GET', path: '/v1/alerts', auth: 'token',
    query: z.object({
      status: z.enum(['open', 'acknowledged']).optional(),
      rule: z.enum(ALERT_RULES).optional(),
      userId: z.string().max(64).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(200),
    }),
    response: z.object({ alerts: z.array(alertViewSchema) }),
  },
  getAlertConfig: {
    method: 'GET', path: '/v1/alerts/config', auth: 'token',
    response: z.object({ config: alertThresholdsSchema }),
  },
  updateAlertConfig: {
    method: 'POST', path: '/v1/alerts/config', auth: 'token', body: alertThresholdsSchema,
    response: z.object({ config: alertThresholdsSchema }),
  },
  acknowledgeAlert: {
    method: 'POST', path: '/v1/alerts/:id/acknowledge', auth: 'token',
    body: z.object({ note: z.string().trim().max(500).optional() }).default({}),
    response: z.object({ alert: alertViewSchema }),
  },

  // ---- access reviews (create/decide: review.conduct; read/export: audit.read or review.conduct)
  createReviewCampaign: {
    method: 'POST', path: '/v1/reviews', auth: 'token',
    body: z.object({
      name: z.string().trim().min(1).max(100),
      dueAt: epochMsSchema,
      /** `stale` = no sign-in or check-in for this many days */
      staleDays: z.number().int().min(1).max(3650).default(30),
      /** at the due date, undecided items are kept (certified) or revoked (the user deactivated) */
      dueAction: z.enum(REVIEW_DUE_ACTIONS).default('keep'),
      reminderDays: z.number().int().min(0).max(90).default(3),
    }),
    response: z.object({ campaign: reviewCampaignViewSchema }),
  },
  listReviewCampaigns: {
    method: 'GET', path: '/v1/reviews', auth: 'token',
    response: z.object({ campaigns: z.array(reviewCampaignViewSchema) }),
  },
  getReviewCampaign: {
    method: 'GET', path: '/v1/reviews/:id', auth: 'token',
    query: z.object({ reviewerId: z.string().max(64).optional() }),
    response: z.object({ campaign: reviewCampaignViewSchema, items: z.array(reviewItemViewSchema) }),
  },
  decideReviewItem: {
    method: 'POST', path: '/v1/reviews/:id/items/:itemId/decision', auth: 'token',
    body: z.object({ decision: z.enum(['certify', 'revoke']), note: z.string().trim().max(500).optional() }),
    response: z.object({ item: reviewItemViewSchema, campaign: reviewCampaignViewSchema }),
  },
  /** The campaign's results as a file body (CSV or JSON) inside JSON, for the typed client. */
  exportReviewCampaign: {
    method: 'GET', path: '/v1/reviews/:id/export', auth: 'token',
    query: z.object({ format: z.enum(['json', 'csv']).default('json') }),
    response: z.object({ filename: z.string(), contentType: z.string(), content: z.string() }),
  },
  // ---- single sign-on and IT's identity-provider configuration (./sso.ts)
  ...SSO_ROUTES,
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;
export type RouteBody<R extends RouteName> = Routes[R] extends { body: z.ZodType } ? z.input<Routes[R]['body']> : undefined;
export type RouteResponse<R extends RouteName> = z.infer<Routes[R]['response']>;

export type UserView = z.infer<typeof userViewSchema>;
export type RoleView = z.infer<typeof roleViewSchema>;
export type OrgUnitView = z.infer<typeof orgUnitViewSchema>;
export type DeviceView = z.infer<typeof deviceViewSchema>;
export type ShareView = z.infer<typeof shareViewSchema>;
export type MinAppVersionView = z.infer<typeof minAppVersionViewSchema>;
export type MinAppVersions = z.infer<typeof minAppVersionsSchema>;
export type UpdateRequiredDetails = z.infer<typeof updateRequiredDetailsSchema>;
export type AuditEntryView = z.infer<typeof auditEntryViewSchema>;
export type AuditPersonRef = z.infer<typeof auditPersonSchema>;
export type AuditDeviceRef = z.infer<typeof auditDeviceSchema>;
export type IncidentEvent = z.infer<typeof incidentEventSchema>;
export type IncidentView = z.infer<typeof incidentSchema>;
export type IncidentEventKind = (typeof INCIDENT_EVENT_KINDS)[number];
export type AlertRule = (typeof ALERT_RULES)[number];
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export type AlertView = z.infer<typeof alertViewSchema>;
export type ReviewFlag = (typeof REVIEW_FLAGS)[number];
export type ReviewSnapshot = z.infer<typeof reviewSnapshotSchema>;
export type ReviewItemView = z.infer<typeof reviewItemViewSchema>;
export type ReviewCampaignView = z.infer<typeof reviewCampaignViewSchema>;

/** What a device signs to retire its own unfinished enrollment (ROUTES.abandonEnrollment). */
export function abandonEnrollmentMessage(publicKey: string): string {
  return `salesvault/abandon-enrollment/v1\n${publicKey}`;
}
