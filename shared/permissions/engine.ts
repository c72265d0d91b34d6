// The permission engine: every authorization decision in SalesVault is made here, by pure
// functions, on the server (authoritative) and on the client (to shape the UI and refuse
// obviously-denied edits offline). Nobody re-implements these checks inline.
//
// Every check fails closed: unknown units, unknown field levels and fields missing from the
// classification all resolve to the most restrictive answer.

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
import { ADMIN_ACTIONS, ENTITY_FIELDS, FIELD_LEVELS, STRUCTURAL_FIELDS } from '../domain/model';

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

export type DenyReason = 'no_action' | 'out_of_scope' | 'read_only_share' | 'above_clearance' | 'inactive';

// Verbs that change data: they need write access to the record, not only read access.
const WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'delete', 'reassign']);

/** Does `action` change records (create, update, delete, reassign)? Those need write access to the record. */
export function isWriteAction(action: Action): boolean {
  return WRITE_VERBS.has(action.slice(action.indexOf('.') + 1));
}
const ADMIN_ACTION_SET: ReadonlySet<string> = new Set(ADMIN_ACTIONS);

export function buildOrgTree(units: readonly OrgUnit[]): OrgTree {
  const byId = new Map<string, OrgUnit>();
  for (const unit of units) byId.set(unit.id, unit);

  // Ancestor chains are computed once per unit: access checks run per record (100k+ per sync).
  const chains = new Map<string, readonly string[]>();
  const chainOf = (unitId: string): readonly string[] => {
    const cached = chains.get(unitId);
    if (cached) return cached;
    const chain: string[] = [];
    const seen = new Set<string>();
    let current: string | null = unitId;
    // A parent cycle in bad data must not hang the server: stop at the first repeat.
    while (current !== null && !seen.has(current)) {
      seen.add(current);
      chain.push(current);
      current = byId.get(current)?.parentId ?? null;
    }
    chains.set(unitId, chain);
    return chain;
  };

  return {
    units: byId,
    isWithin: (unitId, ancestorId) => chainOf(unitId).includes(ancestorId),
    ancestors: (unitId) => [...chainOf(unitId)],
  };
}

function isActiveUser(subject: Subject): boolean {
  return subject.user.status === 'active';
}

function subtreeOf(tree: OrgTree, rootIds: readonly string[], into: Set<string>): void {
  if (rootIds.length === 0) return;
  for (const unitId of tree.units.keys()) {
    if (rootIds.some((root) => tree.isWithin(unitId, root))) into.add(unitId);
  }
}

/**
 * The unit ids whose members' records the subject sees through the role's data scope
 * ('all' = every unit, empty for 'own' and 'none' — 'own' is handled via ownerId).
 */
export function scopeUnitIds(subject: Subject, tree: OrgTree): ReadonlySet<string> | 'all' {
  const units = new Set<string>();
  if (!isActiveUser(subject)) return units;
  switch (subject.role.dataScope) {
    case 'all':
      return 'all';
    case 'team':
      subtreeOf(tree, subject.user.managedUnitIds, units);
      return units;
    case 'unit':
      subtreeOf(tree, [subject.user.unitId], units);
      return units;
    case 'own':
    case 'none':
    default:
      return units;
  }
}

/** true when the share is neither revoked nor expired at `now` (expiry is exclusive). */
export function isShareActive(share: Share, now: number): boolean {
  return share.revokedAt === null && (share.expiresAt === null || share.expiresAt > now);
}

/** Active (not revoked, not expired at `now`) shares that reach the subject (directly or via a unit ancestor). */
export function sharesForSubject(subject: Subject, tree: OrgTree, shares: readonly Share[], now: number): Share[] {
  // Shares add to every scope except 'none': an IT admin or auditor never receives customer data.
  if (!isActiveUser(subject) || subject.role.dataScope === 'none') return [];
  const reachingUnits = new Set(tree.ancestors(subject.user.unitId));
  return shares.filter(
    (share) =>
      isShareActive(share, now) &&
      ((share.granteeType === 'user' && share.granteeId === subject.user.id) ||
        (share.granteeType === 'unit' && reachingUnits.has(share.granteeId))),
  );
}

