// Per-device sync state and the pull cursor.
//
// A device's sync STATE is what its vault holds the records under: the bucket set, the read
// clearance, the field classification and the entity types (those its role could read) it was
// served with. The server keeps:
//   - the COMMITTED state P (devices.synced_*): what the client has acknowledged, and
//   - at most one PENDING state Q (meta row `sync-pending:<deviceId>`): the state the latest
//     responses moved the client towards, not yet acknowledged.
// A cursor names its BASE state by a content hash (and, mid-backfill, the TARGET state's hash).
// The client acknowledges Q by presenting a cursor whose base is Q: only then is Q committed.
//
// Why this is crash-safe: if the client dies before storing a response, it retries with its
// previous cursor, whose base is still P (or the old pending), so the server recomputes the same
// drops/purges/backfill from P and nothing the client never stored is assumed. If it stored the
// response, its next cursor names Q and Q becomes P. A cursor naming a state the server no longer
// knows (the scope changed twice while the client kept an old cursor) gets 409 `conflict`: the
// client restarts with cursor null (a full resync), never a silent gap.

import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ENTITY_TYPES, FIELD_LEVELS, type EntityType, type FieldClassification, type FieldLevel } from '../../shared/domain/model';
import { classificationSchema } from '../../shared/protocol/grant';
import type { Database, DevicesTable } from '../db/schema';

export interface SyncState {
  /** sorted */
  buckets: string[];
  /** null = nothing synced yet */
  clearance: FieldLevel | null;
  classification: FieldClassification | null;
  /**
   * Entity types the role could read (in ENTITY_TYPES order); null = not tracked (nothing synced
   * yet, or served before this was recorded): treat as every entity.
   */
  entities: EntityType[] | null;
}

export const EMPTY_STATE: SyncState = { buckets: [], clearance: null, classification: null, entities: null };

/** The entity types a state may hold records of. */
export function entitiesOf(state: SyncState): readonly EntityType[] {
  return state.entities ?? ENTITY_TYPES;
}

// Canonical JSON per classification object: the server's classification is one cached object
// shared by every request until an admin changes it (classifications are never mutated).
const canonicalClassifications = new WeakMap<FieldClassification, string>();

function canonicalClassification(c: FieldClassification | null): string {
  if (!c) return 'null';
  let json = canonicalClassifications.get(c);
  if (json === undefined) {
    json = JSON.stringify(ENTITY_TYPES.map((e) => [e, Object.entries(c[e]).sort(([a], [b]) => (a < b ? -1 : 1))]));
    canonicalClassifications.set(c, json);
  }
  return json;
}

