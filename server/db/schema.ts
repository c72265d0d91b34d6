// The server's tables, as Kysely sees them. Same schema on SQLite (default) and PostgreSQL.
// Conventions: ids are text; times are epoch milliseconds stored as integers (bigint on PG,
// read back as number); JSON columns are text holding JSON; booleans are 0/1 integers.
// Migrations in ./migrations create exactly these tables.

import type { Generated } from 'kysely';
import type { EntityType } from '../../shared/domain/model';

export interface OrgUnitsTable {
  id: string;
  parent_id: string | null;
  name: string;
  kind: 'company' | 'region' | 'branch' | 'team';
}

export interface RolesTable {
  id: string;
  key: string | null;
  name: string;
  /** JSON Action[] */
  actions: string;
  data_scope: string;
  read_clearance: string;
  write_clearance: string;
  /** JSON OfflinePolicy */
  offline: string;
  updated_at: number;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  unit_id: string;
  role_id: string;
  /** JSON string[] */
  managed_unit_ids: string;
  status: 'active' | 'deactivated';
  password_hash: string;
  /** base32 TOTP secret; null until MFA enrollment completes */
  totp_secret: string | null;
  /** pending secret offered at first sign-in, promoted on first good code */
  totp_pending_secret: string | null;
  failed_attempts: number;
  locked_until: number | null;
  last_sign_in_at: number | null;
  /** last TOTP time step accepted (refuses code reuse) */
  last_totp_step: number | null;
  created_at: number;
}

export interface DevicesTable {
  id: string;
  user_id: string;
  /** raw Ed25519 public key, base64url */
  public_key: string;
  name: string;
  platform: string;
  app_version: string;
  status: 'active' | 'revoked';
  enrolled_at: number;
  last_check_in_at: number | null;
  revoked_at: number | null;
  revoke_reason: string | null;
  wipe_confirmed_at: number | null;
  /** Sync state the server keeps per device, to compute indirect removals. JSON string[] */
  synced_buckets: string;
  synced_read_clearance: string | null;
  /** JSON FieldClassification the device was last served under (null = never) */
  synced_classification: string | null;
  /** JSON EntityType[] the device was last served under (null = before this was tracked: every entity) */
  synced_entities: string | null;
  /** time of the newest offline audit entry accepted from this device (null = none yet) */
  audit_latest_at: number | null;
  /** random id of the installation, kept by the app outside its vault (not a secret; null = not sent) */
  install_id: string | null;
  host_name: string | null;
  os_version: string | null;
  /** address of the last enrolment or check-in */
  last_ip: string | null;
  /** when the device signed itself out (then status 'revoked', revoke_reason 'signed_out') */
  signed_out_at: number | null;
  /** a new device must check in by then, or it is retired (migration 0009); null = nothing due */
  check_in_due_at: number | null;
}

interface RecordCols {
  id: string;
  updated_at: number;
  version: number;
  /** soft delete marker: the change log carries the deletion to clients */
  deleted: number;
}

export interface CustomersTable extends RecordCols {
  name: string;
  type: 'company' | 'person';
  industry: string;
  city: string;
  address: string;
  owner_id: string;
  /** JSON string[] */
  tags: string;
  credit_limit: number | null;
  payment_terms: string | null;
  tax_id: string | null;
  notes: string;
}

export interface ContactsTable extends RecordCols {
  customer_id: string;
  name: string;
  title: string;
  phone: string | null;
  email: string | null;
  wechat: string | null;
}

export interface OpportunitiesTable extends RecordCols {
  customer_id: string;
  title: string;
  stage: string;
  amount: number | null;
  expected_close_date: string;
  probability: number;
  owner_id: string;
}

export interface ActivitiesTable extends RecordCols {
  customer_id: string;
  kind: string;
  at: number;
  author_id: string;
  text: string;
  /** Follow-ups (migration 0016): due moment, completion, reminder; null for a logged activity. */
  due_at?: number | null;
  done_at?: number | null;
  reminder_at?: number | null;
}

export interface SharesTable {
  id: string;
  customer_id: string;
  grantee_type: 'user' | 'unit';
  grantee_id: string;
  access: 'read' | 'write';
  expires_at: number | null;
  revoked_at: number | null;
  created_by: string;
  created_at: number;
}

