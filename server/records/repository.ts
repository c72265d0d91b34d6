// The record repository: the ONLY code that changes customers, contacts, opportunities,
// activities and shares. Every change runs in a transaction that bumps the record's
// version/updated_at and appends to the change log, which pull serves from.
//
// Change-log ordering: pull advances a cursor over change_log.seq, so an entry must never become
// visible after a later seq has been read. SQLite has one writer at a time; on PostgreSQL
// sequence values can commit out of order, so every writer takes one transaction-scoped advisory
// lock before touching the log (commit order = seq order).

import { sql, type Kysely, type Transaction } from 'kysely';
import type { EntityType, Share } from '../../shared/domain/model';
import type { Dialect } from '../context';
import type { ChangeLogTable, CustomersTable, Database, SharesTable } from '../db/schema';
import { ENTITY_TABLE, columnsFromFields, type EntityRowMap } from './rows';
import { rowToShare as shareFromRow } from '../db/mappers';

export interface RecordStore {
  db: Kysely<Database>;
  dialect: Dialect;
}

export type Trx = Transaction<Database>;

/** Arbitrary constant: the advisory-lock key that serialises change-log writers on PostgreSQL. */
const CHANGE_LOG_LOCK_KEY = 73_110_501;

export class RecordError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/** Runs `fn` in a transaction that may append to the change log. */
export async function inRecordTransaction<T>(store: RecordStore, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return store.db.transaction().execute(async (trx) => {
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${CHANGE_LOG_LOCK_KEY})`.execute(trx);
    return fn(trx);
  });
}

type LogEntry = Omit<ChangeLogTable, 'seq'>;

async function appendLog(trx: Trx, entries: LogEntry[]): Promise<void> {
  // Batched: a reassign of a big customer logs every child record.
  for (let i = 0; i < entries.length; i += 500) {
    await trx.insertInto('change_log').values(entries.slice(i, i + 500)).execute();
  }
}

export async function getRow<E extends EntityType>(
  db: Kysely<Database> | Trx,
  entity: E,
  id: string,
): Promise<EntityRowMap[E] | undefined> {
  const row = await db
    .selectFrom(ENTITY_TABLE[entity] as 'customers')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row as EntityRowMap[E] | undefined;
}

export async function getCustomerRow(db: Kysely<Database> | Trx, id: string): Promise<CustomersTable | undefined> {
  return getRow(db, 'customer', id);
}

async function liveCustomer(trx: Trx, customerId: string): Promise<CustomersTable> {
  const customer = await getCustomerRow(trx, customerId);
  if (!customer || customer.deleted) throw new RecordError('not_found', `customer ${customerId} not found`);
  return customer;
}

export interface CreateInput {
  entity: EntityType;
  id: string;
  /** Domain fields (validated by the caller). For a customer `ownerId` must be present; for an activity `authorId`. */
  fields: Record<string, unknown>;
  actorId: string | null;
  now: number;
}

/** Inserts a new record and logs it. Child records must name a live customer. */
export async function createRecord(trx: Trx, input: CreateInput): Promise<void> {
  const { entity, id, fields, actorId, now } = input;
  let customerId: string;
  let owner: string;
  if (entity === 'customer') {
    customerId = id;
    owner = String(fields.ownerId);
  } else {
    customerId = String(fields.customerId);
    owner = (await liveCustomer(trx, customerId)).owner_id;
  }
  const row = { ...columnsFromFields(entity, fields), id, updated_at: now, version: 1, deleted: 0 };
  await trx.insertInto(ENTITY_TABLE[entity] as 'customers').values(row as unknown as CustomersTable).execute();
  await appendLog(trx, [
    { at: now, entity, record_id: id, customer_id: customerId, op: 'create', owner_before: null, owner_after: owner, actor_id: actorId },
  ]);
}

export interface UpdateInput {
  entity: EntityType;
  id: string;
  /** Domain fields to set (validated by the caller; structural ownership goes through reassign). */
  fields: Record<string, unknown>;
  actorId: string | null;
  now: number;
}

/** Sets the given fields of a live record, bumps its version and logs it. */
export async function updateRecord(trx: Trx, input: UpdateInput): Promise<void> {
  const { entity, id, fields, actorId, now } = input;
  const row = await getRow(trx, entity, id);
  if (!row || row.deleted) throw new RecordError('not_found', `${entity} ${id} not found`);
  const customerId = entity === 'customer' ? id : (row as EntityRowMap['contact']).customer_id;
  const owner = entity === 'customer' ? (row as CustomersTable).owner_id : (await liveCustomer(trx, customerId)).owner_id;
  await trx
    .updateTable(ENTITY_TABLE[entity] as 'customers')
    .set({ ...(columnsFromFields(entity, fields) as Partial<CustomersTable>), updated_at: now, version: sql`version + 1` })
    .where('id', '=', id)
    .execute();
  await appendLog(trx, [
    { at: now, entity, record_id: id, customer_id: customerId, op: 'update', owner_before: owner, owner_after: owner, actor_id: actorId },
  ]);
}

/**
 * Soft-deletes a record (the row stays so the log can tell clients to remove it). Deleting a
 * customer deletes its child records too, each logged, and puts the customer in the recycle bin
 * with the children it took (restoreCustomer brings exactly those back; purgeCustomer erases).
 */
export async function deleteRecord(trx: Trx, input: { entity: EntityType; id: string; actorId: string | null; now: number }): Promise<void> {
  const { entity, id, actorId, now } = input;
  const row = await getRow(trx, entity, id);
  if (!row || row.deleted) throw new RecordError('not_found', `${entity} ${id} not found`);
  const customerId = entity === 'customer' ? id : (row as EntityRowMap['contact']).customer_id;
  const customer = await getCustomerRow(trx, customerId);
  const owner = customer?.owner_id ?? null;
  const log: LogEntry[] = [];
  if (entity === 'customer') {
    await trx.insertInto('recycle_bin').values({ customer_id: id, deleted_by: actorId, deleted_at: now }).execute();
    for (const child of ['contact', 'opportunity', 'activity'] as const) {
      const table = ENTITY_TABLE[child] as 'contacts';
      const ids = await trx.selectFrom(table).select('id').where('customer_id', '=', id).where('deleted', '=', 0).execute();
      if (ids.length === 0) continue;
      for (let i = 0; i < ids.length; i += 500) {
        await trx.insertInto('recycle_bin_records')
          .values(ids.slice(i, i + 500).map((c) => ({ customer_id: id, entity: child, record_id: c.id })))
          .execute();
      }
      await trx.updateTable(table).set({ deleted: 1, updated_at: now, version: sql`version + 1` })
        .where('customer_id', '=', id).where('deleted', '=', 0).execute();
      for (const c of ids) {
        log.push({ at: now, entity: child, record_id: c.id, customer_id: id, op: 'delete', owner_before: owner, owner_after: null, actor_id: actorId });
      }
    }
  }
  await trx.updateTable(ENTITY_TABLE[entity] as 'customers')
    .set({ deleted: 1, updated_at: now, version: sql`version + 1` })
    .where('id', '=', id)
    .execute();
  log.push({ at: now, entity, record_id: id, customer_id: customerId, op: 'delete', owner_before: owner, owner_after: null, actor_id: actorId });
  await appendLog(trx, log);
}

/**
 * Brings a customer back from the recycle bin with the child records its delete took. Each is
 * logged as a create for its owner, so every device whose scope holds the owner (or a share of
 * the customer) receives it again at its next pull. Answers the owner, or not_found when the
 * customer is not in the recycle bin.
 */
export async function restoreCustomer(trx: Trx, input: { customerId: string; actorId: string | null; now: number }): Promise<{ ownerId: string }> {
  const { customerId, actorId, now } = input;
  const binned = await trx.selectFrom('recycle_bin').select('customer_id').where('customer_id', '=', customerId).executeTakeFirst();
  const customer = await getCustomerRow(trx, customerId);
  if (!binned || !customer || !customer.deleted) throw new RecordError('not_found', `customer ${customerId} is not in the recycle bin`);
  const owner = customer.owner_id;
  const children = await trx.selectFrom('recycle_bin_records').select(['entity', 'record_id']).where('customer_id', '=', customerId).execute();
  await trx.updateTable('customers').set({ deleted: 0, updated_at: now, version: sql`version + 1` }).where('id', '=', customerId).execute();
  const log: LogEntry[] = [
    { at: now, entity: 'customer', record_id: customerId, customer_id: customerId, op: 'create', owner_before: null, owner_after: owner, actor_id: actorId },
  ];
  for (const child of ['contact', 'opportunity', 'activity'] as const) {
    const ids = children.filter((c) => c.entity === child).map((c) => c.record_id);
    for (let i = 0; i < ids.length; i += 500) {
      await trx.updateTable(ENTITY_TABLE[child] as 'contacts').set({ deleted: 0, updated_at: now, version: sql`version + 1` })
        .where('id', 'in', ids.slice(i, i + 500)).where('customer_id', '=', customerId).execute();
    }
    for (const id of ids) {
      log.push({ at: now, entity: child, record_id: id, customer_id: customerId, op: 'create', owner_before: null, owner_after: owner, actor_id: actorId });
    }
  }
  await trx.deleteFrom('recycle_bin_records').where('customer_id', '=', customerId).execute();
  await trx.deleteFrom('recycle_bin').where('customer_id', '=', customerId).execute();
  await appendLog(trx, log);
  return { ownerId: owner };
}

/**
 * Erases a customer in the recycle bin for good: the customer, every child record (also those
 * deleted on their own before), its shares, the edits held for review about it and the results of
 * mutations that carried its values. The change log keeps only ids (no values), so a device that
 * has not pulled since the delete is still told to remove it.
 */
export async function purgeCustomer(trx: Trx, customerId: string): Promise<void> {
  await trx.deleteFrom('recycle_bin_records').where('customer_id', '=', customerId).execute();
  await trx.deleteFrom('recycle_bin').where('customer_id', '=', customerId).execute();
  for (const child of ['contact', 'opportunity', 'activity'] as const) {
    await trx.deleteFrom(ENTITY_TABLE[child] as 'contacts').where('customer_id', '=', customerId).execute();
  }
  await trx.deleteFrom('shares').where('customer_id', '=', customerId).execute();
  await trx.deleteFrom('held_mutations').where('customer_id', '=', customerId).execute();
  // A mutation's stored result carries the record as the server answered it (with values).
  await trx.deleteFrom('applied_mutations').where('result', 'like', `%${customerId}%`).execute();
  await trx.deleteFrom('customers').where('id', '=', customerId).where('deleted', '=', 1).execute();
}

/**
 * Moves a customer to a new owner. Its opportunities owned by the previous owner follow the
 * customer (the new owner now works them). The customer and every live child record are logged
 * as `reassign` with owner_before/owner_after so their bucket moves from o:<old> to o:<new>.
 */
export async function reassignCustomer(
  trx: Trx,
  input: { customerId: string; newOwnerId: string; actorId: string | null; now: number },
): Promise<{ ownerBefore: string }> {
  const { customerId, newOwnerId, actorId, now } = input;
  const customer = await liveCustomer(trx, customerId);
  const ownerBefore = customer.owner_id;
  await trx.updateTable('customers')
    .set({ owner_id: newOwnerId, updated_at: now, version: sql`version + 1` })
    .where('id', '=', customerId)
    .execute();
  await trx.updateTable('opportunities')
    .set({ owner_id: newOwnerId, updated_at: now, version: sql`version + 1` })
    .where('customer_id', '=', customerId).where('owner_id', '=', ownerBefore).where('deleted', '=', 0)
    .execute();
  const log: LogEntry[] = [
    { at: now, entity: 'customer', record_id: customerId, customer_id: customerId, op: 'reassign', owner_before: ownerBefore, owner_after: newOwnerId, actor_id: actorId },
  ];
  for (const child of ['contact', 'opportunity', 'activity'] as const) {
    const ids = await trx.selectFrom(ENTITY_TABLE[child] as 'contacts').select('id')
      .where('customer_id', '=', customerId).where('deleted', '=', 0).execute();
    for (const c of ids) {
      log.push({ at: now, entity: child, record_id: c.id, customer_id: customerId, op: 'reassign', owner_before: ownerBefore, owner_after: newOwnerId, actor_id: actorId });
    }
  }
  await appendLog(trx, log);
  return { ownerBefore };
}

/**
 * Logs a customer as updated without changing its fields: used when its sharing changes, so
 * devices that already hold it receive it again with its current bucket list and writability.
 */
async function touchCustomer(trx: Trx, customer: CustomersTable, actorId: string | null, now: number): Promise<void> {
  await trx.updateTable('customers').set({ updated_at: now, version: sql`version + 1` }).where('id', '=', customer.id).execute();
  await appendLog(trx, [
    { at: now, entity: 'customer', record_id: customer.id, customer_id: customer.id, op: 'update', owner_before: customer.owner_id, owner_after: customer.owner_id, actor_id: actorId },
  ]);
}

export async function createShare(
  trx: Trx,
  input: Omit<Share, 'revokedAt'> & { createdBy: string; now: number },
): Promise<Share> {
  const customer = await liveCustomer(trx, input.customerId);
  const row: SharesTable = {
    id: input.id, customer_id: input.customerId, grantee_type: input.granteeType, grantee_id: input.granteeId,
    access: input.access, expires_at: input.expiresAt, revoked_at: null, created_by: input.createdBy, created_at: input.now,
  };
  await trx.insertInto('shares').values(row).execute();
  await touchCustomer(trx, customer, input.createdBy, input.now);
  return shareFromRow(row);
}

export async function revokeShare(trx: Trx, input: { shareId: string; actorId: string | null; now: number }): Promise<Share> {
  const row = await trx.selectFrom('shares').selectAll().where('id', '=', input.shareId).executeTakeFirst();
  if (!row) throw new RecordError('not_found', `share ${input.shareId} not found`);
  if (row.revoked_at !== null) return shareFromRow(row);
  await trx.updateTable('shares').set({ revoked_at: input.now }).where('id', '=', input.shareId).execute();
  const customer = await getCustomerRow(trx, row.customer_id);
  if (customer && !customer.deleted) await touchCustomer(trx, customer, input.actorId, input.now);
  return shareFromRow({ ...row, revoked_at: input.now });
}
