import { z } from 'zod';
import type {
  Activity,
  Contact,
  Customer,
  EntityType,
  FieldLevel,
  Opportunity,
  OpportunityStage,
  OrgUnitKind,
  Projected,
} from '../domain/model';
import { ACTIVITY_KINDS, OPPORTUNITY_STAGES } from '../domain/model';
import { idSchema } from '../protocol/common';
import { EXPOSURE_FORMATS, EXPOSURE_LANGS, type ExposureReport } from '../protocol/exposure';
import {
  activityFieldsSchema,
  contactFieldsSchema,
  customerFieldsSchema,
  opportunityFieldsSchema,
} from '../protocol/records';
import type {
  AlertView,
  ApprovalView,
  AuditEntryView,
  DeviceView,
  IncidentView,
  MinAppVersions,
  OrgUnitView,
  ReviewCampaignView,
  ReviewItemView,
  RoleView,
  UserView,
} from '../protocol/routes';
import { ROUTES } from '../protocol/routes';
import type { AlertThresholds } from '../protocol/alert-thresholds';
import type { RecycleBinList } from '../protocol/recycle-bin';
import type { GroupRuleView, IdentityProviderView } from '../protocol/sso';
import type { FunnelStep, OpportunityPage, OpportunityView, RollupRow, TeamDashboardFilter } from './opportunities';
import { listOpportunitiesInput, opportunityViewSchema, teamDashboardInput } from './opportunities';

// The one contract between the renderer and the main-side core. The preload implements it
// over IPC (Electron); the browser harness implements it over local HTTP (development and
// tests). Every call returns a Result — errors are values, never thrown across the boundary.

export type ApiErrorCode =
  | 'validation_failed'
  | 'not_signed_in'
  | 'invalid_credentials'
  | 'account_locked'
  | 'mfa_invalid'
  | 'rate_limited'
  | 'server_unreachable'
  | 'server_key_mismatch'
  /** The server address is refused: only https://, or http:// to this computer (loopback). */
  | 'insecure_server_url'
  | 'forbidden'
  | 'self_change'
  | 'separation_of_duties'
  | 'own_request'
  /** The role's device limit is reached: sign out on another device, or IT revokes one. */
  | 'device_limit'
  | 'not_found'
  | 'locked'
  | 'revoked'
  | 'keychain_unavailable'
  | 'vault_corrupt'
  /** The disk holding the vault is full (SQLITE_FULL / ENOSPC): nothing was written. */
  | 'disk_full'
  /** The vault file is there but its key is gone from the OS keychain. */
  | 'vault_key_missing'
  /** The vault file is damaged (a page fails its checksum); the app repairs it from the server. */
  | 'vault_damaged'
  /** Saving a downloaded page into the vault stopped (its worker thread ended); nothing half-written, the next sync resumes. */
  | 'vault_import_failed'
  /** the single sign-on in the browser did not complete (refused, cancelled, timed out) */
  | 'sso_failed'
  /** The server refuses this app's version: it is below the minimum IT set for this platform. */
  | 'app_update_required'
  /** Sign-out refused: edits in the outbox could not be uploaded (offline); they stay on the device. */
  | 'unsent_changes'
  | 'internal';

export interface ApiError {
  code: ApiErrorCode;
  /** English developer-facing detail; the renderer shows the localized text for `code`. */
  message: string;
  /** disk_full only: the free space on the drive that holds the vault, and what the app needs. */
  space?: { freeBytes: number; neededBytes: number };
  /** account_locked only: how long until the server lifts the lock (seconds, from the server's clock). */
  retryAfterSeconds?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Is `value` a Result as the contract defines it (checked where one crosses a process boundary)? */
export function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { ok?: unknown; error?: unknown };
  if (candidate.ok === true) return 'value' in candidate;
  if (candidate.ok !== false) return false;
  const error = candidate.error as { code?: unknown; message?: unknown } | undefined;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

// ---- state -------------------------------------------------------------------------------

export type AppPhase =
  | 'signed-out'
  | 'first-sync'
  | 'ready'
  /** Offline lease expired: data stays encrypted until a check-in succeeds. */
  | 'locked'
  /** The server revoked this device or user: the vault was crypto-shredded. */
  | 'revoked'
  /** No check-in for the wipe-after period: the vault was crypto-shredded. */
  | 'wiped';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  roleKey: string | null;
  roleName: string;
  actions: string[];
  dataScope: string;
  readClearance: FieldLevel;
  writeClearance: FieldLevel;
  exportAllowed: boolean;
}

