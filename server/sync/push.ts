// Push: the client's outbox, applied in order. Each mutation is
//   - idempotent by mutation id (applied_mutations keeps the first result; a repeat gets it back
//     with status 'duplicate'),
//   - re-authorized against CURRENT permissions (engine: authorize + fieldsAboveWriteClearance),
//   - merged per field: a field whose server value is still what the client started from is
//     applied; a field changed on the server since keeps the server value and the client's
//     value is held server-side (held_mutations, kind 'conflict') and returned as a conflict.
// Rejected mutations are held too (kind 'rejected'): nothing the user did is silently dropped.
// Each mutation runs in one transaction with its applied_mutations row, so a crash mid-push
// leaves every mutation either fully applied (and remembered) or not at all.

import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Kysely } from 'kysely';
import { ENTITY_FIELDS, type EntityType } from '../../shared/domain/model';
import {
  authorize,
  fieldsAboveWriteClearance,
  projectRecord,
  structuralWrite,
  type Decision,
} from '../../shared/permissions/engine';
import { entityFieldSchemas } from '../../shared/protocol/records';
import type { Mutation, MutationResult, PushResponse } from '../../shared/protocol/sync';
import type { Principal, ServerContext } from '../context';
import type { Database } from '../db/schema';
import {
  RecordError,
  createRecord,
  deleteRecord,
  getCustomerRow,
  getRow,
  inRecordTransaction,
  reassignCustomer,
  updateRecord,
  type Trx,
} from '../records/repository';
import { recordFromRow, type EntityRowMap } from '../records/rows';
import { loadScopeData, recordScopeOf, sharesOf, type ScopeData } from '../org/permission-scope';
import { mayReassignCustomer } from '../ownership/reassign';

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * A refused mutation. `message` is the reason the client gets; `detail` (when set) is the true
 * reason kept in the held row and the audit trail, where only people with access read it: a
 * record the user may not read answers exactly like a record that does not exist.
 */
class Rejection extends Error {
  constructor(message: string, readonly detail?: string) {
    super(message);
  }
}

/** What the user gets for a record outside what they may read: the same as for no record at all. */
function notVisible(detail: string): Rejection {
  return new Rejection('not_found', detail);
}

interface Outcome {
  result: MutationResult;
  /** customer owners whose buckets changed (for data-changed events) */
  owners: string[];
  /** the true reason of a rejection when the client is told less (audit only) */
  detail?: string;
}

export async function push(ctx: ServerContext, principal: Principal, mutations: readonly Mutation[]): Promise<PushResponse> {
  const data = await loadScopeData(ctx.db);
  const results: MutationResult[] = [];
  const changedOwners = new Set<string>();
  for (const mutation of mutations) {
    const outcome = await applyOnce(ctx, principal, data, mutation);
    results.push(outcome.result);
    for (const o of outcome.owners) changedOwners.add(o);
    await ctx.audit.append({
      actorId: principal.user.id,
      deviceId: principal.device.id,
      action: auditActionOf(mutation),
      target: `${mutation.entity}:${mutation.recordId}`,
      outcome: outcome.result.status === 'rejected' ? 'denied' : 'ok',
      // Field names only: values may be above the clearance of whoever reads the audit trail.
      details: {
        mutationId: mutation.mutationId,
        status: outcome.result.status,
        fields: Object.keys(mutation.fields),
        ...(outcome.result.reason ? { reason: outcome.result.reason } : {}),
        ...(outcome.detail ? { detail: outcome.detail } : {}),
      },
    });
  }
  if (changedOwners.size > 0) await ctx.events.publishDataChanged([...changedOwners]);
  return { results, serverTime: ctx.now() };
}

/**
 * The audit code of a pushed mutation: a customer's delete (into the recycle bin) and its
 * reassignment have their own, every other mutation is `record.<op>`.
 */
function auditActionOf(mutation: Mutation): 'customer.delete' | 'customer.reassign' | `record.${Mutation['op']}` {
  if (mutation.entity === 'customer' && mutation.op === 'delete') return 'customer.delete';
  if (mutation.entity === 'customer' && mutation.op === 'update' && 'ownerId' in mutation.fields) return 'customer.reassign';
  return `record.${mutation.op}`;
}