/** A short content hash: equal states get equal ids, across processes. */
export function stateId(state: SyncState): string {
  // Same text as JSON.stringify([buckets, clearance, canonical classification]) (ids must not
  // change), with the entity list appended only when it is tracked: a state stored before it was
  // tracked keeps its id, so that device's cursor stays valid and its next pull is a transition.
  const entities = state.entities === null ? '' : `,${JSON.stringify(state.entities)}`;
  const canonical = `[${JSON.stringify(state.buckets)},${JSON.stringify(state.clearance)},${canonicalClassification(state.classification)}${entities}]`;
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

export function sameState(a: SyncState, b: SyncState): boolean {
  return stateId(a) === stateId(b);
}

const stateSchema = z.object({
  buckets: z.array(z.string()),
  clearance: z.enum(FIELD_LEVELS).nullable(),
  classification: classificationSchema.nullable(),
  entities: z.array(z.enum(ENTITY_TYPES)).nullable().default(null),
});

// Parsed committed states by their stored text: most devices of a deployment share a handful of
// states, and parsing plus validating one (its classification especially) is paid per request.
// Entries are frozen because one object is shared by every request that stored the same text.
const committedStates = new Map<string, SyncState>();
const COMMITTED_STATES_MAX = 10_000;

type SyncedColumns = Pick<DevicesTable, 'synced_buckets' | 'synced_read_clearance' | 'synced_classification' | 'synced_entities'>;

export function committedStateOf(device: SyncedColumns): SyncState {
  const key = JSON.stringify([device.synced_buckets, device.synced_read_clearance, device.synced_classification, device.synced_entities ?? null]);
  let state = committedStates.get(key);
  if (!state) {
    state = parseCommittedState(device);
    if (committedStates.size >= COMMITTED_STATES_MAX) committedStates.clear();
    committedStates.set(key, state);
  }
  return state;
}

function parseCommittedState(device: SyncedColumns): SyncState {
  try {
    const parsed = stateSchema.parse({
      buckets: (JSON.parse(device.synced_buckets) as string[]).slice().sort(),
      clearance: device.synced_read_clearance,
      classification: device.synced_classification ? JSON.parse(device.synced_classification) : null,
      entities: device.synced_entities ? JSON.parse(device.synced_entities) : null,
    }) as SyncState;
    Object.freeze(parsed.buckets);
    if (parsed.entities) Object.freeze(parsed.entities);
    if (parsed.classification) for (const entity of ENTITY_TYPES) Object.freeze(parsed.classification[entity]);
    return Object.freeze(parsed);
  } catch {
    // Unreadable stored state: behave as if nothing was synced (the client's cursor won't match).
    return EMPTY_STATE;
  }
}

/** The meta key of a device's pending state. */
export const pendingKey = (deviceId: string) => `sync-pending:${deviceId}`;

export async function loadPendingState(db: Kysely<Database>, deviceId: string): Promise<SyncState | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', pendingKey(deviceId)).executeTakeFirst();
  return parsePendingState(row?.value);
}

/** A stored pending state (meta value), undefined when absent or unreadable. */
export function parsePendingState(value: string | null | undefined): SyncState | undefined {
  if (value === null || value === undefined) return undefined;
  const parsed = stateSchema.safeParse(JSON.parse(value));
  return parsed.success ? (parsed.data as SyncState) : undefined;
}

export async function savePendingState(db: Kysely<Database>, deviceId: string, state: SyncState): Promise<void> {
  const value = JSON.stringify(state);
  await db
    .insertInto('meta')
    .values({ key: pendingKey(deviceId), value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** The client acknowledged `state`: it becomes the committed state. */
export async function commitState(db: Kysely<Database>, deviceId: string, state: SyncState): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('devices')
      .set({
        synced_buckets: JSON.stringify(state.buckets),
        synced_read_clearance: state.clearance,
        synced_classification: state.classification ? JSON.stringify(state.classification) : null,
        synced_entities: state.entities ? JSON.stringify(state.entities) : null,
      })
      .where('id', '=', deviceId)
      .execute();
    await trx.deleteFrom('meta').where('key', '=', pendingKey(deviceId)).execute();
  });
}

// ---- cursor --------------------------------------------------------------------------------

const cursorSchema = z.object({
  v: z.literal(1),
  /** id of the state the client fully holds */
  base: z.string().max(64),
  /** change-log position delivered under that state (or to resume at after a backfill) */
  seq: z.number().int().nonnegative(),
  /** mid-transition: id of the state being moved to, and the backfill position */
  tgt: z.string().max(64).optional(),
  bf: z
    .object({
      /** index into the sorted list of buckets to backfill */
      i: z.number().int().nonnegative(),
      /** last customer id sent within that bucket */
      after: z.string().max(64).nullable(),
      total: z.number().int().nonnegative(),
      sent: z.number().int().nonnegative(),
      /** backfill every bucket of the target (fields became readable), not only the new ones */
      all: z.boolean(),
    })
    .optional(),
});
export type PullCursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: PullCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** undefined when the text is not a cursor this server issued (shape-wise). */
export function decodeCursor(text: string): PullCursor | undefined {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