export interface AppState {
  /**
   * Grows with every state the core streams (onStateChange); a state returned by a call carries
   * the revision of the last one streamed. The renderer keeps the newer of two states: a call's
   * answer can arrive after a later change has already been streamed (a first sync that finishes
   * before the sign-in call's answer is read must not be undone by that answer).
   */
  revision: number;
  phase: AppPhase;
  serverUrl: string | null;
  user: SessionUser | null;
  online: boolean;
  /** epoch ms */
  lastSyncAt: number | null;
  /**
   * Moves when, and only when, the records in the vault changed (a pull that wrote or removed
   * something, a local edit, a settled push). Lists reload on it, not on lastSyncAt: a sync that
   * changed nothing changes nothing on screen. 0 when no vault is open.
   */
  dataVersion: number;
  outboxCount: number;
  /** Conflicts and rejected edits waiting for the user's attention. */
  issueCount: number;
  leaseUntil: number | null;
  wipeAfter: number | null;
  /**
   * Present during first sync and long exports. `stage` (syncs): taking in records, or — at the
   * end of a first sync — building the indexes, then the search index.
   */
  progress: { task: 'first-sync' | 'sync' | 'export'; done: number; total: number | null; stage?: 'records' | 'indexes' | 'search' } | null;
  /**
   * Why the app is locked/revoked/wiped, as a stable CODE the renderer translates (never a
   * sentence): one of APP_STATE_REASONS —
   *   'lease_expired'      locked: no check-in before the offline lease ran out
   *   'clock_rolled_back'  locked: the system clock was set backwards
   *   'clock_suspect'      locked: the clock is far ahead of the last server-confirmed time and
   *                        the server could not be reached to say what time it is (no wipe)
   *   'wipe_after_expired' wiped: no check-in within the wipe-after period, local data erased
   *   'device_revoked'     revoked: an administrator revoked this device, local data erased
   *   'user_deactivated'   revoked: the user account was deactivated, local data erased
   *   'app_update_required' locked: the server refuses this app's version (below IT's minimum);
   *                        data stays encrypted on the device until an updated app checks in
   * or, when an existing vault cannot be opened (phase 'locked'), the ApiErrorCode that stopped
   * it ('keychain_unavailable', 'vault_corrupt', …). Unknown codes are shown raw. null otherwise.
   */
  reason: string | null;
  locale: Locale;
  /** Sync state summary: idle, syncing, error (with the last error code). */
  sync: { status: 'idle' | 'syncing' | 'error'; lastError: ApiErrorCode | null };
  /** The last time the vault had to be recovered (rolled back or repaired), until the user dismisses it. */
  recovery?: VaultRecovery | null;
  /**
   * Set while the server refuses this app's version (reason 'app_update_required'): the app is
   * locked, its data still encrypted on this device, until an updated app checks in.
   */
  updateRequired?: UpdateRequired | null;
  /** What the app's updater is doing ('unavailable' where the app cannot update itself). */
  update?: UpdateStatus;
}

/** The server's minimum version for this platform, and this app's version below it. */
export interface UpdateRequired {
  platform: string;
  minimum: string;
  current: string;
}

/**
 * The updater's state (electron/core/contracts.ts `Updater`): 'unavailable' where the app cannot
 * update itself (the browser harness, a development build, no feed configured).
 */
export interface UpdateStatus {
  state: 'unavailable' | 'idle' | 'checking' | 'not-available' | 'available' | 'downloading' | 'downloaded' | 'error';
  /** the version offered (available, downloading, downloaded) */
  version: string | null;
  /** download progress, 0–100 */
  percent: number | null;
  /** English detail of an error (the renderer shows its own text for the state) */
  message: string | null;
}

