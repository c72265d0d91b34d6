// Who holds a customer: shares (a customer lent to another user or unit, read or read-write,
// optionally until a date) and owner reassignment. Both change bucket membership, so both run
// through withRescope (users whose scope changed are told to pull) and publish data-changed.
// A share by a user administrator (whose scope covers no customer) waits for a second
// administrator's approval (../admin/approvals.ts).
// Every decision goes through the permission engine; every record change through server/records.

import type { FastifyInstance } from 'fastify';
import { authorize } from '../../shared/permissions/engine';
import { screenChange } from '../admin/approvals';
import { applyShare } from '../admin/changes';
import { withRescope } from '../admin/rescope';
import type { ServerContext } from '../context';
import { shareToView } from '../db/mappers';
import { DomainError } from '../domain-error';
import { route } from '../http/route';
import { loadScopeData, recordScopeOf, sharesOf } from '../org/permission-scope';
import { mayReassignCustomer } from './reassign';
import { RecordError, getCustomerRow, inRecordTransaction, reassignCustomer, revokeShare } from '../records/repository';

function notFound(what: string): DomainError {
  return new DomainError('not_found', `${what} not found`);
}

export function registerOwnershipRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, 'createShare', async ({ body, principal, reply }) => {
    const now = ctx.now();
    const data = await loadScopeData(ctx.db);
    const customer = await getCustomerRow(ctx.db, body.customerId);
    if (!customer || customer.deleted) throw notFound('customer');
    const change = { kind: 'share.create' as const, share: body };
    const actor = { userId: principal.user.id, deviceId: principal.device.id };
    // Whoever may reassign the customer covers it with their own scope: their share applies at
    // once. A user administrator's scope covers no customer, so their share waits for a second
    // administrator (separation of duties).
    const target = { record: recordScopeOf(data, customer.id, customer.owner_id), shares: sharesOf(data, customer.id), now };
    if (authorize(principal.subject, 'customer.reassign', data.tree, target).allowed) {
      return { share: await applyShare(ctx, change, actor) };
    }
    if (!authorize(principal.subject, 'admin.users', data.tree).allowed) throw new DomainError('forbidden', 'you may not share this customer');
    const pending = await screenChange(ctx, principal, change);
    if (!pending) throw new DomainError('forbidden', 'you may not share this customer');
    reply.code(202);
    return { pendingApproval: pending };
  });

  route(app, ctx, 'revokeShare', async ({ params, principal }) => {
    const now = ctx.now();
    const row = await ctx.db.selectFrom('shares').selectAll().where('id', '=', params.id as string).executeTakeFirst();
    if (!row) throw notFound('share');
    const data = await loadScopeData(ctx.db);
    const customer = await getCustomerRow(ctx.db, row.customer_id);
    const target = customer
      ? { record: recordScopeOf(data, customer.id, customer.owner_id), shares: sharesOf(data, customer.id), now }
      : undefined;
    const mayRevoke = row.created_by === principal.user.id
      || (target !== undefined && authorize(principal.subject, 'customer.reassign', data.tree, target).allowed)
      || authorize(principal.subject, 'admin.users', data.tree).allowed;
    if (!mayRevoke) throw new DomainError('forbidden', 'you may not revoke this share');
    const { result: share } = await withRescope(ctx, () =>
      inRecordTransaction(ctx, (trx) => revokeShare(trx, { shareId: row.id, actorId: principal.user.id, now })),
    );
    if (customer) await ctx.events.publishDataChanged([customer.owner_id]);
    await ctx.audit.append({
      actorId: principal.user.id, deviceId: principal.device.id, action: 'share.revoke', target: `share:${share.id}`,
      outcome: 'ok', details: { customerId: share.customerId },
    });
    return { share: shareToView(share) };
  });

  route(app, ctx, 'reassignCustomer', async ({ params, body, principal }) => {
    const now = ctx.now();
    const data = await loadScopeData(ctx.db);
    const customer = await getCustomerRow(ctx.db, params.id as string);
    if (!customer || customer.deleted) throw notFound('customer');
    // Allowed on the customer as it is, AND on the customer as it would be: a manager reassigns
    // inside the team, never out of their own scope (reassign.ts, shared with the push).
    const verdict = await mayReassignCustomer(ctx.db, principal.subject, data, customer, body.ownerId, now);
    if (!verdict.allowed && verdict.reason === 'unknown_owner') throw notFound('new owner (active user)');
    if (!verdict.allowed) {
      await ctx.audit.append({
        actorId: principal.user.id, deviceId: principal.device.id, action: 'customer.reassign', target: `customer:${customer.id}`,
        outcome: 'denied', details: { reason: verdict.reason },
      });
      throw new DomainError('forbidden', `you may not reassign this customer to that owner (${verdict.reason})`);
    }
    const newOwner = { id: body.ownerId };
    if (newOwner.id !== customer.owner_id) {
      try {
        await inRecordTransaction(ctx, (trx) => reassignCustomer(trx, { customerId: customer.id, newOwnerId: newOwner.id, actorId: principal.user.id, now }));
      } catch (err) {
        if (err instanceof RecordError && err.code === 'not_found') throw notFound('customer');
        throw err;
      }
      await ctx.events.publishDataChanged([customer.owner_id, newOwner.id]);
    }
    await ctx.audit.append({
      actorId: principal.user.id, deviceId: principal.device.id, action: 'customer.reassign', target: `customer:${customer.id}`,
      outcome: 'ok', details: { from: customer.owner_id, to: newOwner.id },
    });
    return { ok: true as const };
  });
}
