// Reading the audit trail for people: filters (person by name or username, action group, record,
// device), routine sync entries folded away, and the names of the people and devices each entry
// mentions. Read-only: the chain (./chain.ts) is neither written nor re-hashed here. Callers
// authorize first (audit.read).

import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { AUDIT_REFUSAL_FAMILIES, auditCodesOf, type AuditGroup } from '../../shared/audit/actions';
import type { AuditDeviceRef, AuditEntryView, AuditPersonRef } from '../../shared/protocol/routes';
import type { ServerContext } from '../context';
import type { AuditLogTable, Database } from '../db/schema';

export interface AuditTrailQuery {
  actorId?: string | undefined;
  action?: string | undefined;
  person?: string | undefined;
  group?: AuditGroup | undefined;
  recordId?: string | undefined;
  deviceId?: string | undefined;
  routine?: 'fold' | 'show' | undefined;
  from?: number | undefined;
  to?: number | undefined;
  beforeSeq?: number | undefined;
  limit: number;
}

type Eb = ExpressionBuilder<Database, 'audit_log'>;

/** `%text%` for LIKE, with the pattern characters of `text` escaped (used with ESCAPE '\'). */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A details field that is 0. Details are stored as canonical JSON (sorted keys, no whitespace:
 * chain.ts canonicalJson), so a top-level `"name":0` is followed by `,` or `}`.
 */
function zeroField(name: string): Expression<SqlBool> {
  return sql<SqlBool>`(details like ${`%"${name}":0,%`} or details like ${`%"${name}":0}%`})`;
}

/**
 * Routine sync entries: a check-in; a pull that sent, removed and purged nothing; a pushed edit
 * the server already had (a replay that changed nothing). Refusals and failures never are.
 */
export function routineCondition(eb: Eb): Expression<SqlBool> {
  return eb.and([
    eb('outcome', '=', 'ok'),
    eb.or([
      eb('action', '=', 'device.check_in'),
      eb.and([
        eb('action', '=', 'sync.pull'),
        zeroField('records'), zeroField('removals'), zeroField('droppedBuckets'), zeroField('fieldPurges'),
      ]),
      eb.and([
        eb('action', 'in', ['record.create', 'record.update', 'record.delete']),
        sql<SqlBool>`details like ${'%"status":"duplicate"%'}`,
      ]),
    ]),
  ]);
}

/** Whether one stored entry is routine (the same rule as routineCondition, for the list's flag). */
export function isRoutine(row: Pick<AuditLogTable, 'action' | 'outcome' | 'details'>): boolean {
  if (row.outcome !== 'ok') return false;
  if (row.action === 'device.check_in') return true;
  const zero = (name: string) => row.details.includes(`"${name}":0,`) || row.details.includes(`"${name}":0}`);
  if (row.action === 'sync.pull') return ['records', 'removals', 'droppedBuckets', 'fieldPurges'].every(zero);
  if (row.action.startsWith('record.')) return row.details.includes('"status":"duplicate"');
  return false;
}

function groupCondition(eb: Eb, group: AuditGroup): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [];
  const codes = auditCodesOf(group);
  if (codes.length > 0) parts.push(eb('action', 'in', codes));
  for (const [prefix, familyGroup] of Object.entries(AUDIT_REFUSAL_FAMILIES)) {
    if (familyGroup !== group) continue;
    // `admin.listUsers`: the prefix and one more name without a dot
    const p = escapeLike(prefix);
    parts.push(sql<SqlBool>`(action like ${`${p}%`} escape '\\' and action not like ${`${p}%.%`} escape '\\')`);
  }
  return eb.or(parts);
}

/** The users whose name or username contains `text` (or the one whose username it is), with their usernames and device ids. */
async function peopleMatching(ctx: ServerContext, text: string): Promise<{ ids: string[]; usernames: string[]; deviceIds: string[] }> {
  const pattern = containsPattern(text.toLowerCase());
  let users = await ctx.db
    .selectFrom('users')
    .select(['id', 'username'])
    .where(sql<SqlBool>`(lower(username) like ${pattern} escape '\\' or lower(display_name) like ${pattern} escape '\\')`)
    .execute();
  // A whole username typed (or followed from an entry) means that person, not every name containing it.
  const exact = users.filter((u) => u.username.toLowerCase() === text.toLowerCase());
  if (exact.length > 0) users = exact;
  const ids = users.map((u) => u.id);
  const devices = ids.length
    ? await ctx.db.selectFrom('devices').select('id').where('user_id', 'in', ids).execute()
    : [];
  return { ids, usernames: users.map((u) => u.username), deviceIds: devices.map((d) => d.id) };
}

