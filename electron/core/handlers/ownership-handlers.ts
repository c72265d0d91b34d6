// Reassigning and deleting customers (docs/reassign-and-delete.md). Both are local edits through
// LocalEdits and the outbox, so they work offline and are re-authorized by the server at push: a
// reassignment is a customer (or a single opportunity) update of `ownerId`, a delete a customer delete. The recycle bin
// lives on the server: listing and restoring need the server (callServer); a restored customer
// comes back with the next pull, which a restore starts at once.

import { ownerBucket } from '../../../shared/permissions/engine';
import type { GrantClaims } from '../../../shared/protocol/grant';
import { AppError } from '../api-errors';
import type { AppController } from '../session/controller';
import { LocalEdits } from './local-edits';
import type { HandlerGroup } from './types';

type OwnershipMethod = 'reassignTargets' | 'reassignCustomer' | 'reassignOpportunity' | 'deleteCustomer' | 'listRecycleBin' | 'restoreCustomer';

/**
 * Someone is in the user's scope when their owner bucket is in the grant: the server computed
 * the grant's buckets with the same engine that re-checks the reassignment at push.
 */
function inScope(grant: GrantClaims, userId: string): boolean {
  return grant.buckets.includes(ownerBucket(userId));
}

export function ownershipHandlers(app: AppController): HandlerGroup<OwnershipMethod> {
  const edits = new LocalEdits(app);
  return {
    reassignTargets: async ({ id, entity = 'customer' }) => {
      const u = app.requireUnlocked();
      app.requireAction(u.grant, `${entity}.reassign`);
      const { base } = edits.editTarget(u, entity, id);
      const known = u.vault.directory();
      const ownerId = String(base.ownerId ?? '');
      return {
        owner: { id: ownerId, name: known.find((p) => p.id === ownerId)?.name ?? ownerId },
        people: known.filter((p) => p.id !== ownerId && inScope(u.grant, p.id)),
      };
    },

    reassignCustomer: async ({ id, ownerId }) => {
      const u = app.requireUnlocked();
      const { target, base } = edits.editTarget(u, 'customer', id);
      edits.check(u, 'customer.reassign', 'customer', target, {});
      if (!inScope(u.grant, ownerId)) throw new AppError('forbidden', 'the new owner is not in your team');
      if (ownerId !== base.ownerId) edits.recordUpdate(u, 'customer', id, base, { ownerId });
      return edits.detailOf(u, id);
    },

    // One deal only: the opportunity's owner field, an ordinary opportunity update (the server
    // re-checks opportunity.reassign on the deal as it is and as it would be).
    reassignOpportunity: async ({ id, ownerId }) => {
      const u = app.requireUnlocked();
      const { target, base } = edits.editTarget(u, 'opportunity', id);
      edits.check(u, 'opportunity.reassign', 'opportunity', target, {});
      if (!inScope(u.grant, ownerId)) throw new AppError('forbidden', 'the new owner is not in your team');
      if (ownerId !== base.ownerId) edits.recordUpdate(u, 'opportunity', id, base, { ownerId });
      return edits.detailOf(u, target.customerId);
    },

    deleteCustomer: async ({ id }) => {
      const u = app.requireUnlocked();
      const { target, base } = edits.editTarget(u, 'customer', id);
      edits.check(u, 'customer.delete', 'customer', target, {});
      edits.record(u, {
        entity: 'customer', op: 'delete', recordId: id,
        baseVersion: typeof base.version === 'number' ? base.version : null, fields: {}, baseValues: {},
      });
      return { ok: true as const };
    },

    listRecycleBin: async () => {
      const u = app.requireUnlocked();
      app.requireAction(u.grant, 'customer.delete');
      return app.callServer((c) => c.call('listRecycleBin'));
    },

    restoreCustomer: async ({ id }) => {
      const u = app.requireUnlocked();
      app.requireAction(u.grant, 'customer.delete');
      await app.callServer((c) => c.call('restoreCustomer', undefined, { params: { id } }));
      void app.runSync().catch(() => undefined);
      return { ok: true as const };
    },
  };
}
