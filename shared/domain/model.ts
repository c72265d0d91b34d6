// The domain model of SalesVault: pure types and constants, no runtime APIs.
// Every layer (server, client core, renderer) speaks in these terms.

/** Data classification (数据分级), lowest to highest. Order matters: the permission engine ranks by index. */
export const FIELD_LEVELS = ['public', 'internal', 'sensitive', 'confidential'] as const;
export type FieldLevel = (typeof FIELD_LEVELS)[number];

export const ENTITY_TYPES = ['customer', 'contact', 'opportunity', 'activity'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const RECORD_VERBS = ['read', 'create', 'update', 'delete', 'reassign', 'export'] as const;
export type RecordVerb = (typeof RECORD_VERBS)[number];

export const ADMIN_ACTIONS = [
  'dashboard.team',
  'admin.users',
  'admin.devices',
  'admin.roles',
  'audit.read',
  'review.conduct',
] as const;

export type RecordAction = `${EntityType}.${RecordVerb}`;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];
export type Action = RecordAction | AdminAction;

export const ALL_ACTIONS: readonly Action[] = [
  ...ENTITY_TYPES.flatMap((e) => RECORD_VERBS.map((v) => `${e}.${v}` as RecordAction)),
  ...ADMIN_ACTIONS,
];

/**
 * own  – records the user owns
 * team – records owned by anyone in the units the user manages (with their subtrees), plus own
 * unit – records owned by anyone in the user's own unit subtree
 * all  – every record
 * none – no records (IT admin, auditor)
 * Explicit shares add to every scope except `none`.
 */
export const DATA_SCOPES = ['own', 'team', 'unit', 'all', 'none'] as const;
export type DataScope = (typeof DATA_SCOPES)[number];

export interface OfflinePolicy {
  offlineAllowed: boolean;
  /** The app locks after this long without a successful check-in. */
  leaseHours: number;
  /** The app crypto-wipes after this long without a successful check-in. */
  wipeAfterHours: number;
  exportAllowed: boolean;
  maxDevices: number;
}

export const DEFAULT_OFFLINE_POLICY: OfflinePolicy = {
  offlineAllowed: true,
  leaseHours: 72,
  wipeAfterHours: 14 * 24,
  exportAllowed: false,
  maxDevices: 2,
};

export type RoleKey = 'rep' | 'manager' | 'director' | 'service' | 'it_admin' | 'auditor';

export interface Role {
  id: string;
  /** Stable key for the six built-in roles; custom roles have none. */
  key: RoleKey | null;
  name: string;
  actions: Action[];
  dataScope: DataScope;
  readClearance: FieldLevel;
  writeClearance: FieldLevel;
  offline: OfflinePolicy;
}

export type OrgUnitKind = 'company' | 'region' | 'branch' | 'team';

export interface OrgUnit {
  id: string;
  parentId: string | null;
  name: string;
  kind: OrgUnitKind;
}

export type UserStatus = 'active' | 'deactivated';

export interface User {
  id: string;
  username: string;
  displayName: string;
  unitId: string;
  roleId: string;
  /** Units this user manages (used by the `team` scope). */
  managedUnitIds: string[];
  status: UserStatus;
}

export type ShareAccess = 'read' | 'write';

/** An explicit share of one customer (and its child records) with a user or a whole unit. */
export interface Share {
  id: string;
  customerId: string;
  granteeType: 'user' | 'unit';
  granteeId: string;
  access: ShareAccess;
  /** Epoch ms; null = no expiry. */
  expiresAt: number | null;
  /** Epoch ms; null = active. */
  revokedAt: number | null;
}

// ---- Records ------------------------------------------------------------------------------
// Every record carries `id`, `updatedAt` (epoch ms, server clock) and `version` (monotonic per record).
// Child records (contact, opportunity, activity) belong to a customer and share its visibility.

export interface RecordBase {
  id: string;
  updatedAt: number;
  version: number;
}

export interface Customer extends RecordBase {
  name: string;
  type: 'company' | 'person';
  industry: string;
  city: string;
  address: string;
  ownerId: string;
  tags: string[];
  creditLimit: number | null;
  paymentTerms: string | null;
  taxId: string | null;
  notes: string;
}