/**
 * What happened to the vault and what was lost: 'rolled_back' — the vault file went back behind
 * the high-water mark kept in the OS keychain (its WAL deleted, a backup restored); 'repaired' —
 * a damaged vault was rebuilt (its unsent edits salvaged, the rest synced again from the server).
 * `lostEdits` are the edits this device had accepted that were neither found in the vault nor
 * acknowledged by the server: they never reach the server and must be entered again.
 */
export interface VaultRecovery {
  kind: 'rolled_back' | 'repaired';
  at: number;
  /** Unsent edits that survived and are (or will be) pushed. */
  keptEdits: number;
  lostEdits: Omit<OutboxItem, 'attempts'>[];
}

/** The reason codes of AppState.reason (besides ApiErrorCodes for a vault that cannot be opened). */
export const APP_STATE_REASONS = ['lease_expired', 'clock_rolled_back', 'clock_suspect', 'wipe_after_expired', 'device_revoked', 'user_deactivated', 'app_update_required'] as const;
export type AppStateReason = (typeof APP_STATE_REASONS)[number];

export type Locale = 'zh-CN' | 'en';

// ---- views -------------------------------------------------------------------------------

export interface CustomerListItem {
  id: string;
  name: string;
  type?: 'company' | 'person';
  industry?: string;
  city?: string;
  ownerId: string;
  ownerName: string | null;
  tags?: string[];
  updatedAt: number;
  /** true when the record has edits not yet pushed */
  pending: boolean;
}

export interface FieldAccess {
  /** Fields present for this user (others are above clearance and absent). */
  readable: string[];
  /** Fields the user may change now. */
  writable: string[];
}

/** An activity on a customer's timeline, with the display name of who logged it (when known). */
export type TimelineActivity = Projected<Activity> & { authorName: string | null };

/**
 * A position in one customer's list of contacts, opportunities or activities (keyset paging): the
 * last row's sort key (the name's pinyin sort key, expected close date, moment) and its row
 * number in the vault. Opaque to the renderer: it sends back the `next` it was given.
 */
export const childCursorSchema = z.object({ key: z.union([z.string().max(1000), z.number()]).nullable(), rid: z.number().int().nonnegative() });
export type ChildCursor = z.infer<typeof childCursorSchema>;

/** Rows per page of a customer's child lists (the detail's first page and each further one). */
export const CHILD_PAGE_SIZE = 50;

/** One page of a customer's child list; `next` continues it, null after the last row. */
export interface ChildPage<T> {
  rows: T[];
  next: ChildCursor | null;
}

export interface CustomerDetail {
  customer: Projected<Customer>;
  /** The first page of each child list (contacts by name, opportunities by close date, activities newest first). */
  contacts: Projected<Contact>[];
  opportunities: Projected<Opportunity>[];
  activities: TimelineActivity[];
  /** How many of each the vault holds for this customer. */
  counts: { contacts: number; opportunities: number; activities: number };
  /** Where each list continues (customerContacts, customerOpportunities, customerActivities); null when complete. */
  next: { contacts: ChildCursor | null; opportunities: ChildCursor | null; activities: ChildCursor | null };
  access: Record<EntityType, FieldAccess>;
  /** Whether this user may edit this customer at all (scope + action + share access). */
  canEdit: boolean;
  canLogActivity: boolean;
  pending: boolean;
}

export interface OutboxItem {
  mutationId: string;
  entity: EntityType;
  op: 'create' | 'update' | 'delete';
  recordId: string;
  label: string;
  /** For an activity: its kind (visit, call, …), which the UI names in the user's language; the label is then its text. */
  activityKind?: string;
  /** What the edit changes: for an update each field's value before and after, for a create the values it sets; none for a delete. */
  changes?: OutboxChange[];
  createdAt: number;
  attempts: number;
}

/** One field of an outbox edit: `before` is absent for a created record. */
export interface OutboxChange {
  field: string;
  before?: unknown;
  after: unknown;
}

export interface SyncIssue {
  id: string;
  kind: 'conflict' | 'rejected';
  entity: EntityType;
  recordId: string;
  label: string;
  createdAt: number;
  reason: string | null;
  conflicts: { field: string; yours: unknown; theirs: unknown }[];
  /** For an activity: its kind, named in the user's language (the label is its text). */
  activityKind?: string;
  /** A refused create or update can be sent again (retryIssue). */
  resendable?: boolean;
}

