// Removals for a role that lost an entity's read action. The user's buckets may not change at all
// (same owner, same shares), yet every record of that entity the device holds must go: the pull
// that moves the device to its new state lists each of them as a removal ('scope_changed'), the
// same way a scope shrink removes what left it. The records are found from the buckets the device
// keeps (dropped buckets are removed whole by the client).

import type { Kysely } from 'kysely';
import { ENTITY_TYPES, type EntityType } from '../../shared/domain/model';
import type { Role } from '../../shared/domain/model';
import type { PullResponse } from '../../shared/protocol/sync';
import type { Database } from '../db/schema';
import { ENTITY_TABLE } from '../records/rows';
import type { ScopeData } from '../org/permission-scope';

type Removal = PullResponse['removals'][number];

const IN_CHUNK = 900;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IN_CHUNK) out.push(items.slice(i, i + IN_CHUNK));
  return out;
}

/** The entity types a role may read (in ENTITY_TYPES order). */
export function readableEntities(role: Pick<Role, 'actions'>): EntityType[] {
  return ENTITY_TYPES.filter((e) => role.actions.includes(`${e}.read`));
}

/** Every live record of `entities` under `buckets`, as removals. */
export async function entityRemovals(
  db: Kysely<Database>,
  data: ScopeData,
  buckets: readonly string[],
  entities: readonly EntityType[],
): Promise<Removal[]> {
  const owners: string[] = [];
  const customers = new Set<string>();
  for (const b of buckets) {
    if (b.startsWith('o:')) owners.push(b.slice(2));
    else if (b.startsWith('s:')) {
      const share = data.sharesById.get(b.slice(2));
      if (share) customers.add(share.customerId);
    }
  }
  const removals: Removal[] = [];
  const seen = new Set<string>();
  const add = (entity: EntityType, id: string) => {
    const key = `${entity}:${id}`;
    if (seen.has(key)) return;
    seen.add(key);
    removals.push({ entity, id, reason: 'scope_changed' });
  };
  for (const entity of entities) {
    if (entity === 'customer') {
      for (const group of chunks(owners)) {
        const rows = await db.selectFrom('customers').select('id').where('owner_id', 'in', group).where('deleted', '=', 0).execute();
        for (const r of rows) add(entity, r.id);
      }
      for (const id of customers) add(entity, id);
      continue;
    }
    const table = ENTITY_TABLE[entity] as 'contacts';
    for (const group of chunks(owners)) {
      const rows = await db.selectFrom(`${table} as r` as 'contacts as r')
        .innerJoin('customers as cu', 'cu.id', 'r.customer_id')
        .select('r.id').where('cu.owner_id', 'in', group).where('r.deleted', '=', 0)
        .execute();
      for (const r of rows) add(entity, r.id);
    }
    for (const group of chunks([...customers])) {
      const rows = await db.selectFrom(table).select('id').where('customer_id', 'in', group).where('deleted', '=', 0).execute();
      for (const r of rows) add(entity, r.id);
    }
  }
  return removals;
}