/** Whether the role's data scope alone covers a record (shares not considered). */
function scopeCovers(subject: Subject, tree: OrgTree, record: RecordScope): boolean {
  const { user, role } = subject;
  switch (role.dataScope) {
    case 'all':
      return true;
    case 'own':
      return record.ownerId === user.id;
    case 'team':
      return record.ownerId === user.id || user.managedUnitIds.some((unitId) => tree.isWithin(record.ownerUnitId, unitId));
    case 'unit':
      return record.ownerId === user.id || tree.isWithin(record.ownerUnitId, user.unitId);
    case 'none':
    default:
      return false;
  }
}

/**
 * May the subject read (`mode='read'`) or change (`'write'`) this customer's records?
 * Through the data scope (write needs the scope, shares need access 'write'), or an active share.
 */
export function recordAccess(
  subject: Subject,
  tree: OrgTree,
  record: RecordScope,
  shares: readonly Share[],
  now: number,
): 'none' | 'read' | 'write' {
  if (!isActiveUser(subject) || subject.role.dataScope === 'none') return 'none';
  if (scopeCovers(subject, tree, record)) return 'write';
  let access: 'none' | 'read' | 'write' = 'none';
  for (const share of sharesForSubject(subject, tree, shares, now)) {
    if (share.customerId !== record.customerId) continue;
    if (share.access === 'write') return 'write';
    access = 'read';
  }
  return access;
}

function deny(reason: DenyReason): Decision {
  return { allowed: false, reason };
}

/**
 * The single authorization check. For record actions pass the record (and its shares);
 * for create pass the record the new one would have (owner = subject for a new customer,
 * the parent customer for a child); for admin actions omit it.
 */
export function authorize(
  subject: Subject,
  action: Action,
  tree: OrgTree,
  target?: { record: RecordScope; shares: readonly Share[]; now: number },
): Decision {
  if (!isActiveUser(subject)) return deny('inactive');
  if (!subject.role.actions.includes(action)) return deny('no_action');
  if (ADMIN_ACTION_SET.has(action)) return { allowed: true };
  // A record action without a record cannot be placed in any scope: fail closed.
  if (!target) return deny('out_of_scope');
  const access = recordAccess(subject, tree, target.record, target.shares, target.now);
  if (access === 'none') return deny('out_of_scope');
  if (isWriteAction(action) && access !== 'write') return deny('read_only_share');
  return { allowed: true };
}

// ---- fields -------------------------------------------------------------------------------

const MOST_RESTRICTIVE: FieldLevel = 'confidential';

function rankOf(level: FieldLevel): number {
  const rank = FIELD_LEVELS.indexOf(level);
  // An unknown level string (bad data) ranks as the most restrictive, never as "below public".
  return rank < 0 ? FIELD_LEVELS.length - 1 : rank;
}

/** The level of a field; fields missing from the classification are treated as confidential. */
export function fieldLevel(entity: EntityType, field: string, classification: FieldClassification): FieldLevel {
  const levels = classification[entity] as Record<string, FieldLevel> | undefined;
  if (!levels || !Object.prototype.hasOwnProperty.call(levels, field)) return MOST_RESTRICTIVE;
  const level = levels[field];
  return level !== undefined && (FIELD_LEVELS as readonly string[]).includes(level) ? level : MOST_RESTRICTIVE;
}

function isStructural(entity: EntityType, field: string): boolean {
  return STRUCTURAL_FIELDS[entity].includes(field);
}

/**
 * How a structural field may be written by a client (structural fields carry no classification,
 * so the write clearance never governs them; these rules do):
 *   server    – only the server sets it (id, version, updatedAt; an activity's author is the
 *               actor who creates it; a customer's owner is its creator, then the reassign action)
 *   creation  – set once when the record is created, never changed (a child record's customer)
 *   reassign  – may name someone other than the actor only through `<entity>.reassign`, with the
 *               new owner inside the actor's scope (an opportunity's owner)
 * Any other field is not structural: undefined.
 */
export type StructuralWrite = 'server' | 'creation' | 'reassign';

export function structuralWrite(entity: EntityType, field: string): StructuralWrite | undefined {
  if (!isStructural(entity, field)) return undefined;
  if (field === 'customerId' && entity !== 'customer') return 'creation';
  if (field === 'ownerId' && entity === 'opportunity') return 'reassign';
  return 'server';
}

function isReadable(entity: EntityType, field: string, clearance: FieldLevel, classification: FieldClassification): boolean {
  return rankOf(fieldLevel(entity, field, classification)) <= rankOf(clearance);
}

