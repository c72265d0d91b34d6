// The owner directory a pull page carries (see `directory` in the protocol): display names of the
// owners the user can see, so the client shows names instead of user ids. A name reaches the user
// only for someone whose records the user may see as theirs:
//   - every owner whose owner bucket `o:<id>` is in the user's set (on a full page), and
//   - the owner of a customer the page upserts (a customer shared with the user), and
//   - the owner of an upserted opportunity only when that owner also owns the opportunity's
//     customer: an opportunity credited to somebody else does not reveal that person's name.
// Only id and display name leave the server, and for an owner inside the owner buckets also the
// id of their org unit (never for the owner of a shared customer outside the user's scope).
//
// The org units (`units` of a full page, see `directoryUnits`): the units of the owners in the
// user's owner buckets and the ancestors of those units, so the client can group its scope by
// branch and team (the dashboard's team filter and a director's roll-up). Id, parent, name and
// kind only. Other users' units are not sent.

import type { Kysely } from 'kysely';
import type { PullResponse } from '../../shared/protocol/sync';
import type { Database } from '../db/schema';
import type { ScopeData } from '../org/permission-scope';

type Upsert = PullResponse['upserts'][number];

const IN_CHUNK = 900;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IN_CHUNK) out.push(items.slice(i, i + IN_CHUNK));
  return out;
}

function ownerOf(u: Upsert): string | undefined {
  const ownerId = (u.record as { ownerId?: unknown }).ownerId;
  return typeof ownerId === 'string' ? ownerId : undefined;
}

export async function ownerDirectory(
  db: Kysely<Database>,
  buckets: readonly string[],
  upserts: readonly Upsert[],
  full: boolean,
): Promise<NonNullable<PullResponse['directory']>> {
  const ownerBuckets = new Set(buckets.filter((b) => b.startsWith('o:')).map((b) => b.slice(2)));
  const ids = new Set(full ? ownerBuckets : []);
  const customerOwners = new Map<string, string>();
  for (const u of upserts) {
    const owner = ownerOf(u);
    if (u.entity === 'customer' && owner) customerOwners.set(String(u.record.id), owner);
  }
  // Opportunities whose owner is outside the owner buckets: named only when they own the customer.
  const oppCustomers = new Set<string>();
  for (const u of upserts) {
    const owner = ownerOf(u);
    if (u.entity === 'opportunity' && owner && !ownerBuckets.has(owner) && u.customerId && !customerOwners.has(u.customerId)) {
      oppCustomers.add(u.customerId);
    }
  }
  for (const group of chunks([...oppCustomers])) {
    const rows = await db.selectFrom('customers').select(['id', 'owner_id']).where('id', 'in', group).execute();
    for (const r of rows) customerOwners.set(r.id, r.owner_id);
  }
  for (const u of upserts) {
    const owner = ownerOf(u);
    if (!owner || ownerBuckets.has(owner)) continue;
    if (u.entity === 'customer') ids.add(owner);
    else if (u.entity === 'opportunity' && u.customerId && customerOwners.get(u.customerId) === owner) ids.add(owner);
  }
  const out: NonNullable<PullResponse['directory']> = [];
  for (const group of chunks([...ids].sort())) {
    const rows = await db.selectFrom('users').select(['id', 'display_name', 'unit_id']).where('id', 'in', group).orderBy('id').execute();
    for (const r of rows) out.push({ id: r.id, displayName: r.display_name, ...(ownerBuckets.has(r.id) ? { unitId: r.unit_id } : {}) });
  }
  return out;
}

/** The org units a full page carries: the units of the owners in the user's buckets, with their ancestors. */
export function directoryUnits(data: ScopeData, buckets: readonly string[]): NonNullable<PullResponse['units']> {
  const ids = new Set<string>();
  for (const b of buckets) {
    if (!b.startsWith('o:')) continue;
    const unitId = data.unitOfUser.get(b.slice(2));
    if (unitId) for (const id of data.tree.ancestors(unitId)) ids.add(id);
  }
  const out: NonNullable<PullResponse['units']> = [];
  for (const id of [...ids].sort()) {
    const unit = data.tree.units.get(id);
    if (unit) out.push({ id: unit.id, parentId: unit.parentId, name: unit.name, kind: unit.kind });
  }
  return out;
}