export interface TeamDashboard {
  /** The filter the figures below were computed under (echoed, so drill-downs apply the same). */
  filter: TeamDashboardFilter;
  pipelineByStage: { stage: OpportunityStage; count: number; amount: number }[];
  /** Open stages in order, then won; lost deals are apart (winRate.lost). */
  funnel: FunnelStep[];
  /** Owners of the deals in the vault (for the owner filter), by name. */
  owners: { ownerId: string; ownerName: string }[];
  pipelineByRep: { ownerId: string; ownerName: string; count: number; amount: number }[];
  winRate: { won: number; lost: number; rate: number | null };
  activitiesPerWeek: { weekStart: string; count: number }[];
  /** The first customers not contacted in 30 days (never contacted first; capped). */
  notContacted30d: { customerId: string; name: string; lastActivityAt: number | null }[];
  /** How many customers qualify in all (the list above may show fewer). */
  notContacted30dTotal: number;
  /** Opportunities past their expected close date and not won/lost */
  overdue: number;
  /** The org units of the user's scope the server sent (the team filter's choices; empty before the first full sync). */
  units: { id: string; parentId: string | null; name: string; kind: OrgUnitKind }[];
  /** Branches and their teams under the period (owner and unit filters aside); see RollupRow. */
  rollup: RollupRow[];
  /** The last day that counts as overdue (yesterday, yyyy-mm-dd): the drill-down's close-date bound. */
  overdueBefore: string;
  computedAt: number;
}

/** A follow-up (a planned activity, docs/follow-ups.md) as lists and the home page show it. */
export interface FollowUpItem {
  id: string;
  customerId: string;
  customerName: string;
  /** What is planned (visit, call, note); absent only if above the user's clearance. */
  kind?: Activity['kind'];
  /** The plan's text; absent when above the user's read clearance. */
  text?: string;
  dueAt: number;
  reminderAt: number | null;
  doneAt: number | null;
  authorId: string;
  authorName: string | null;
  /** true while the plan (or a change of it) waits in the outbox */
  pending: boolean;
  /** May this user reschedule and complete it (role action and the server's verdict on the customer)? */
  canEdit: boolean;
}

/** The home page of a user with customer data: everything from the vault, offline. */
export interface HomeOverview {
  /** The local calendar day the lists are computed for (yyyy-mm-dd). */
  today: string;
  /** Open follow-ups due today (local day), earliest first. */
  dueToday: FollowUpItem[];
  /** Open follow-ups due before today, oldest first (capped); overdueTotal counts them all. */
  overdue: FollowUpItem[];
  overdueTotal: number;
  /** Open follow-ups due in the next 7 days after today. */
  upcoming: FollowUpItem[];
  /** Open opportunities with an expected close date from today to 30 days ahead. */
  closingSoon: { id: string; customerId: string; customerName: string; title: string; stage?: OpportunityStage; amount?: number | null; expectedCloseDate: string }[];
  /** Customers this user opened on this device, newest first. */
  recentCustomers: { id: string; name: string; city?: string; viewedAt: number }[];
  /** The user's own reminders that are due and not dismissed (the in-app banner). */
  reminders: FollowUpItem[];
  computedAt: number;
}

// ---- inputs (validated at the boundary with these schemas) -------------------------------

export const searchCustomersInput = z.object({
  query: z.string().max(200).default(''),
  city: z.string().max(100).optional(),
  industry: z.string().max(100).optional(),
  tag: z.string().max(40).optional(),
  /** Customers of these owners (a dashboard drill-down under its owner filter). */
  ownerIds: z.array(idSchema).min(1).max(200).optional(),
  /** Customers with no activity since this instant (epoch ms), never contacted included. */
  notContactedSince: z.number().int().nonnegative().optional(),
  /** Customers with an activity in [activityFrom, activityTo) (epoch ms). */
  activityFrom: z.number().int().nonnegative().optional(),
  activityTo: z.number().int().nonnegative().optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(100),
  /**
   * Keyset paging: the rows after this position in the sort order — the last row of the previous
   * page, by its name and id (the list is in pinyin order of the names, then by id: the vault
   * turns the name into its sort key). A continuation is not counted again (its `total` is null: the
   * first page of the query carried the count) and ignores `offset`.
   */
  after: z.object({ name: z.string().max(1000).nullable(), id: idSchema }).optional(),
});

