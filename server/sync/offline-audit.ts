// Offline audit uploads: what a device recorded while offline (views, searches, exports), checked
// before it enters the audit trail. The device says when and what; the server knows when the
// device could have been offline and what it was sent, so an entry that does not fit is kept but
// FLAGGED (details.flagged, details.flags) instead of being trusted as sent:
//   time    – after the device's enrollment and not before the newest entry it uploaded earlier
//             (the vault queue uploads in the order it was written, in batches), and not in the
//             future; a device clock may be off by a small skew either way. A flagged
//             time is not used as the entry's time: the trail keeps the upload time and the
//             claimed time in details.claimedAt.
//   target  – a record the server knows, whose customer was in a bucket the device was served
//             (its committed or pending sync state), under an owner it has had or a share it has
//             had; an entity the role could not read is flagged too.
//   counts  – bounded by the schema; a view names one record.
// Search text never reaches the trail: the schema reduces it to its length and kind.

import type { EntityType } from '../../shared/domain/model';
import { SIGNATURE_MAX_SKEW_MS } from '../../shared/protocol/common';
import type { OfflineAuditEntry } from '../../shared/protocol/sync';
import type { Principal, ServerContext } from '../context';
import { ENTITY_TABLE } from '../records/rows';
import { committedStateOf, entitiesOf, loadPendingState } from './state';

const OFFLINE_ACTIONS = { view: 'offline.view', search: 'offline.search', export: 'offline.export' } as const;

/** How far a device clock may be off from the server's (the same allowance as signed requests). */
export const OFFLINE_AUDIT_SKEW_MS = SIGNATURE_MAX_SKEW_MS;

export type OfflineAuditFlag =
  | 'time_before_window'
  | 'time_in_future'
  | 'target_unknown'
  | 'target_not_served'
  | 'entity_not_readable'
  | 'view_count';

interface TargetInfo {
  /** buckets the record's customer has been in: its owners (now and in the change log) and its shares */
  buckets: Set<string>;
}

async function targetsOf(ctx: ServerContext, entries: readonly OfflineAuditEntry[]): Promise<Map<string, TargetInfo>> {
  const idsByEntity = new Map<EntityType, Set<string>>();
  for (const e of entries) {
    if (!e.entity || !e.recordId) continue;
    const set = idsByEntity.get(e.entity) ?? new Set<string>();
    set.add(e.recordId);
    idsByEntity.set(e.entity, set);
  }
  const customerOf = new Map<string, string>(); // `${entity}:${id}` -> customer id
  for (const [entity, ids] of idsByEntity) {
    const list = [...ids];
    if (entity === 'customer') {
      const rows = await ctx.db.selectFrom('customers').select('id').where('id', 'in', list).execute();
      for (const r of rows) customerOf.set(`customer:${r.id}`, r.id);
    } else {
      const rows = await ctx.db.selectFrom(ENTITY_TABLE[entity] as 'contacts').select(['id', 'customer_id']).where('id', 'in', list).execute();
      for (const r of rows) customerOf.set(`${entity}:${r.id}`, r.customer_id);
    }
  }
  const customers = [...new Set(customerOf.values())];
  const bucketsOfCustomer = new Map<string, Set<string>>(customers.map((c) => [c, new Set<string>()]));
  if (customers.length > 0) {
    const owners = await ctx.db.selectFrom('customers').select(['id', 'owner_id']).where('id', 'in', customers).execute();
    for (const r of owners) bucketsOfCustomer.get(r.id)?.add(`o:${r.owner_id}`);
    const history = await ctx.db.selectFrom('change_log').select(['customer_id', 'owner_before', 'owner_after'])
      .where('customer_id', 'in', customers).where('entity', '=', 'customer').execute();
    for (const h of history) {
      const set = bucketsOfCustomer.get(h.customer_id);
      if (h.owner_before) set?.add(`o:${h.owner_before}`);
      if (h.owner_after) set?.add(`o:${h.owner_after}`);
    }
    const shares = await ctx.db.selectFrom('shares').select(['id', 'customer_id']).where('customer_id', 'in', customers).execute();
    for (const s of shares) bucketsOfCustomer.get(s.customer_id)?.add(`s:${s.id}`);
  }
  const out = new Map<string, TargetInfo>();
  for (const [key, customerId] of customerOf) out.set(key, { buckets: bucketsOfCustomer.get(customerId) ?? new Set() });
  return out;
}

/** Checks and appends one upload. Returns how many entries were flagged. */
export async function acceptOfflineAudit(ctx: ServerContext, principal: Principal, entries: readonly OfflineAuditEntry[]): Promise<number> {
  const receivedAt = ctx.now();
  const { device } = principal;
  const windowStart = Math.max(device.enrolled_at, device.audit_latest_at ?? 0) - OFFLINE_AUDIT_SKEW_MS;
  let latest = device.audit_latest_at ?? 0;
  const windowEnd = receivedAt + OFFLINE_AUDIT_SKEW_MS;
  const committed = committedStateOf(device);
  const pending = await loadPendingState(ctx.db, device.id);
  const served = new Set([...committed.buckets, ...(pending?.buckets ?? [])]);
  const servedEntities = new Set([...entitiesOf(committed), ...(pending ? entitiesOf(pending) : [])]);
  const targets = await targetsOf(ctx, entries);

  let flaggedCount = 0;
  for (const entry of entries) {
    const flags: OfflineAuditFlag[] = [];
    if (entry.at < windowStart) flags.push('time_before_window');
    else if (entry.at > windowEnd) flags.push('time_in_future');
    if (entry.entity && !servedEntities.has(entry.entity)) flags.push('entity_not_readable');
    if (entry.recordId) {
      const target = entry.entity ? targets.get(`${entry.entity}:${entry.recordId}`) : undefined;
      if (!target) flags.push('target_unknown');
      else if (![...target.buckets].some((b) => served.has(b))) flags.push('target_not_served');
    }
    if (entry.action === 'view' && entry.count !== undefined && entry.count > 1) flags.push('view_count');
    const timeFlagged = flags.includes('time_before_window') || flags.includes('time_in_future');
    if (flags.length > 0) flaggedCount += 1;
    if (!timeFlagged) latest = Math.max(latest, Math.min(entry.at, receivedAt));
    await ctx.audit.append({
      actorId: principal.user.id,
      deviceId: device.id,
      action: OFFLINE_ACTIONS[entry.action],
      target: entry.entity && entry.recordId ? `${entry.entity}:${entry.recordId}` : (entry.entity ?? null),
      outcome: 'ok',
      at: timeFlagged ? receivedAt : entry.at,
      details: {
        offlineId: entry.id,
        receivedAt,
        ...(entry.search ? { search: { length: entry.search.length, kind: entry.search.kind } } : {}),
        ...(entry.count !== undefined ? { count: entry.count } : {}),
        ...(flags.length > 0 ? { flagged: true, flags, ...(timeFlagged ? { claimedAt: entry.at } : {}) } : {}),
      },
    });
  }
  if (latest !== (device.audit_latest_at ?? 0)) {
    await ctx.db.updateTable('devices').set({ audit_latest_at: latest }).where('id', '=', device.id).execute();
  }
  return flaggedCount;
}
