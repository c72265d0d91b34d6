// The lost-device exposure report: what a device's vault held, read from the exposure ledger
// (ledger.ts) and the pages sent to it but not yet acknowledged — never re-derived from today's
// permissions, so a scope change after the device went offline does not change the answer.
// Field levels are those of the classification the device was last served under.
// What IT sees (docs/exposure-report.md): record ids, customer names, field NAMES by level,
// device facts; never a field's value.

import type { Kysely } from 'kysely';
import { ENTITY_TYPES, FIELD_LEVELS, STRUCTURAL_FIELDS, type EntityType, type FieldClassification, type FieldLevel } from '../../shared/domain/model';
import type { ExposureLevel, ExposureReport, HoldingStatus } from '../../shared/protocol/exposure';
import type { ServerContext } from '../context';
import type { Database } from '../db/schema';
import { deviceLifecycle } from '../devices/lifecycle';
import { validWipeConfirmation } from '../devices/revocation';
import { DomainError } from '../domain-error';
import { loadClassification } from '../org/load';

type RecordItem = ExposureReport['contacts'][number];

const LIST_OF: Record<Exclude<EntityType, 'customer'>, 'contacts' | 'opportunities' | 'activities'> = {
  contact: 'contacts',
  opportunity: 'opportunities',
  activity: 'activities',
};

const ID_CHUNK = 900;

/** Where the app keeps the vault key on this platform (electron/core/keychain: keytar, OS keychain only). */
export function keyStorageOf(platform: string): ExposureReport['device']['keyStorage'] {
  if (platform === 'darwin') return 'macos_keychain';
  if (platform === 'win32') return 'windows_credential_manager';
  if (platform === 'linux' || platform.endsWith('bsd')) return 'secret_service';
  return 'unknown';
}

function levelOf(entity: EntityType, field: string, classification: FieldClassification): ExposureLevel {
  if (STRUCTURAL_FIELDS[entity].includes(field)) return 'structural';
  return classification[entity]?.[field] ?? 'confidential'; // unclassified counts as confidential (fail closed)
}

function parseClassification(text: string | null): FieldClassification | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as FieldClassification;
  } catch {
    return null;
  }
}

async function customerNames(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const rows = await db.selectFrom('customers').select(['id', 'name']).where('id', 'in', ids.slice(i, i + ID_CHUNK)).execute();
    for (const r of rows) names.set(r.id, r.name);
  }
  return names;
}

interface PendingBody {
  u: [EntityType, string, string, string, string | null][];
}

