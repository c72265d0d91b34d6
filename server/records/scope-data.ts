// Everything the permission engine needs to decide about records, loaded in one go: the org
// tree, every user's unit (to find owners inside a scope), all shares, and the field
// classification. The loaders themselves are server/org/load.ts; this bundles and indexes them
// for pull, push, the share/reassign routes and the event hub's interest lookups.

import type { Kysely } from 'kysely';
import type { FieldClassification, Share, User } from '../../shared/domain/model';
import { isShareActive, type OrgTree, type RecordScope } from '../../shared/permissions/engine';
import type { Database } from '../db/schema';
import { rowToShare } from '../db/mappers';
import { loadClassification, loadOrgTree, loadUserUnits } from '../org/load';

export interface ScopeData {
  tree: OrgTree;
  users: Pick<User, 'id' | 'unitId'>[];
  unitOfUser: ReadonlyMap<string, string>;
  /** Every share, revoked and expired ones included (a device may still hold their bucket). */
  shares: Share[];
  sharesByCustomer: ReadonlyMap<string, Share[]>;
  sharesById: ReadonlyMap<string, Share>;
  classification: FieldClassification;
}

export async function loadScopeData(db: Kysely<Database>): Promise<ScopeData> {
  const [tree, users, shareRows, classification] = await Promise.all([
    loadOrgTree(db),
    loadUserUnits(db),
    db.selectFrom('shares').selectAll().execute(),
    loadClassification(db),
  ]);
  const shares = shareRows.map(rowToShare);
  const sharesByCustomer = new Map<string, Share[]>();
  for (const share of shares) {
    const list = sharesByCustomer.get(share.customerId);
    if (list) list.push(share);
    else sharesByCustomer.set(share.customerId, [share]);
  }
  return {
    tree,
    users,
    unitOfUser: new Map(users.map((u) => [u.id, u.unitId])),
    shares,
    sharesByCustomer,
    sharesById: new Map(shares.map((s) => [s.id, s])),
    classification,
  };
}

/** The engine's view of a customer (child records use their customer's). */
export function recordScopeOf(data: ScopeData, customerId: string, ownerId: string): RecordScope {
  // An owner missing from the users table has no unit: '' matches no scope unit.
  return { customerId, ownerId, ownerUnitId: data.unitOfUser.get(ownerId) ?? '' };
}

export function sharesOf(data: ScopeData, customerId: string): Share[] {
  return data.sharesByCustomer.get(customerId) ?? [];
}

/** Shares of a customer still in force at `now` (the input recordBuckets expects). */
export function activeSharesOf(data: ScopeData, customerId: string, now: number): Share[] {
  return sharesOf(data, customerId).filter((s) => isShareActive(s, now));
}