export interface Contact extends RecordBase {
  customerId: string;
  name: string;
  title: string;
  phone: string | null;
  email: string | null;
  wechat: string | null;
}

export const OPPORTUNITY_STAGES = ['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost'] as const;
export type OpportunityStage = (typeof OPPORTUNITY_STAGES)[number];

export interface Opportunity extends RecordBase {
  customerId: string;
  title: string;
  stage: OpportunityStage;
  amount: number | null;
  /** ISO date, yyyy-mm-dd */
  expectedCloseDate: string;
  probability: number;
  ownerId: string;
}

export const ACTIVITY_KINDS = ['visit', 'call', 'note', 'service_note'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export interface Activity extends RecordBase {
  customerId: string;
  kind: ActivityKind;
  /**
   * Epoch ms when the activity happened; for an open follow-up, when it is planned (its due
   * moment). Completing a follow-up sets it to the moment it was done.
   */
  at: number;
  authorId: string;
  text: string;
  /**
   * Follow-ups (docs/follow-ups.md) are activities with a due moment: `dueAt` null = a logged
   * activity; set = a planned one, open while `doneAt` is null and logged once it is done.
   */
  dueAt?: number | null;
  /** Epoch ms when the follow-up was completed (null while open; always null for a logged activity). */
  doneAt?: number | null;
  /** Epoch ms when the author wants to be reminded (null: no reminder). */
  reminderAt?: number | null;
}

export interface EntityRecordMap {
  customer: Customer;
  contact: Contact;
  opportunity: Opportunity;
  activity: Activity;
}

/**
 * A record as it travels to a user: fields above the user's read clearance are absent
 * (the key itself is missing, not null), never redacted in place.
 */
export type Projected<T> = Partial<T> & RecordBase;

/** Field names that are structural (identity, ownership, versioning) and always visible. */
export const STRUCTURAL_FIELDS: Record<EntityType, readonly string[]> = {
  customer: ['id', 'updatedAt', 'version', 'ownerId'],
  contact: ['id', 'updatedAt', 'version', 'customerId'],
  opportunity: ['id', 'updatedAt', 'version', 'customerId', 'ownerId'],
  activity: ['id', 'updatedAt', 'version', 'customerId', 'authorId'],
};

/** Classifiable fields per entity (everything but the structural fields). */
export const ENTITY_FIELDS = {
  customer: ['name', 'type', 'industry', 'city', 'address', 'tags', 'creditLimit', 'paymentTerms', 'taxId', 'notes'],
  contact: ['name', 'title', 'phone', 'email', 'wechat'],
  opportunity: ['title', 'stage', 'amount', 'expectedCloseDate', 'probability'],
  activity: ['kind', 'at', 'text', 'dueAt', 'doneAt', 'reminderAt'],
} as const satisfies { [E in EntityType]: readonly (keyof EntityRecordMap[E])[] };

export type ClassifiableField<E extends EntityType> = (typeof ENTITY_FIELDS)[E][number];

/** entity -> field -> level. Kept as data on the server (admin-editable); this is the shipped default. */
export type FieldClassification = { [E in EntityType]: Record<string, FieldLevel> };

export const DEFAULT_CLASSIFICATION: FieldClassification = {
  customer: {
    name: 'public',
    type: 'public',
    industry: 'public',
    city: 'public',
    address: 'internal',
    tags: 'internal',
    creditLimit: 'confidential',
    paymentTerms: 'confidential',
    taxId: 'sensitive',
    notes: 'internal',
  },
  contact: { name: 'public', title: 'public', phone: 'sensitive', email: 'sensitive', wechat: 'sensitive' },
  opportunity: { title: 'public', stage: 'public', amount: 'internal', expectedCloseDate: 'public', probability: 'internal' },
  activity: { kind: 'public', at: 'public', text: 'internal', dueAt: 'public', doneAt: 'public', reminderAt: 'public' },
};

export type DeviceStatus = 'active' | 'revoked';
