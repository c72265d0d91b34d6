// Who may move a customer to another owner: the one rule behind the reassign route and a
// reassignment pushed from a device's outbox (a customer update of `ownerId`). The actor must hold
// `customer.reassign` on the customer as it is AND as it would be, so a manager reassigns inside
// the team and never out of their own scope; the new owner must be an active user.

import type { Kysely } from 'kysely';
import { authorize, type Decision, type Subject } from '../../shared/permissions/engine';
import type { Database } from '../db/schema';
import { recordScopeOf, sharesOf, type ScopeData } from '../org/permission-scope';
import type { Trx } from '../records/repository';

/**
 * Refused: `owner` when the new owner is no active user or outside the actor's scope (reason
 * 'unknown_owner' or the engine's), `customer` when the actor may not reassign this customer.
 */
export type ReassignVerdict = { allowed: true } | { allowed: false; refused: 'owner' | 'customer'; reason: string };

export async function mayReassignCustomer(
  db: Kysely<Database> | Trx,
  subject: Subject,
  data: ScopeData,
  customer: { id: string; owner_id: string },
  newOwnerId: string,
  now: number,
): Promise<ReassignVerdict> {
  const owner = await db.selectFrom('users').select(['id', 'status']).where('id', '=', newOwnerId).executeTakeFirst();
  if (!owner || owner.status !== 'active') return { allowed: false, refused: 'owner', reason: 'unknown_owner' };
  const from: Decision = authorize(subject, 'customer.reassign', data.tree, {
    record: recordScopeOf(data, customer.id, customer.owner_id), shares: sharesOf(data, customer.id), now,
  });
  if (!from.allowed) return { allowed: false, refused: 'customer', reason: from.reason ?? 'forbidden' };
  const to: Decision = authorize(subject, 'customer.reassign', data.tree, { record: recordScopeOf(data, customer.id, newOwnerId), shares: [], now });
  if (!to.allowed) return { allowed: false, refused: 'owner', reason: to.reason ?? 'forbidden' };
  return { allowed: true };
}
