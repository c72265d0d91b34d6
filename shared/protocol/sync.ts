import { z } from 'zod';
import { epochMsSchema, idSchema } from './common';
import { entityTypeSchema, projectedRecordSchema } from './records';

// The sync protocol: devices sync under server-issued, signed scopes. Pull is a paged delta by opaque cursor over a bucketed
// change log; push sends the outbox; events arrive over SSE.

export const PULL_PAGE_MAX = 5000;

export const pullRequestSchema = z.object({
  /** Opaque cursor from the previous page; null on first sync (or after a reset). */
  cursor: z.string().max(4096).nullable(),
  limit: z.number().int().min(1).max(PULL_PAGE_MAX).default(2000),
  /**
   * The cursor the device's vault has stored when it sends this request (null: none yet). It
   * differs from `cursor` while a page is still being applied (pipelined pull). The server's
   * exposure ledger counts a page as held only once a request names it here. Absent from older
   * clients: `cursor` is taken for it.
   */
  applied: z.string().max(4096).nullable().optional(),
});
export type PullRequest = z.infer<typeof pullRequestSchema>;

export const removalReasonSchema = z.enum([
  'deleted',
  'reassigned',
  'scope_changed',
  'share_revoked',
  'share_expired',
]);

export const pullResponseSchema = z.object({
  /** A fresh grant when the scope changed since the device's last grant (client must verify + store it). */
  grant: z.string().optional(),
  /** Buckets that left the user's scope: drop every record that is in no remaining bucket. */
  droppedBuckets: z.array(z.string()),
  /** Fields that the user may no longer read: purge them from every stored row of that entity. */
  fieldPurges: z.array(z.object({ entity: entityTypeSchema, fields: z.array(z.string()) })),
  /** Current state of records in scope, projected to the user's read clearance. */
  upserts: z.array(
    z.object({
      entity: entityTypeSchema,
      record: projectedRecordSchema,
      /** The buckets (of the user's set) the record is in now. */
      buckets: z.array(z.string()),
      /** For child records: the customer it belongs to. */
      customerId: idSchema.optional(),
      /** Record-level write access (scope or a read-write share) for a role with any write action; each action is still checked. */
      writable: z.boolean(),
    }),
  ),
  /** Records that left the user's scope or were deleted. */
  removals: z.array(z.object({ entity: entityTypeSchema, id: idSchema, reason: removalReasonSchema })),
  cursor: z.string(),
  hasMore: z.boolean(),
  /**
   * Display names of record owners, so the client can show names instead of user ids (the
   * grant names only the user themself). Sent on every page with cursor null and on every page
   * of a scope transition (the bucket set changed): every owner whose owner bucket `o:<id>` is in
   * the user's bucket set. Any page also carries the owners of the customers/opportunities it
   * upserts that are outside those buckets (owners of customers shared with the user). Only id,
   * display name and, for owners in the owner buckets, their org unit's id travel: no usernames
   * or roles. Absent when empty.
   */
  directory: z.array(z.object({ id: idSchema, displayName: z.string(), unitId: idSchema.optional() })).optional(),
  /**
   * The org units of the owners in the user's owner buckets, with their ancestors (branches,
   * teams, so the client can group its scope). On every page that carries a full directory (cursor
   * null or a scope transition), possibly empty: it replaces what the client held.
   */
  units: z
    .array(z.object({ id: idSchema, parentId: idSchema.nullable(), name: z.string().max(200), kind: z.enum(['company', 'region', 'branch', 'team']) }))
    .optional(),
  /** Estimated total records still to send in this pull (for first-sync progress), when known. */
  remaining: z.number().int().nonnegative().optional(),
  serverTime: epochMsSchema,
});
export type PullResponse = z.infer<typeof pullResponseSchema>;

export const MUTATION_OPS = ['create', 'update', 'delete'] as const;
export const PUSH_BATCH_MAX = 500;