/**
 * "Today" as the person sees it: the local calendar day of the screen (the renderer's time zone),
 * [start, end) in epoch ms and its yyyy-mm-dd. Without it the core takes its own local day.
 */
export const localDaySchema = z
  .object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative(), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) })
  .refine((d) => d.end > d.start && d.end - d.start <= 26 * 3_600_000, 'a day is at most 26 hours long');

const childPageInput = z.object({
  customerId: idSchema,
  after: childCursorSchema.optional(),
  limit: z.number().int().min(1).max(200).default(CHILD_PAGE_SIZE),
});

export const desktopInputs = {
  getState: z.undefined(),
  signIn: z.object({
    serverUrl: z.string().url().max(300),
    username: ROUTES.signIn.body.shape.username,
    password: z.string().min(1).max(256),
  }),
  verifyMfa: z.object({ code: z.string().regex(/^\d{6}$/) }),
  // Single sign-on (see electron/core/sso): the providers a server offers, and the sign-in that
  // opens the system browser. With the provider's MFA trusted it ends enrolled, else at the TOTP step.
  ssoProviders: z.object({ serverUrl: z.string().url().max(300) }),
  signInWithSso: z.object({ serverUrl: z.string().url().max(300), providerId: idSchema }),
  syncNow: z.undefined(),
  /** The app's updater (signed updates from the company's feed): check, and install on quit. */
  checkForUpdates: z.undefined(),
  installUpdate: z.undefined(),
  setLocale: z.object({ locale: z.enum(['zh-CN', 'en']) }),
  signOut: z.undefined(),
  /** The user read the notice of a repaired or rolled-back vault (AppState.recovery): hide it. */
  dismissRecovery: z.undefined(),

  searchCustomers: searchCustomersInput,
  getCustomer: z.object({ id: idSchema }),
  /** The next page of a customer's contacts, opportunities or activities (CustomerDetail.next). */
  customerContacts: childPageInput,
  customerOpportunities: childPageInput,
  customerActivities: childPageInput,
  createCustomer: customerFieldsSchema.partial().required({ name: true, type: true }),
  updateCustomer: z.object({ id: idSchema, fields: customerFieldsSchema.partial() }),
  createContact: contactFieldsSchema.partial().required({ customerId: true, name: true }),
  updateContact: z.object({ id: idSchema, fields: contactFieldsSchema.omit({ customerId: true }).partial() }),
  createOpportunity: opportunityFieldsSchema.partial().required({ customerId: true, title: true, stage: true }),
  updateOpportunity: z.object({ id: idSchema, fields: opportunityFieldsSchema.omit({ customerId: true }).partial() }),
  logActivity: activityFieldsSchema.extend({ at: activityFieldsSchema.shape.at.optional() }),
  listFacets: z.undefined(),
  exportCustomers: z.object({ format: z.enum(['csv', 'json']) }),

  // Reassign and delete (docs/reassign-and-delete.md): through the outbox like every edit; the
  // recycle bin is on the server (online only).
  /** The people a customer (or one opportunity) may be moved to: those in the user's scope the vault knows, but its owner. */
  reassignTargets: z.object({ id: idSchema, entity: z.enum(['customer', 'opportunity']).optional() }),
  reassignCustomer: z.object({ id: idSchema, ownerId: idSchema }),
  /** One opportunity to another owner: an opportunity update of `ownerId` through the outbox. */
  reassignOpportunity: z.object({ id: idSchema, ownerId: idSchema }),
  deleteCustomer: z.object({ id: idSchema }),
  listRecycleBin: z.undefined(),
  restoreCustomer: z.object({ id: idSchema }),

  listOutbox: z.undefined(),
  listIssues: z.undefined(),
  dismissIssue: z.object({ id: z.string().max(64) }),
  /** Take back an edit not yet uploaded: the local record returns to the server's version. */
  discardOutboxItem: z.object({ mutationId: z.string().uuid() }),
  /** Upload an edit waiting in the outbox now (after failed attempts). */
  retryOutboxItem: z.object({ mutationId: z.string().uuid() }),
  /** Send a refused edit (a 'rejected' sync issue) again as a new edit. */
  retryIssue: z.object({ id: z.string().max(64) }),

  teamDashboard: teamDashboardInput,
  listOpportunities: listOpportunitiesInput,
  /** Saved views of the opportunities list, kept in this device's vault. */
  listOpportunityViews: z.undefined(),
  saveOpportunityView: opportunityViewSchema,
  deleteOpportunityView: z.object({ id: idSchema }),

  // Follow-ups (docs/follow-ups.md): planned activities, through the outbox like every edit.
  planFollowUp: z.object({
    customerId: idSchema,
    kind: z.enum(['visit', 'call', 'note']),
    dueAt: activityFieldsSchema.shape.at,
    reminderAt: activityFieldsSchema.shape.at.nullable().default(null),
    text: activityFieldsSchema.shape.text,
  }),
  updateFollowUp: z.object({
    id: idSchema,
    fields: z.object({
      kind: z.enum(['visit', 'call', 'note']).optional(),
      dueAt: activityFieldsSchema.shape.at.optional(),
      reminderAt: activityFieldsSchema.shape.at.nullable().optional(),
      text: activityFieldsSchema.shape.text.optional(),
    }),
  }),
  /** Completing logs it: done now (or at `doneAt`), with the outcome as its text when given. */
  completeFollowUp: z.object({ id: idSchema, doneAt: activityFieldsSchema.shape.at.optional(), text: activityFieldsSchema.shape.text.optional() }),
  /** mine: the user's open follow-ups; team: every open one in the vault (the user's scope); overdue: the user's open ones due before today. */
  listFollowUps: z.object({ filter: z.enum(['mine', 'team', 'overdue']), limit: z.number().int().min(1).max(500).default(200), day: localDaySchema.optional() }),
  /** scope 'team' (managers): every follow-up in the user's scope; 'mine': the user's own. */
  homeOverview: z.object({ scope: z.enum(['mine', 'team']).default('mine'), day: localDaySchema.optional() }),
  /** Hide a due reminder from the in-app banner (this reminder moment only). */
  dismissReminder: z.object({ id: idSchema }),

  adminListUsers: z.undefined(),
  adminCreateUser: ROUTES.createUser.body,
  adminUpdateUser: z.object({ id: idSchema, patch: ROUTES.updateUser.body }),
  adminDeactivateUser: z.object({ id: idSchema }),
  /** Help desk and incident actions on a user (never on oneself). */
  adminUnlockUser: z.object({ id: idSchema }),
  adminResetUserMfa: z.object({ id: idSchema }),
  adminSignOutUserEverywhere: z.object({ id: idSchema }),
  adminRevokeUserDevices: z.object({ id: idSchema }),
  adminListRoles: z.undefined(),
  adminUpdateRole: z.object({ id: idSchema, patch: ROUTES.updateRole.body }),
  adminCreateRole: ROUTES.createRole.body,
  adminListUnits: z.undefined(),
  adminListDevices: z.undefined(),
  adminRevokeDevice: z.object({ id: idSchema }),
  /** The minimum app version per platform (and how many active devices are below it). */
  adminGetMinVersions: z.undefined(),
  adminSetMinVersion: ROUTES.setMinAppVersion.body,
  /** What the device's vault held (the server's exposure ledger): ids, customer names, field names. */
  adminDeviceExposure: z.object({ id: idSchema }),
  /** The same report as a file rendered by the server (PDF in the chosen language). */
  adminExportDeviceExposure: z.object({ id: idSchema, format: z.enum(EXPOSURE_FORMATS), lang: z.enum(EXPOSURE_LANGS) }),
  adminListIdentityProviders: z.undefined(),
  adminCreateIdentityProvider: ROUTES.createIdentityProvider.body,
  adminUpdateIdentityProvider: z.object({ id: idSchema, patch: ROUTES.updateIdentityProvider.body }),
  adminRotateScimToken: z.object({ id: idSchema }),
  adminListGroupRules: z.object({ id: idSchema }),
  adminCreateGroupRule: z.object({ id: idSchema }).extend(ROUTES.createGroupRule.body.shape),
  adminDeleteGroupRule: z.object({ id: idSchema, ruleId: idSchema }),
  /** Changes that widen access wait for a second administrator (four eyes). */
  adminListApprovals: ROUTES.listApprovals.query,
  adminApproveRequest: z.object({ id: idSchema }),
  adminRejectRequest: z.object({ id: idSchema }),
  auditList: ROUTES.listAudit.query,
  auditVerify: z.undefined(),
  auditExport: z.object({ format: z.enum(['csv', 'json']), filter: ROUTES.listAudit.query.optional() }),
  /** A person's or a device's incident timeline (audit readers). */
  incidentUser: z.object({ id: idSchema }),
  incidentDevice: z.object({ id: idSchema }),

  // Anomaly alerts and access reviews: server-side, online only.
  alertsList: ROUTES.listAlerts.query,
  alertAcknowledge: z.object({ id: idSchema }).extend(ROUTES.acknowledgeAlert.body.unwrap().shape),
  /** The anomaly rules' thresholds: read (IT admins, auditors), change (IT admins). */
  alertConfigGet: z.undefined(),
  alertConfigSet: ROUTES.updateAlertConfig.body,
  reviewsList: z.undefined(),
  reviewCreate: ROUTES.createReviewCampaign.body,
  /** `mine`: only the items assigned to the signed-in reviewer. */
  reviewGet: z.object({ id: idSchema, mine: z.boolean().default(false) }),
  reviewDecide: z.object({ campaignId: idSchema, itemId: idSchema }).extend(ROUTES.decideReviewItem.body.shape),
  reviewExport: z.object({ id: idSchema, format: z.enum(['csv', 'json']) }),
} as const;