/** The record as the user may see it now (undefined when gone or not readable). */
async function currentProjection(db: Kysely<Database> | Trx, now: number, principal: Principal, data: ScopeData, entity: EntityType, id: string): Promise<MutationResult['record']> {
  const row = await getRow(db, entity, id);
  if (!row || row.deleted) return undefined;
  const customerId = entity === 'customer' ? id : (row as EntityRowMap['contact']).customer_id;
  const customer = await getCustomerRow(db, customerId);
  if (!customer || customer.deleted) return undefined;
  const decision = authorize(principal.subject, `${entity}.read`, data.tree, {
    record: recordScopeOf(data, customerId, customer.owner_id), shares: sharesOf(data, customerId), now,
  });
  if (!decision.allowed) return undefined;
  const record = recordFromRow(entity, row as EntityRowMap[typeof entity]) as unknown as Record<string, unknown>;
  return projectRecord(entity, record, principal.role.readClearance, data.classification) as MutationResult['record'];
}

async function applyOnce(ctx: ServerContext, principal: Principal, data: ScopeData, mutation: Mutation): Promise<Outcome> {
  const previous = await ctx.db.selectFrom('applied_mutations').selectAll().where('mutation_id', '=', mutation.mutationId).executeTakeFirst();
  if (previous) return duplicateOf(ctx, principal, data, mutation, previous.user_id, previous.result);
  try {
    return await inRecordTransaction(ctx, async (trx) => {
      const outcome = await apply(ctx, trx, principal, data, mutation);
      await trx.insertInto('applied_mutations').values({
        mutation_id: mutation.mutationId,
        device_id: principal.device.id,
        user_id: principal.user.id,
        result: JSON.stringify(outcome.result),
        at: ctx.now(),
      }).execute();
      return outcome;
    });
  } catch (err) {
    // The same mutation id pushed twice at once (a retry racing the original): the loser's
    // insert of applied_mutations fails and its transaction rolled back; report the winner's result.
    const winner = await ctx.db.selectFrom('applied_mutations').selectAll().where('mutation_id', '=', mutation.mutationId).executeTakeFirst();
    if (winner) return duplicateOf(ctx, principal, data, mutation, winner.user_id, winner.result);
    throw err;
  }
}

async function duplicateOf(
  ctx: ServerContext, principal: Principal, data: ScopeData, mutation: Mutation, userId: string, stored: string,
): Promise<Outcome> {
  if (userId !== principal.user.id) {
    // Another user's mutation id: say nothing about it.
    return { result: { mutationId: mutation.mutationId, status: 'rejected', reason: 'mutation_id_in_use' }, owners: [] };
  }
  const first = JSON.parse(stored) as MutationResult;
  const result: MutationResult = { ...first, status: 'duplicate' };
  const record = await currentProjection(ctx.db, ctx.now(), principal, data, mutation.entity, mutation.recordId);
  if (record) result.record = record;
  else delete result.record;
  return { result, owners: [] };
}

async function hold(
  ctx: ServerContext, trx: Trx, principal: Principal, mutation: Mutation,
  kind: 'conflict' | 'rejected', reason: string, customerId: string | null, payload: unknown,
): Promise<string> {
  const id = randomUUID();
  await trx.insertInto('held_mutations').values({
    id, mutation_id: mutation.mutationId, user_id: principal.user.id, device_id: principal.device.id, kind,
    entity: mutation.entity, record_id: mutation.recordId, customer_id: customerId,
    payload: JSON.stringify(payload), reason, created_at: ctx.now(), resolved_at: null, resolved_by: null,
  }).execute();
  return id;
}

function check(decision: Decision): void {
  if (!decision.allowed) throw new Rejection(decision.reason ?? 'forbidden');
}

/** The "not set" value a field's schema accepts (null, '' or []), for fields a create leaves out. */
function emptyValue(entity: EntityType, field: string): unknown {
  const shape = (entityFieldSchemas[entity] as z.ZodObject).shape as Record<string, z.ZodType>;
  return [null, '', []].find((candidate) => shape[field]?.safeParse(candidate).success) ?? null;
}