/** One page of the trail, newest first, filtered on the server so that paging stays right. */
export async function listAuditTrail(ctx: ServerContext, query: AuditTrailQuery): Promise<AuditEntryView[]> {
  let q = ctx.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(query.limit);
  if (query.actorId) q = q.where('actor_id', '=', query.actorId);
  if (query.action) q = q.where('action', '=', query.action);
  if (query.from !== undefined) q = q.where('at', '>=', query.from);
  if (query.to !== undefined) q = q.where('at', '<=', query.to);
  if (query.beforeSeq !== undefined) q = q.where('seq', '<', query.beforeSeq);
  if (query.group) {
    const group = query.group;
    q = q.where((eb) => groupCondition(eb, group));
  }
  if (query.person) {
    const people = await peopleMatching(ctx, query.person);
    if (people.ids.length === 0) return [];
    const targets = [...new Set([...people.ids, ...people.usernames, ...people.deviceIds])];
    q = q.where((eb) => eb.or([eb('actor_id', 'in', people.ids), eb('target', 'in', targets)]));
  }
  if (query.recordId) {
    const id = query.recordId;
    q = q.where((eb) => eb.or([eb('target', '=', id), sql<SqlBool>`target like ${`%:${escapeLike(id)}`} escape '\\'`]));
  }
  if (query.deviceId) {
    const id = query.deviceId;
    q = q.where((eb) => eb.or([eb('device_id', '=', id), eb('target', '=', id)]));
  }
  // Asking for one action by its code shows it even when it is routine.
  if (query.routine !== 'show' && !query.action) q = q.where((eb) => eb.not(routineCondition(eb)));
  const rows = await q.execute();
  const names = await resolveNames(ctx, rows);
  return rows.map((r) => {
    const entry: AuditEntryView = {
      seq: r.seq, at: r.at, actorId: r.actor_id, deviceId: r.device_id, action: r.action, target: r.target,
      outcome: r.outcome, details: safeJsonObject(r.details), hash: r.hash,
    };
    const actor = r.actor_id ? names.users.get(r.actor_id) : undefined;
    const device = r.device_id ? names.devices.get(r.device_id) : undefined;
    const target = r.target ? (names.users.get(r.target) ?? names.usernames.get(r.target) ?? names.devices.get(r.target)) : undefined;
    if (actor || device || target) {
      entry.names = { ...(actor ? { actor } : {}), ...(device ? { device } : {}), ...(target ? { target } : {}) };
    }
    if (isRoutine(r)) entry.routine = true;
    return entry;
  });
}

interface Names {
  users: Map<string, AuditPersonRef>;
  usernames: Map<string, AuditPersonRef>;
  devices: Map<string, AuditDeviceRef>;
}

/**
 * Names of the users (by id, or by username: sign-in entries name the username typed) and
 * devices (host name and label, and whose it is) the rows mention. Customer records stay ids:
 * whoever reads the trail may hold no customer data.
 */
export async function resolveNames(ctx: ServerContext, rows: readonly Pick<AuditLogTable, 'actor_id' | 'device_id' | 'target'>[]): Promise<Names> {
  const ids = new Set<string>();
  for (const r of rows) {
    if (r.actor_id) ids.add(r.actor_id);
    if (r.device_id) ids.add(r.device_id);
    if (r.target && !r.target.includes(':')) ids.add(r.target);
  }
  const names: Names = { users: new Map(), usernames: new Map(), devices: new Map() };
  if (ids.size === 0) return names;
  const list = [...ids];
  const devices = await ctx.db
    .selectFrom('devices')
    .select(['id', 'name', 'host_name', 'platform', 'user_id'])
    .where('id', 'in', list)
    .execute();
  const userKeys = [...new Set([...list, ...devices.map((d) => d.user_id)])];
  const users = await ctx.db
    .selectFrom('users')
    .select(['id', 'username', 'display_name'])
    .where((eb) => eb.or([eb('id', 'in', userKeys), eb('username', 'in', list)]))
    .execute();
  for (const u of users) {
    const ref: AuditPersonRef = { kind: 'user', id: u.id, username: u.username, displayName: u.display_name };
    names.users.set(u.id, ref);
    names.usernames.set(u.username, ref);
  }
  for (const d of devices) {
    names.devices.set(d.id, {
      kind: 'device', id: d.id, name: d.name, hostName: d.host_name, platform: d.platform, userId: d.user_id,
      ownerName: names.users.get(d.user_id)?.displayName ?? null,
    });
  }
  return names;
}

function safeJsonObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return { unparsable: text.slice(0, 200) };
  }
}