/** What a change answers when it was sent for a second administrator's approval. */
export interface PendingApproval {
  pendingApproval: ApprovalView;
}

export function isPendingApproval(value: unknown): value is PendingApproval {
  return typeof value === 'object' && value !== null && 'pendingApproval' in value;
}

export type DesktopMethod = keyof typeof desktopInputs;
export type DesktopInput<M extends DesktopMethod> = z.input<(typeof desktopInputs)[M]>;

export interface DesktopOutputs {
  getState: AppState;
  signIn: { mfaSetupRequired: boolean; otpauthUri: string | null };
  verifyMfa: AppState;
  ssoProviders: { id: string; name: string }[];
  signInWithSso:
    | { mfaRequired: true; mfaSetupRequired: boolean; otpauthUri: string | null }
    | { mfaRequired: false; state: AppState };
  syncNow: AppState;
  checkForUpdates: UpdateStatus;
  /** Quits and installs a downloaded update (answers only when there is none to install). */
  installUpdate: UpdateStatus;
  setLocale: AppState;
  signOut: AppState;
  dismissRecovery: AppState;

  /** total: every match of the query; null on a keyset continuation (`after`), which is not counted again. */
  searchCustomers: { total: number | null; rows: CustomerListItem[] };
  getCustomer: CustomerDetail;
  customerContacts: ChildPage<Projected<Contact>>;
  customerOpportunities: ChildPage<Projected<Opportunity>>;
  customerActivities: ChildPage<TimelineActivity>;
  createCustomer: { id: string };
  updateCustomer: CustomerDetail;
  createContact: { id: string };
  updateContact: CustomerDetail;
  createOpportunity: { id: string };
  updateOpportunity: CustomerDetail;
  logActivity: { id: string };
  listFacets: { cities: string[]; industries: string[]; tags: string[]; owners: { id: string; name: string }[] };
  /** The exported file's content (the renderer offers it as a download / save dialog). */
  exportCustomers: { filename: string; mime: string; content: string; count: number };