/** Validates field values with the entity's wire schema; unknown fields are refused, not dropped. */
function validFields(entity: EntityType, fields: Record<string, unknown>, partial: boolean): Record<string, unknown> {
  const schema = entityFieldSchemas[entity] as z.ZodObject;
  const parsed = (partial ? schema.partial() : schema).strict().safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Rejection(`invalid_fields: ${issue ? `${issue.path.join('.') || '(fields)'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data as Record<string, unknown>;
}

/**
 * A follow-up's fields agree with each other (docs/follow-ups.md): it is done or reminded only
 * when it has a due moment, and the reminder is not after that moment.
 */
function checkFollowUp(record: Record<string, unknown>): void {
  const due = record.dueAt ?? null;
  const reminder = record.reminderAt ?? null;
  if (due === null && ((record.doneAt ?? null) !== null || reminder !== null)) {
    throw new Rejection('invalid_fields: doneAt and reminderAt need dueAt (only a follow-up is done or reminded)');
  }
  if (due !== null && reminder !== null && Number(reminder) > Number(due)) throw new Rejection('invalid_fields: reminderAt must not be after dueAt');
}

function assertWritable(principal: Principal, data: ScopeData, entity: EntityType, fields: readonly string[]): void {
  const above = fieldsAboveWriteClearance(entity, fields, principal.role.writeClearance, data.classification, principal.role.readClearance);
  if (above.length > 0) throw new Rejection(`above_write_clearance: ${above.join(', ')}`);
}

/**
 * Structural fields (owner, author, customer of a child record, ids and versions) change only
 * through the action that governs them, never as plain field values. Fields only the server sets
 * are refused here; a child's customer (fixed at creation) and an opportunity's owner
 * (`checkOwner`) are checked where the record is known.
 */
function guardStructural(entity: EntityType, fields: Record<string, unknown>): void {
  for (const field of Object.keys(fields)) {
    if (structuralWrite(entity, field) === 'server') {
      throw new Rejection(`structural_field: ${field} is set by the server or by its own action (reassign)`);
    }
  }
}

/**
 * An opportunity's owner other than the actor: only with `opportunity.reassign` on the record as
 * it would be, i.e. a new owner inside the actor's scope. An unknown or inactive user is refused.
 */
async function checkOwner(
  trx: Trx, principal: Principal, data: ScopeData, customerId: string, ownerId: string, now: number,
): Promise<void> {
  if (ownerId === principal.user.id) return;
  const owner = await trx.selectFrom('users').select(['id', 'status']).where('id', '=', ownerId).executeTakeFirst();
  if (!owner || owner.status !== 'active') throw new Rejection('invalid_owner: ownerId: no such active user in your scope', `unknown or inactive owner ${ownerId}`);
  const decision = authorize(principal.subject, 'opportunity.reassign', data.tree, { record: recordScopeOf(data, customerId, ownerId), shares: [], now });
  if (!decision.allowed) throw new Rejection('invalid_owner: ownerId: no such active user in your scope', `owner ${ownerId}: ${decision.reason ?? 'forbidden'}`);
}

async function apply(ctx: ServerContext, trx: Trx, principal: Principal, data: ScopeData, mutation: Mutation): Promise<Outcome> {
  const { entity, recordId } = mutation;
  const now = ctx.now();
  const { subject, user } = principal;
  let customerId: string | null = entity === 'customer' ? recordId : null;
  const projection = () => currentProjection(trx, now, principal, data, entity, recordId);
  try {
    const existing = await getRow(trx, entity, recordId);
    if (existing && entity !== 'customer') customerId = (existing as EntityRowMap['contact']).customer_id;

    if (mutation.op === 'create') {
      // A record the user can read: a retry or another device's create (conflict/duplicate).
      if (existing && !existing.deleted) {
        const record = await projection();
        if (record) return await createOverExisting(ctx, trx, principal, mutation, existing, record);
      }
      // Otherwise the create is judged exactly as if the id were free, so that its answer says
      // nothing about records the user cannot read; only a create that would succeed learns
      // that its id is taken.
      guardStructural(entity, mutation.fields);
      // Fields the user may not write can be left out of a create: they start empty.
      const fields: Record<string, unknown> = { ...mutation.fields };
      for (const f of fieldsAboveWriteClearance(entity, ENTITY_FIELDS[entity], principal.role.writeClearance, data.classification, principal.role.readClearance)) {
        if (!(f in fields)) fields[f] = emptyValue(entity, f);
      }
      const valid = validFields(entity, fields, false);
      assertWritable(principal, data, entity, Object.keys(valid).filter((f) => !sameValue(valid[f], emptyValue(entity, f))));
      let owner: string;
      if (entity === 'customer') {
        owner = user.id;
        check(authorize(subject, 'customer.create', data.tree, { record: recordScopeOf(data, recordId, user.id), shares: [], now }));
        valid.ownerId = user.id;
      } else {
        customerId = String(valid.customerId);
        const customer = await getCustomerRow(trx, customerId);
        if (!customer || customer.deleted) throw new Rejection('not_found');
        owner = customer.owner_id;
        const target = { record: recordScopeOf(data, customerId, owner), shares: sharesOf(data, customerId), now };
        const decision = authorize(subject, `${entity}.create`, data.tree, target);
        if (!decision.allowed && !authorize(subject, 'customer.read', data.tree, target).allowed) throw notVisible(`customer ${customerId}: ${decision.reason ?? 'forbidden'}`);
        check(decision);
        if (entity === 'opportunity') await checkOwner(trx, principal, data, customerId, String(valid.ownerId), now);
        if (entity === 'activity') {
          valid.authorId = user.id; // the author is whoever creates it
          checkFollowUp(valid);
        }
      }
      if (existing) throw new Rejection('id_unavailable', existing.deleted ? 'id of a deleted record' : 'id of a record outside the user\'s scope');
      await createRecord(trx, { entity, id: recordId, fields: valid, actorId: user.id, now });
      return { result: { mutationId: mutation.mutationId, status: 'applied', record: await projection() }, owners: [owner] };
    }

    if (!existing || existing.deleted) throw new Rejection('not_found');
    const customer = await getCustomerRow(trx, customerId as string);
    if (!customer || customer.deleted) throw new Rejection('not_found');
    const target = { record: recordScopeOf(data, customer.id, customer.owner_id), shares: sharesOf(data, customer.id), now };
    const readable = authorize(subject, `${entity}.read`, data.tree, target);
    if (!readable.allowed) throw notVisible(`${entity} ${recordId}: ${readable.reason ?? 'forbidden'}`);

    if (mutation.op === 'delete') {
      check(authorize(subject, `${entity}.delete`, data.tree, target));
      await deleteRecord(trx, { entity, id: recordId, actorId: user.id, now });
      return { result: { mutationId: mutation.mutationId, status: 'applied' }, owners: [customer.owner_id] };
    }

    // update. A customer's `ownerId` is its reassignment (the customer.reassign rule of
    // ../ownership/reassign.ts, the same as the reassign route); every other field is an update.
    const { ownerId: newOwner, ...plainFields } = mutation.fields;
    const reassigning = entity === 'customer' && newOwner !== undefined && newOwner !== customer.owner_id;
    if (reassigning) {
      if (typeof newOwner !== 'string') throw new Rejection('invalid_owner: ownerId: no such active user in your scope');
      const verdict = await mayReassignCustomer(trx, subject, data, customer, newOwner, now);
      if (!verdict.allowed) {
        throw verdict.refused === 'owner'
          ? new Rejection('invalid_owner: ownerId: no such active user in your scope', `owner ${newOwner}: ${verdict.reason}`)
          : new Rejection(verdict.reason);
      }
    }
    const updateFields = entity === 'customer' ? plainFields : mutation.fields;
    if (entity !== 'customer' || Object.keys(updateFields).length > 0 || !reassigning) check(authorize(subject, `${entity}.update`, data.tree, target));
    guardStructural(entity, updateFields);
    const valid = validFields(entity, updateFields, true);
    if ('customerId' in valid && valid.customerId !== customer.id) throw new Rejection('invalid_fields: customerId cannot change (create the record under the other customer)');
    delete valid.customerId;
    const current = recordFromRow(entity, existing as EntityRowMap[typeof entity]) as unknown as Record<string, unknown>;
    if ('ownerId' in valid) {
      if (valid.ownerId === current.ownerId) delete valid.ownerId;
      else {
        // Moving a deal to another owner is a reassignment: allowed on the deal as it is and as it would be.
        check(authorize(subject, 'opportunity.reassign', data.tree, target));
        await checkOwner(trx, principal, data, customer.id, String(valid.ownerId), now);
      }
    }
    assertWritable(principal, data, entity, Object.keys(valid));
    if (entity === 'activity') checkFollowUp({ ...current, ...valid });
    const toApply: Record<string, unknown> = {};
    const conflicts: NonNullable<MutationResult['conflicts']> = [];
    const sameBase = mutation.baseVersion !== null && mutation.baseVersion === current.version;
    if (reassigning) valid.ownerId = newOwner;
    for (const [field, yours] of Object.entries(valid)) {
      const theirs = current[field];
      if (sameValue(yours, theirs)) continue;
      if (sameBase || (field in mutation.baseValues && sameValue(mutation.baseValues[field], theirs))) toApply[field] = yours;
      else conflicts.push({ field, yours, theirs });
    }
    const owners = Object.keys(toApply).length > 0 ? [customer.owner_id] : [];
    if ('ownerId' in toApply && entity === 'customer') {
      const ownerId = String(toApply.ownerId);
      delete toApply.ownerId;
      await reassignCustomer(trx, { customerId: customer.id, newOwnerId: ownerId, actorId: user.id, now });
      owners.push(ownerId);
    }
    if (Object.keys(toApply).length > 0) await updateRecord(trx, { entity, id: recordId, fields: toApply, actorId: user.id, now });
    const result: MutationResult = { mutationId: mutation.mutationId, status: 'applied', record: await projection() };
    if (conflicts.length > 0) {
      result.status = 'conflict';
      result.conflicts = conflicts;
      result.heldId = await hold(ctx, trx, principal, mutation, 'conflict', `server value kept for: ${conflicts.map((c) => c.field).join(', ')}`, customer.id, {
        ...mutation, fields: Object.fromEntries(conflicts.map((c) => [c.field, c.yours])),
      });
    } else if (!sameBase && mutation.baseVersion !== null && Number(current.version) > mutation.baseVersion) {
      result.status = 'merged';
    }
    return { result, owners };
  } catch (err) {
    if (!(err instanceof Rejection) && !(err instanceof RecordError)) throw err;
    const reason = err instanceof RecordError ? err.code : err.message;
    const detail = err instanceof Rejection ? err.detail : undefined;
    const heldId = await hold(ctx, trx, principal, mutation, 'rejected', detail ? `${reason} (${detail})` : reason, customerId, mutation);
    const result: MutationResult = { mutationId: mutation.mutationId, status: 'rejected', reason, heldId };
    const record = await projection();
    if (record) result.record = record;
    return { result, owners: [], ...(detail ? { detail } : {}) };
  }
}

/**
 * A create whose id is a record the user can read (another device created it, or a retry after
 * the mutation id was lost): every field that differs from the stored record is a same-field conflict.
 */
async function createOverExisting(
  ctx: ServerContext, trx: Trx, principal: Principal, mutation: Mutation,
  existing: EntityRowMap[EntityType], record: NonNullable<MutationResult['record']>,
): Promise<Outcome> {
  const current = recordFromRow(mutation.entity, existing) as unknown as Record<string, unknown>;
  const readable = new Set(Object.keys(record));
  const conflicts = Object.entries(mutation.fields)
    .filter(([field, yours]) => readable.has(field) && !sameValue(yours, current[field]))
    .map(([field, yours]) => ({ field, yours, theirs: current[field] }));
  if (conflicts.length === 0) return { result: { mutationId: mutation.mutationId, status: 'duplicate', record }, owners: [] };
  const customerId = mutation.entity === 'customer' ? mutation.recordId : String(current.customerId);
  const heldId = await hold(ctx, trx, principal, mutation, 'conflict', 'record already exists', customerId, mutation);
  return { result: { mutationId: mutation.mutationId, status: 'conflict', record, conflicts, heldId }, owners: [] };
}