/** Most fields one mutation may carry (the widest entity has ten writable fields). */
export const MUTATION_FIELDS_MAX = 32;
/** Longest text a field value may be on the wire (the entity schemas then apply each field's own limit). */
export const FIELD_VALUE_TEXT_MAX = 10_000;

/** A field name: a plain identifier. */
const fieldNameSchema = z.string().max(64).regex(/^[A-Za-z][A-Za-z0-9]*$/, 'field names are plain identifiers');

/**
 * A field value as it may travel in a mutation: a scalar (text, number, true/false, null) or a
 * short list of short texts (tags). Never a nested object or list: a record field is flat, and a
 * nested value of any depth is refused here, before any processing. The entity's own field schema
 * (records.ts) still decides, per mutation, whether the value is valid for that field.
 */
export const fieldValueSchema = z.union([
  z.string().max(FIELD_VALUE_TEXT_MAX),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.string().max(200)).max(100),
]);

// Statically the values stay `unknown` (the entity schemas give them their real types); at run
// time every value must pass fieldValueSchema.
const fieldMapSchema = z
  .record(fieldNameSchema, fieldValueSchema as z.ZodType<unknown>)
  .refine((fields) => Object.keys(fields).length <= MUTATION_FIELDS_MAX, `at most ${MUTATION_FIELDS_MAX} fields`);

export const mutationSchema = z.object({
  /** Client-generated UUID; the server applies each mutation id at most once. */
  mutationId: z.string().uuid(),
  entity: entityTypeSchema,
  op: z.enum(MUTATION_OPS),
  recordId: idSchema,
  /** The record's version the client edited from (null for create). */
  baseVersion: z.number().int().nonnegative().nullable(),
  /** New values of changed fields (create: all provided fields; delete: {}). */
  fields: fieldMapSchema,
  /** The values those fields had when the user started editing (per-field conflict detection). */
  baseValues: fieldMapSchema.default({}),
  /** When the user made the change (client clock, epoch ms). */
  createdAt: epochMsSchema,
});
export type Mutation = z.infer<typeof mutationSchema>;

export const pushRequestSchema = z.object({
  mutations: z.array(mutationSchema).min(1).max(PUSH_BATCH_MAX),
});

export const MUTATION_STATUSES = ['applied', 'merged', 'conflict', 'rejected', 'duplicate'] as const;
export type MutationStatus = (typeof MUTATION_STATUSES)[number];

export const mutationResultSchema = z.object({
  mutationId: z.string(),
  /**
   * applied   – taken as sent
   * merged    – taken; other fields had changed on the server meanwhile and were kept
   * conflict  – some fields lost to a newer server value; see `conflicts`; the rest were applied
   * rejected  – refused entirely (permission, validation, missing record); see `reason`
   * duplicate – this mutation id was applied before; `record` is the current state
   */
  status: z.enum(MUTATION_STATUSES),
  /** Current server state of the record, projected for the user (absent when it is gone or out of scope). */
  record: projectedRecordSchema.optional(),
  conflicts: z
    .array(z.object({ field: z.string(), yours: z.unknown(), theirs: z.unknown() }))
    .optional(),
  reason: z.string().optional(),
  /** Server-side id of the held conflict/rejection, for review. */
  heldId: z.string().optional(),
});
export type MutationResult = z.infer<typeof mutationResultSchema>;