  /** owner: the customer's owner as the vault names it; people: whom it may be moved to */
  reassignTargets: { owner: { id: string; name: string }; people: { id: string; name: string }[] };
  reassignCustomer: CustomerDetail;
  reassignOpportunity: CustomerDetail;
  deleteCustomer: { ok: true };
  listRecycleBin: RecycleBinList;
  restoreCustomer: { ok: true };

  listOutbox: OutboxItem[];
  listIssues: SyncIssue[];
  dismissIssue: { ok: true };
  discardOutboxItem: AppState;
  retryOutboxItem: AppState;
  retryIssue: AppState;

  teamDashboard: TeamDashboard;
  listOpportunities: OpportunityPage;
  listOpportunityViews: OpportunityView[];
  saveOpportunityView: OpportunityView[];
  deleteOpportunityView: OpportunityView[];

  planFollowUp: { id: string };
  updateFollowUp: FollowUpItem;
  completeFollowUp: FollowUpItem;
  listFollowUps: FollowUpItem[];
  homeOverview: HomeOverview;
  dismissReminder: { ok: true };

  adminListUsers: UserView[];
  /** A change that widens access and that the caller's own scope does not cover waits for approval. */
  adminCreateUser: UserView | PendingApproval;
  adminUpdateUser: UserView | PendingApproval;
  adminDeactivateUser: { user: UserView; revokedDevices: number };
  adminUnlockUser: UserView;
  adminResetUserMfa: UserView;
  adminSignOutUserEverywhere: { signedOutDevices: number };
  adminRevokeUserDevices: DeviceView[];
  adminListRoles: RoleView[];
  adminUpdateRole: RoleView | PendingApproval;
  adminCreateRole: RoleView;
  adminListUnits: OrgUnitView[];
  adminListDevices: DeviceView[];
  adminRevokeDevice: DeviceView;
  adminGetMinVersions: MinAppVersions;
  adminSetMinVersion: MinAppVersions;
  adminDeviceExposure: ExposureReport;
  /** `base64`: the file's bytes (a PDF is binary); `count`: the customers it lists. */
  adminExportDeviceExposure: { filename: string; mime: string; base64: string; count: number };
  adminListIdentityProviders: IdentityProviderView[];
  adminCreateIdentityProvider: IdentityProviderView;
  adminUpdateIdentityProvider: IdentityProviderView;
  /** the token is shown once; only its hash is kept */
  adminRotateScimToken: { token: string; hint: string; scimBaseUrl: string };
  adminListGroupRules: GroupRuleView[];
  adminCreateGroupRule: GroupRuleView;
  adminDeleteGroupRule: { ok: true };
  adminListApprovals: ApprovalView[];
  adminApproveRequest: ApprovalView;
  adminRejectRequest: ApprovalView;
  auditList: AuditEntryView[];
  auditVerify: { ok: boolean; checked: number; firstBrokenSeq: number | null };
  auditExport: { filename: string; mime: string; content: string; count: number };
  incidentUser: IncidentView;
  incidentDevice: IncidentView;