/** Fields of `entity` readable at `clearance` (classifiable fields only; structural ones are always kept). */
export function readableFields(entity: EntityType, clearance: FieldLevel, classification: FieldClassification): string[] {
  return ENTITY_FIELDS[entity].filter((field) => isReadable(entity, field, clearance, classification));
}

/**
 * Fields of `entity` writable at `clearance`.
 * Pass the role's `readClearance` too: a field is writable only when it is also readable, which
 * matters for custom roles whose write clearance is above their read clearance.
 */
export function writableFields(
  entity: EntityType,
  clearance: FieldLevel,
  classification: FieldClassification,
  readClearance: FieldLevel = clearance,
): string[] {
  const effective = effectiveWriteClearance(clearance, readClearance);
  return ENTITY_FIELDS[entity].filter((field) => isReadable(entity, field, effective, classification));
}

/** The lower of the two clearances: nobody writes a field they cannot read. */
export function effectiveWriteClearance(writeClearance: FieldLevel, readClearance: FieldLevel): FieldLevel {
  return rankOf(writeClearance) <= rankOf(readClearance) ? writeClearance : readClearance;
}

/**
 * A copy of `record` holding only structural fields and fields at or below `clearance`.
 * Fields above clearance are ABSENT (key removed), never nulled.
 */
export function projectRecord<T extends Record<string, unknown>>(
  entity: EntityType,
  record: T,
  clearance: FieldLevel,
  classification: FieldClassification,
): Partial<T> {
  // fromEntries defines own properties, so a hostile '__proto__' key cannot change the prototype.
  return Object.fromEntries(
    Object.entries(record).filter(
      ([field]) => isStructural(entity, field) || isReadable(entity, field, clearance, classification),
    ),
  ) as Partial<T>;
}

/**
 * Field names in `fields` that the subject may not write at its write clearance (empty = ok).
 * Structural fields (customerId, ownerId, ...) are not classified: they are always visible and
 * their changes are governed by actions (create under a parent, reassign), so they are never reported.
 * Pass `readClearance` to also refuse fields above the read clearance (see writableFields).
 */
export function fieldsAboveWriteClearance(
  entity: EntityType,
  fields: readonly string[],
  clearance: FieldLevel,
  classification: FieldClassification,
  readClearance: FieldLevel = clearance,
): string[] {
  const effective = effectiveWriteClearance(clearance, readClearance);
  return fields.filter(
    (field) => !isStructural(entity, field) && !isReadable(entity, field, effective, classification),
  );
}

// ---- sync buckets -------------------------------------------------------------------------
// A record lives in the bucket of its customer's owner (`o:<ownerId>`) and in one bucket per
// active share of its customer (`s:<shareId>`). A subject's bucket set is every owner bucket
// its data scope covers plus the buckets of shares that reach it. When the set shrinks, the
// client drops whole buckets; nothing about the records themselves has to change.

export function ownerBucket(ownerId: string): string {
  return `o:${ownerId}`;
}

export function shareBucket(shareId: string): string {
  return `s:${shareId}`;
}

/** Buckets a record is in, given its customer's owner and the customer's active shares. */
export function recordBuckets(record: RecordScope, activeShares: readonly Share[]): string[] {
  const buckets = [ownerBucket(record.ownerId)];
  for (const share of activeShares) {
    // Defensive: only this customer's shares, and never a revoked one even if the caller passed it.
    if (share.customerId === record.customerId && share.revokedAt === null) buckets.push(shareBucket(share.id));
  }
  return [...new Set(buckets)];
}

/** The subject's bucket set. `users` = all users (to find owners within scope units). */
export function subjectBuckets(
  subject: Subject,
  tree: OrgTree,
  users: readonly Pick<User, 'id' | 'unitId'>[],
  shares: readonly Share[],
  now: number,
): string[] {
  if (!isActiveUser(subject) || subject.role.dataScope === 'none') return [];
  const buckets = new Set<string>([ownerBucket(subject.user.id)]);
  const units = scopeUnitIds(subject, tree);
  // An 'own' scope (or a team scope managing nothing) covers no unit: no need to walk every user.
  if (units === 'all' || units.size > 0) {
    for (const user of users) {
      if (units === 'all' || units.has(user.unitId)) buckets.add(ownerBucket(user.id));
    }
  }
  for (const share of sharesForSubject(subject, tree, shares, now)) buckets.add(shareBucket(share.id));
  return [...buckets];
}