export interface FieldClassificationTable {
  entity: string;
  field: string;
  level: string;
}

/**
 * Every create/update/delete/reassignment of a customer, contact, opportunity or activity, in
 * order. `owner_before`/`owner_after` are the customer's owner before and after the change
 * (equal unless reassigned; null before a create / after a delete). Sync reads this log.
 */
export interface ChangeLogTable {
  seq: Generated<number>;
  at: number;
  entity: 'customer' | 'contact' | 'opportunity' | 'activity';
  record_id: string;
  customer_id: string;
  op: 'create' | 'update' | 'delete' | 'reassign';
  owner_before: string | null;
  owner_after: string | null;
  actor_id: string | null;
}

/** Hash-chained audit trail: hash = sha256(prev_hash + canonical JSON of the entry). */
export interface AuditLogTable {
  seq: Generated<number>;
  at: number;
  actor_id: string | null;
  device_id: string | null;
  action: string;
  target: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  /** JSON object; never contains customer field values above anyone's clearance */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface UsedNoncesTable {
  device_id: string;
  nonce: string;
  expires_at: number;
}

/** Mutation ids already applied (idempotent push). */
export interface AppliedMutationsTable {
  mutation_id: string;
  device_id: string;
  user_id: string;
  /** JSON MutationResult as first returned */
  result: string;
  at: number;
}

/** Lost same-field conflicts and rejected mutations, held for review. */
export interface HeldMutationsTable {
  id: string;
  mutation_id: string;
  user_id: string;
  device_id: string;
  kind: 'conflict' | 'rejected';
  entity: string;
  record_id: string;
  customer_id: string | null;
  /** JSON of the mutation as sent */
  payload: string;
  reason: string | null;
  created_at: number;
  resolved_at: number | null;
  resolved_by: string | null;
}

/** Single-use short-lived tokens of the sign-in flow (mfa step, enrollment step). */
export interface AuthTokensTable {
  id: string;
  kind: 'mfa' | 'enroll';
  user_id: string;
  expires_at: number;
  used_at: number | null;
}

/** What a device's vault holds (server/exposure/ledger.ts): one row per record. */
export interface ExposureLedgerTable {
  device_id: string;
  entity: EntityType;
  record_id: string;
  customer_id: string;
  field_set: string;
  /** customers only: ' b1 b2 ' */
  buckets: string | null;
}

/** Interned field-name sets of the exposure ledger (comma-joined, sorted). */
export interface ExposureFieldSetsTable {
  id: string;
  entity: EntityType;
  fields: string;
}

/** A pull page sent to a device and not yet acknowledged as applied (JSON body, see ledger.ts). */
export interface ExposurePagesTable {
  n: Generated<number>;
  device_id: string;
  page_key: string;
  sent_at: number;
  body: string;
}

/** Per device: is its ledger complete, and when did it last acknowledge a page. */
export interface ExposureDevicesTable {
  device_id: string;
  /** 1 once the device's first sync (cursor null) was recorded */
  complete: number;
  /** when the device last acknowledged a stored page: the ledger is "as of" then */
  applied_at: number;
}

/** Server key pair and other singletons. */
export interface MetaTable {
  key: string;
  value: string;
}

/** A raised anomaly alert (server/alerts). `details` is JSON; `dedupe_key` is unique per firing. */
export interface AlertsTable {
  id: string;
  at: number;
  rule: string;
  severity: 'low' | 'medium' | 'high';
  user_id: string | null;
  device_id: string | null;
  details: string;
  status: 'open' | 'acknowledged';
  dedupe_key: string;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  note: string | null;
}

/** Sliding-window counters of the anomaly rules ('pull', 'offline_view', 'offline_export', 'auth_failure'). */
export interface AlertSignalsTable {
  id: Generated<number>;
  at: number;
  kind: string;
  user_id: string | null;
  device_id: string | null;
  ip: string | null;
  amount: number;
}

/** When a device first pulled (its first sync is exempt from the volume rule). */
export interface AlertDeviceStateTable {
  device_id: string;
  first_pull_at: number;
}

export interface ReviewCampaignsTable {
  id: string;
  name: string;
  /** null = created from the CLI */
  created_by: string | null;
  created_at: number;
  due_at: number;
  status: 'open' | 'closed';
  stale_days: number;
  closed_at: number | null;
  /** what the due date does to undecided items (migration 0015) */
  due_action: 'keep' | 'revoke';
  /** reminders this many days before the due date (0 = none) */
  reminder_days: number;
  reminded_at: number | null;
  close_reason: 'all_items_decided' | 'due_date' | null;
}

export interface ReviewItemsTable {
  id: string;
  campaign_id: string;
  user_id: string;
  /** null = any reviewer with review.conduct (nobody else fits) */
  reviewer_id: string | null;
  /** JSON ReviewSnapshot: the user's access when the campaign was created */
  snapshot: string;
  /** JSON ReviewFlag[] */
  flags: string;
  decision: 'certified' | 'revoked' | null;
  decided_by: string | null;
  decided_at: number | null;
  note: string | null;
  /** who decided: a reviewer, or the campaign's due date (migration 0015) */
  decision_source: 'reviewer' | 'due_date' | null;
}

/** The minimum app version per platform (migration 0015). */
export interface AppMinVersionsTable {
  platform: string;
  min_version: string;
  /** null = set from the CLI */
  set_by: string | null;
  set_at: number;
}

/** A deleted customer that can still be restored (migration 0017, docs/reassign-and-delete.md). */
export interface RecycleBinTable {
  customer_id: string;
  /** null = deleted by the server itself */
  deleted_by: string | null;
  deleted_at: number;
}

/** A child record the customer's delete took with it (restored with it). */
export interface RecycleBinRecordsTable {
  customer_id: string;
  entity: 'contact' | 'opportunity' | 'activity';
  record_id: string;
}

/** The audit chain head as signed by the server at one moment (see server/audit/checkpoints.ts). */
export interface AuditCheckpointsTable {
  seq: number;
  hash: string;
  at: number;
  /** compact JWS over { seq, hash, at } with the server key */
  jws: string;
}

/** Failed sign-in steps per (username as typed, client address); ip '*' = all addresses. */
export interface SignInThrottleTable {
  username: string;
  ip: string;
  failures: number;
  last_failure_at: number;
  locked_until: number | null;
}

/** A change that widens someone's access, waiting for a second administrator (server/approvals). */
export interface ApprovalRequestsTable {
  id: string;
  kind: 'user.create' | 'user.update' | 'role.update' | 'share.create' | 'classification.set';
  /** the admin action an approver must hold */
  permission: string;
  /** what the change is about: a user, role or customer id, or entity.field */
  target: string;
  /** JSON: the validated change (approvalChangeSchema) */
  change: string;
  /** JSON WideningReason[] */
  reasons: string;
  /** never shown back: a new user's password hash */
  secret: string | null;
  requested_by: string;
  requested_device: string | null;
  requested_at: number;
  status: 'pending' | 'approved' | 'rejected';
  decided_by: string | null;
  decided_at: number | null;
}

export interface Database {
  org_units: OrgUnitsTable;
  roles: RolesTable;
  users: UsersTable;
  devices: DevicesTable;
  customers: CustomersTable;
  contacts: ContactsTable;
  opportunities: OpportunitiesTable;
  activities: ActivitiesTable;
  shares: SharesTable;
  field_classification: FieldClassificationTable;
  change_log: ChangeLogTable;
  audit_log: AuditLogTable;
  used_nonces: UsedNoncesTable;
  applied_mutations: AppliedMutationsTable;
  held_mutations: HeldMutationsTable;
  auth_tokens: AuthTokensTable;
  meta: MetaTable;
  alerts: AlertsTable;
  alert_signals: AlertSignalsTable;
  alert_device_state: AlertDeviceStateTable;
  review_campaigns: ReviewCampaignsTable;
  review_items: ReviewItemsTable;
  audit_checkpoints: AuditCheckpointsTable;
  sign_in_throttle: SignInThrottleTable;
  approval_requests: ApprovalRequestsTable;
  app_min_versions: AppMinVersionsTable;
  exposure_ledger: ExposureLedgerTable;
  exposure_field_sets: ExposureFieldSetsTable;
  exposure_pages: ExposurePagesTable;
  exposure_devices: ExposureDevicesTable;
  recycle_bin: RecycleBinTable;
  recycle_bin_records: RecycleBinRecordsTable;
}