  alertsList: AlertView[];
  alertAcknowledge: AlertView;
  alertConfigGet: AlertThresholds;
  alertConfigSet: AlertThresholds;
  reviewsList: ReviewCampaignView[];
  reviewCreate: ReviewCampaignView;
  reviewGet: { campaign: ReviewCampaignView; items: ReviewItemView[] };
  reviewDecide: { item: ReviewItemView; campaign: ReviewCampaignView };
  /** `count`: the campaign's items in the file. */
  reviewExport: { filename: string; mime: string; content: string; count: number };
}

export type DesktopCalls = {
  [M in DesktopMethod]: undefined extends DesktopInput<M>
    ? (input?: DesktopInput<M>) => Promise<Result<DesktopOutputs[M]>>
    : (input: DesktopInput<M>) => Promise<Result<DesktopOutputs[M]>>;
};

/** What `window.salesVault` is in the renderer. */
export interface DesktopApi extends DesktopCalls {
  /** Called with the new state whenever it changes (sync progress, outbox, lock, revoke). */
  onStateChange(listener: (state: AppState) => void): () => void;
}

export const DESKTOP_METHODS = Object.keys(desktopInputs) as DesktopMethod[];

export { ACTIVITY_KINDS, OPPORTUNITY_STAGES };
export type { FunnelStep, OpportunityFilter, OpportunityListItem, OpportunityPage, OpportunityView, RollupRow, TeamDashboardFilter } from './opportunities';
