// Per-record access for the UI: which fields of a stored customer the user may read and write,
// and whether they may edit it or log an activity. Decided here, next to the local
// authorization it uses (local-authz.ts), from the grant and the server's write verdict the vault
// stored with the record — the vault itself makes no access decisions.

import type { CustomerDetail, FieldAccess } from '../../shared/api/desktop-api';
import type { EntityType } from '../../shared/domain/model';
import { readableFields, writableFields } from '../../shared/permissions/engine';
import type { GrantClaims } from '../../shared/protocol/grant';
import type { StoredCustomer } from './contracts';
import { authorizeLocalEdit, type EditTarget } from './local-authz';

/** The edit target for a stored customer (or a child of it): its id and the server's verdict. */
export function editTargetOf(customerId: string, stored: Pick<StoredCustomer, 'writable'>): EditTarget & { kind: 'existing' } {
  return { kind: 'existing', customerId, writable: stored.writable };
}

/** A stored customer as the detail view shows it, with what this user may do with it. */
export function customerDetail(grant: GrantClaims, stored: StoredCustomer): CustomerDetail {
  const target = editTargetOf(stored.customer.id, stored);
  const may = (entity: EntityType, verb: 'update' | 'create') => authorizeLocalEdit(grant, `${entity}.${verb}`, entity, target, []).allowed;
  const accessFor = (entity: EntityType): FieldAccess => ({
    readable: readableFields(entity, grant.readClearance, grant.classification),
    writable: may(entity, 'update') ? writableFields(entity, grant.writeClearance, grant.classification, grant.readClearance) : [],
  });
  return {
    customer: stored.customer,
    contacts: stored.contacts,
    opportunities: stored.opportunities,
    activities: stored.activities,
    counts: stored.counts,
    next: stored.next,
    access: { customer: accessFor('customer'), contact: accessFor('contact'), opportunity: accessFor('opportunity'), activity: accessFor('activity') },
    canEdit: may('customer', 'update'),
    canLogActivity: may('activity', 'create'),
    pending: stored.pending,
  };
}