export const pushResponseSchema = z.object({
  results: z.array(mutationResultSchema),
  serverTime: epochMsSchema,
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

/** How a search text looked, without the text: what an auditor needs, no personal data. */
export const SEARCH_TEXT_KINDS = ['empty', 'digits', 'latin', 'cjk', 'mixed'] as const;
export type SearchTextKind = (typeof SEARCH_TEXT_KINDS)[number];

export const searchSummarySchema = z.object({
  /** length of the query in characters */
  length: z.number().int().nonnegative().max(200),
  kind: z.enum(SEARCH_TEXT_KINDS),
});
export type SearchSummary = z.infer<typeof searchSummarySchema>;

const DIGIT = /\p{Nd}/u;
const LATIN = /\p{Script=Latin}/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u;
/** Spaces, punctuation and symbols (`+86 (138) 0000-0000`, `a@b.c`) say nothing about the kind. */
const NEUTRAL = /[\s\p{P}\p{S}]/u;

/**
 * Reduces a search text to its summary: its length in characters (code points) and the kind of
 * characters it is made of — only digits (phone numbers, ids), only Latin letters, only CJK, or
 * mixed. Neutral characters are ignored; letters of any other script count as mixed, and so does
 * a query of neutral characters alone. Search terms are often personal data (a phone number, a
 * contact's name) and the audit trail is read by administrators, so this is all that is kept.
 */
export function summarizeSearch(query: string): SearchSummary {
  const chars = Array.from(query.trim());
  if (chars.length === 0) return { length: 0, kind: 'empty' };
  const kinds = new Set<SearchTextKind>();
  for (const ch of chars) {
    if (DIGIT.test(ch)) kinds.add('digits');
    else if (LATIN.test(ch)) kinds.add('latin');
    else if (CJK.test(ch)) kinds.add('cjk');
    else if (!NEUTRAL.test(ch)) kinds.add('mixed');
  }
  const [only] = kinds;
  return { length: Math.min(chars.length, 200), kind: kinds.size === 1 && only ? only : 'mixed' };
}

/** Most records one offline entry may claim (a view names one; a search or export counts rows). */
export const OFFLINE_AUDIT_COUNT_MAX = 1_000_000;

const offlineAuditEntryShape = z.object({
  id: z.string().uuid(),
  at: epochMsSchema,
  action: z.enum(['view', 'search', 'export']),
  entity: entityTypeSchema.optional(),
  recordId: idSchema.optional(),
  /** search only: the query's length and kind, never its text */
  search: searchSummarySchema.optional(),
  /** search: results found; export: records exported */
  count: z.number().int().nonnegative().max(OFFLINE_AUDIT_COUNT_MAX).optional(),
});

/**
 * Offline reads (views, searches, exports) recorded in the vault and uploaded at next sync. A
 * search entry carries no free text: an entry that still has a `query` (written by an older
 * client) is reduced to its `search` summary as it is parsed, and the text is dropped, so it is
 * neither stored in a vault queue parsed with this schema nor accepted by the server.
 */
export const offlineAuditEntrySchema = z.preprocess((value) => {
  if (!value || typeof value !== 'object' || Array.isArray(value) || !('query' in value)) return value;
  const { query, ...rest } = value as Record<string, unknown>;
  if (typeof query !== 'string' || 'search' in rest) return rest;
  return { ...rest, search: summarizeSearch(query) };
}, offlineAuditEntryShape);

/** An offline audit entry as recorded and uploaded (never with search text). */
export type OfflineAuditEntry = z.output<typeof offlineAuditEntryShape>;

export const OFFLINE_AUDIT_UPLOAD_MAX = 1000;
export const auditUploadSchema = z.object({ entries: z.array(offlineAuditEntrySchema).min(1).max(OFFLINE_AUDIT_UPLOAD_MAX) });

/** Server-sent events on GET /v1/events (text/event-stream; `event:` = type, `data:` = JSON). */
export const serverEventSchema = z.discriminatedUnion('type', [
  /** The device or user was revoked: `directive` is a signed wipe directive (JWS). */
  z.object({ type: z.literal('revoked'), directive: z.string() }),
  /** The user's scope (role, team, clearance, shares) changed: pull now. */
  z.object({ type: z.literal('scope-changed'), scopeVersion: z.number().int() }),
  /** New data in one of the user's buckets: pull when convenient. */
  z.object({ type: z.literal('data-changed') }),
  z.object({ type: z.literal('ping'), serverTime: epochMsSchema }),
]);
export type ServerEvent = z.infer<typeof serverEventSchema>;