export async function exposureReport(ctx: ServerContext, deviceId: string): Promise<ExposureReport> {
  const now = ctx.now();
  const device = await ctx.db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
  if (!device) throw new DomainError('not_found', 'no such device');
  const user = await ctx.db.selectFrom('users').select(['id', 'username', 'display_name']).where('id', '=', device.user_id).executeTakeFirst();
  const classification = parseClassification(device.synced_classification) ?? (await loadClassification(ctx.db));

  const held = await ctx.db.selectFrom('exposure_ledger').select(['entity', 'record_id', 'customer_id', 'field_set'])
    .where('device_id', '=', deviceId).orderBy('entity').orderBy('customer_id').orderBy('record_id').execute();
  const tracked = await ctx.db.selectFrom('exposure_devices').selectAll().where('device_id', '=', deviceId).executeTakeFirst();
  const pages = await ctx.db.selectFrom('exposure_pages').select(['body']).where('device_id', '=', deviceId).orderBy('n').execute();

  const items = new Map<string, { entity: EntityType; item: RecordItem }>();
  for (const r of held) {
    items.set(`${r.entity}:${r.record_id}`, { entity: r.entity, item: { id: r.record_id, customerId: r.customer_id, status: 'held', fieldSet: r.field_set } });
  }
  // Sent but not acknowledged: possibly on the device. A held record sent again keeps 'held' but
  // may hold the newer page's fields too; the report lists both field sets' names.
  const extraSets = new Map<string, Set<string>>(); // record key -> field sets possibly held besides its own
  for (const page of pages) {
    const body = JSON.parse(page.body) as PendingBody;
    for (const [entity, id, customerId, set] of body.u) {
      const key = `${entity}:${id}`;
      const existing = items.get(key);
      if (!existing) items.set(key, { entity, item: { id, customerId, status: 'possibly_held', fieldSet: set } });
      else if (existing.item.fieldSet !== set) {
        const extra = extraSets.get(key) ?? new Set<string>();
        extra.add(set);
        extraSets.set(key, extra);
      }
    }
  }

  const setIds = new Set<string>();
  for (const { item } of items.values()) setIds.add(item.fieldSet);
  for (const extra of extraSets.values()) for (const s of extra) setIds.add(s);
  const fieldSets: ExposureReport['fieldSets'] = {};
  const ids = [...setIds];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const rows = await ctx.db.selectFrom('exposure_field_sets').selectAll().where('id', 'in', ids.slice(i, i + ID_CHUNK)).execute();
    for (const r of rows) {
      const names = r.fields === '' ? [] : r.fields.split(',');
      fieldSets[r.id] = { entity: r.entity, fields: names.map((name) => ({ name, level: levelOf(r.entity, name, classification) })) };
    }
  }

  // Field names per entity: 'held' when a held record holds it, else 'possibly_held'.
  const fieldStatus = new Map<string, { entity: EntityType; name: string; level: ExposureLevel; status: HoldingStatus }>();
  const noteFields = (setId: string, status: HoldingStatus) => {
    const set = fieldSets[setId];
    if (!set) return;
    for (const f of set.fields) {
      const key = `${set.entity}:${f.name}`;
      const known = fieldStatus.get(key);
      if (!known || (known.status === 'possibly_held' && status === 'held')) fieldStatus.set(key, { entity: set.entity, name: f.name, level: f.level, status });
    }
  };
  const usedSets = new Map<string, HoldingStatus>();
  for (const { item } of items.values()) if (usedSets.get(item.fieldSet) !== 'held') usedSets.set(item.fieldSet, item.status);
  for (const [setId, status] of usedSets) noteFields(setId, status);
  for (const extra of extraSets.values()) for (const s of extra) noteFields(s, 'possibly_held');
  const levelRank = (l: ExposureLevel) => (l === 'structural' ? -1 : FIELD_LEVELS.indexOf(l as FieldLevel));
  const fields = [...fieldStatus.values()].sort((a, b) =>
    ENTITY_TYPES.indexOf(a.entity) - ENTITY_TYPES.indexOf(b.entity) || levelRank(b.level) - levelRank(a.level) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const report: ExposureReport = {
    generatedAt: now,
    device: {
      id: device.id,
      name: device.name,
      hostName: device.host_name,
      osVersion: device.os_version,
      platform: device.platform,
      appVersion: device.app_version,
      enrolledAt: device.enrolled_at,
      lastCheckInAt: device.last_check_in_at,
      lastIp: device.last_ip,
      status: device.status,
      lifecycle: deviceLifecycle(device),
      revokedAt: device.revoked_at,
      revokeReason: device.revoke_reason,
      wipeConfirmedAt: validWipeConfirmation(device),
      keyStorage: keyStorageOf(device.platform),
    },
    user: { id: device.user_id, username: user?.username ?? '', displayName: user?.display_name ?? '' },
    offlineForMs: device.last_check_in_at === null ? null : Math.max(0, now - device.last_check_in_at),
    ledger: {
      // A device that never committed a sync state (synced_read_clearance null) holds nothing yet.
      complete: tracked?.complete === 1 || (tracked === undefined && device.synced_read_clearance === null),
      appliedAt: tracked?.applied_at ?? null,
      pendingPages: pages.length,
      readClearance: (device.synced_read_clearance as FieldLevel | null) ?? null,
    },
    counts: Object.fromEntries(ENTITY_TYPES.map((e) => [e, { held: 0, possiblyHeld: 0 }])) as ExposureReport['counts'],
    fields,
    fieldSets,
    customers: [],
    contacts: [],
    opportunities: [],
    activities: [],
  };
  const customerItems: RecordItem[] = [];
  for (const { entity, item } of items.values()) {
    const count = report.counts[entity];
    if (count) {
      if (item.status === 'held') count.held += 1;
      else count.possiblyHeld += 1;
    }
    if (entity === 'customer') customerItems.push(item);
    else report[LIST_OF[entity]].push(item);
  }
  const names = await customerNames(ctx.db, customerItems.map((c) => c.id));
  report.customers = customerItems
    .map((c) => ({ ...c, name: names.get(c.id) ?? null }))
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '', 'zh-CN') || (a.id < b.id ? -1 : 1));
  for (const list of ['contacts', 'opportunities', 'activities'] as const) {
    report[list].sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return report;
}
