// The recycle bin (docs/reassign-and-delete.md). A customer deleted through a pushed mutation
// (customer.delete, re-checked by ../sync/push.ts) is soft-deleted with the child records it takes
// and leaves every vault at the next pull; it stays restorable for RECYCLE_BIN_DAYS:
//   - listed to whoever holds customer.delete over it (the engine, on the customer as it is),
//   - restored by the same people, online only (this route): back in every vault in scope at the
//     next pull,
//   - purged for good after the period: by a job at start and periodically, and before every
//     read of the bin, so an expired customer is never listed or restored.
// Delete, restore and purge are audited (customer.delete by the push; customer.restore and
// customer.purge here).

import type { FastifyInstance } from 'fastify';
import { authorize, readableFields } from '../../shared/permissions/engine';
import { RECYCLE_BIN_MS, type RecycleBinItem } from '../../shared/protocol/recycle-bin';
import type { Principal, ServerContext } from '../context';
import { DomainError } from '../domain-error';
import { route } from '../http/route';
import { loadScopeData, recordScopeOf, sharesOf, type ScopeData } from '../org/permission-scope';
import { RecordError, inRecordTransaction, purgeCustomer, restoreCustomer } from '../records/repository';

/** Erases every customer deleted more than RECYCLE_BIN_MS ago; answers how many. */
export async function purgeExpired(ctx: ServerContext): Promise<number> {
  const now = ctx.now();
  const expired = await ctx.db.selectFrom('recycle_bin').select(['customer_id', 'deleted_at'])
    .where('deleted_at', '<=', now - RECYCLE_BIN_MS).orderBy('deleted_at').execute();
  for (const row of expired) {
    await inRecordTransaction(ctx, (trx) => purgeCustomer(trx, row.customer_id));
    await ctx.audit.append({
      actorId: null, deviceId: null, action: 'customer.purge', target: `customer:${row.customer_id}`,
      outcome: 'ok', details: { deletedAt: Number(row.deleted_at) },
    });
  }
  return expired.length;
}

/** Runs purgeExpired now and every `intervalMs` (each server process; the work is idempotent). */
export function startRecycleBinPurge(ctx: ServerContext, intervalMs: number, log: (err: unknown) => void): { stop(): Promise<void> } {
  let current: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (current || stopped) return;
    current = purgeExpired(ctx).then(() => undefined, log).finally(() => {
      current = null;
    });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref?.();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}

interface BinRow {
  customer_id: string;
  deleted_by: string | null;
  deleted_at: number;
  owner_id: string;
  name: string;
}

function mayDelete(principal: Principal, data: ScopeData, row: Pick<BinRow, 'customer_id' | 'owner_id'>, now: number): boolean {
  return authorize(principal.subject, 'customer.delete', data.tree, {
    record: recordScopeOf(data, row.customer_id, row.owner_id), shares: sharesOf(data, row.customer_id), now,
  }).allowed;
}

async function binRows(ctx: ServerContext, customerId?: string): Promise<BinRow[]> {
  let q = ctx.db.selectFrom('recycle_bin as b').innerJoin('customers as c', 'c.id', 'b.customer_id')
    .select(['b.customer_id', 'b.deleted_by', 'b.deleted_at', 'c.owner_id', 'c.name'])
    .where('c.deleted', '=', 1);
  if (customerId !== undefined) q = q.where('b.customer_id', '=', customerId);
  return q.orderBy('b.deleted_at', 'desc').orderBy('b.customer_id').execute();
}

export function registerRecycleBinRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, 'listRecycleBin', async ({ principal }) => {
    await purgeExpired(ctx);
    const now = ctx.now();
    const data = await loadScopeData(ctx.db);
    const rows = (await binRows(ctx)).filter((row) => mayDelete(principal, data, row, now));
    const nameReadable = readableFields('customer', principal.role.readClearance, data.classification).includes('name');
    const people = new Set(rows.flatMap((r) => (r.deleted_by ? [r.owner_id, r.deleted_by] : [r.owner_id])));
    const names = new Map<string, string>();
    if (people.size > 0) {
      const users = await ctx.db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [...people]).execute();
      for (const u of users) names.set(u.id, u.display_name);
    }
    const items: RecycleBinItem[] = rows.map((row) => ({
      customerId: row.customer_id,
      name: nameReadable ? row.name : null,
      ownerId: row.owner_id,
      ownerName: names.get(row.owner_id) ?? row.owner_id,
      deletedBy: row.deleted_by,
      deletedByName: row.deleted_by ? names.get(row.deleted_by) ?? row.deleted_by : null,
      deletedAt: Number(row.deleted_at),
      purgeAt: Number(row.deleted_at) + RECYCLE_BIN_MS,
    }));
    return { items, serverTime: now };
  });

  route(app, ctx, 'restoreCustomer', async ({ params, principal }) => {
    await purgeExpired(ctx);
    const now = ctx.now();
    const data = await loadScopeData(ctx.db);
    const [row] = await binRows(ctx, params.id as string);
    // Not in the bin, purged, or not the caller's to restore: one answer (no existence oracle).
    const refused = !row || !mayDelete(principal, data, row, now);
    if (refused) {
      await ctx.audit.append({
        actorId: principal.user.id, deviceId: principal.device.id, action: 'customer.restore', target: `customer:${params.id as string}`,
        outcome: 'denied', details: { reason: row ? 'forbidden' : 'not_in_recycle_bin' },
      });
      throw new DomainError('not_found', 'no such customer in your recycle bin');
    }
    try {
      await inRecordTransaction(ctx, (trx) => restoreCustomer(trx, { customerId: row.customer_id, actorId: principal.user.id, now }));
    } catch (err) {
      if (err instanceof RecordError && err.code === 'not_found') throw new DomainError('not_found', 'no such customer in your recycle bin');
      throw err;
    }
    await ctx.events.publishDataChanged([row.owner_id]);
    await ctx.audit.append({
      actorId: principal.user.id, deviceId: principal.device.id, action: 'customer.restore', target: `customer:${row.customer_id}`,
      outcome: 'ok', details: { ownerId: row.owner_id, deletedAt: Number(row.deleted_at) },
    });
    return { ok: true as const };
  });
}
