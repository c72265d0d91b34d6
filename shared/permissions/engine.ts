// The permission engine: every authorization decision in SalesVault is made here, by pure
// functions, on the server (authoritative) and on the client (to shape the UI and refuse
// obviously-denied edits offline). Nobody re-implements these checks inline.
//
// CONTRACT (signatures are fixed; bodies are being implemented):

import type {
  Action,
  EntityType,
  FieldClassification,
  FieldLevel,
  OrgUnit,
  Role,
  Share,
  User,
} from '../domain/model';

/** The org tree with fast ancestor queries. */
export interface OrgTree {
  units: ReadonlyMap<string, OrgUnit>;
  /** true when `unitId` is `ancestorId` or lies in its subtree */
  isWithin(unitId: string, ancestorId: string): boolean;
  /** `unitId` and all its ancestors, nearest first */
  ancestors(unitId: string): string[];
}

/** Who is asking. */
export interface Subject {
  user: User;
  role: Role;
}

/** What the engine needs to know about a customer (child records use their customer's). */
export interface RecordScope {
  customerId: string;
  ownerId: string;
  /** The owner's current unit (ownership follows the owner when the owner moves). */
  ownerUnitId: string;
}

export interface Decision {
  allowed: boolean;
  /** Machine-readable reason when denied: 'no_action', 'out_of_scope', 'read_only_share', 'above_clearance', 'inactive' */
  reason?: string;
}

export declare function buildOrgTree(units: readonly OrgUnit[]): OrgTree;

/**
 * The unit ids whose members' records the subject sees through the role's data scope
 * ('all' = every unit, empty for 'own' and 'none' — 'own' is handled via ownerId).
 */
export declare function scopeUnitIds(subject: Subject, tree: OrgTree): ReadonlySet<string> | 'all';

/** Active (not revoked, not expired at `now`) shares that reach the subject (directly or via a unit ancestor). */
export declare function sharesForSubject(subject: Subject, tree: OrgTree, shares: readonly Share[], now: number): Share[];

/**
 * May the subject read (`mode='read'`) or change (`'write'`) this customer's records?
 * Through the data scope (write needs the scope, shares need access 'write'), or an active share.
 */
export declare function recordAccess(
  subject: Subject,
  tree: OrgTree,
  record: RecordScope,
  shares: readonly Share[],
  now: number,
): 'none' | 'read' | 'write';

/**
 * The single authorization check. For record actions pass the record (and its shares);
 * for create pass the record the new one would have (owner = subject for a new customer,
 * the parent customer for a child); for admin actions omit it.
 */
export declare function authorize(
  subject: Subject,
  action: Action,
  tree: OrgTree,
  target?: { record: RecordScope; shares: readonly Share[]; now: number },
): Decision;

/** Fields of `entity` readable at `clearance` (classifiable fields only; structural ones are always kept). */
export declare function readableFields(entity: EntityType, clearance: FieldLevel, classification: FieldClassification): string[];

/** Fields of `entity` writable at `clearance`. */
export declare function writableFields(entity: EntityType, clearance: FieldLevel, classification: FieldClassification): string[];

/**
 * A copy of `record` holding only structural fields and fields at or below `clearance`.
 * Fields above clearance are ABSENT (key removed), never nulled.
 */
export declare function projectRecord<T extends Record<string, unknown>>(
  entity: EntityType,
  record: T,
  clearance: FieldLevel,
  classification: FieldClassification,
): Partial<T>;

/** Field names in `fields` that the subject may not write at its write clearance (empty = ok). */
export declare function fieldsAboveWriteClearance(
  entity: EntityType,
  fields: readonly string[],
  clearance: FieldLevel,
  classification: FieldClassification,
): string[];

// ---- sync buckets -------------------------------------------------------------------------
// A record lives in the bucket of its customer's owner (`o:<ownerId>`) and in one bucket per
// active share of its customer (`s:<shareId>`). A subject's bucket set is every owner bucket
// its data scope covers plus the buckets of shares that reach it. When the set shrinks, the
// client drops whole buckets; nothing about the records themselves has to change.

export declare function ownerBucket(ownerId: string): string;
export declare function shareBucket(shareId: string): string;

/** Buckets a record is in, given its customer's owner and the customer's active shares. */
export declare function recordBuckets(record: RecordScope, activeShares: readonly Share[]): string[];

/** The subject's bucket set. `users` = all users (to find owners within scope units). */
export declare function subjectBuckets(
  subject: Subject,
  tree: OrgTree,
  users: readonly Pick<User, 'id' | 'unitId'>[],
  shares: readonly Share[],
  now: number,
): string[];
