// The incident view: one person's or one device's story, newest first — enrolment, sign-ins,
// syncs, scope changes, alerts, revocation, wipe confirmation — built from the audit trail (read
// only, never re-hashed), the devices table and the alerts table. Runs of routine syncs fold
// into one event that says how many. Callers authorize first (audit.read).

import { sql, type Selectable, type SqlBool } from 'kysely';
import type { DeviceView, IncidentEvent, IncidentEventKind, IncidentView, UserView } from '../../shared/protocol/routes';
import type { ServerContext } from '../context';
import { rowToDeviceView, rowToUserView } from '../db/mappers';
import type { AuditLogTable, UsersTable } from '../db/schema';
import { DomainError } from '../domain-error';
import { isRoutine, resolveNames } from './trail';

/** The newest audit entries an incident reads (older ones: the audit trail, filtered). */
export const INCIDENT_MAX_ENTRIES = 1000;

const KIND_BY_ACTION: Record<string, IncidentEventKind> = {
  'device.enroll': 'enrolment',
  'device.enrollment_abandoned': 'enrolment',
  'sync.pull': 'sync',
  'device.check_in': 'sync',
  'admin.user.update': 'scope_change',
  'admin.user.create': 'scope_change',
  'admin.role.update': 'scope_change',
  'scim.user.place': 'scope_change',
  'scim.user.create': 'scope_change',
  'share.create': 'scope_change',
  'share.revoke': 'scope_change',
  'customer.reassign': 'records',
  'customer.delete': 'records',
  'customer.restore': 'records',
  'alert.acknowledge': 'alert',
  'admin.device.revoke': 'revocation',
  'admin.user.revoke_all_devices': 'revocation',
  'admin.user.deactivate': 'revocation',
  'admin.user.sign_out_everywhere': 'revocation',
  'scim.user.deactivate': 'revocation',
  'scim.user.delete': 'revocation',
  'device.wipe_confirmed': 'wipe',
  'device.sign_out': 'sign_out',
  'admin.user.unlock': 'account',
  'admin.user.mfa_reset': 'account',
  'scim.user.reactivate': 'account',
};

export function incidentKindOf(action: string): IncidentEventKind {
  const known = KIND_BY_ACTION[action];
  if (known) return known;
  if (action.startsWith('auth.')) return 'sign_in';
  if (action.startsWith('record.') || action.startsWith('offline.')) return 'records';
  return 'other';
}

function deviceLabel(d: { name: string; hostName: string | null }): string {
  const host = d.hostName?.trim();
  return host && !d.name.includes(host) ? `${host} · ${d.name}` : d.name;
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return { unparsable: text.slice(0, 200) };
  }
}

async function userView(ctx: ServerContext, user: Selectable<UsersTable>): Promise<UserView> {
  const view = rowToUserView(user);
  // a lock from one address counts too, as on the users page
  const locks = await ctx.db.selectFrom('sign_in_throttle').select('locked_until')
    .where('username', '=', user.username).where('locked_until', '>', ctx.now()).execute();
  const until = Math.max(view.lockedUntil ?? 0, ...locks.map((l) => l.locked_until ?? 0));
  return { ...view, lockedUntil: until > 0 ? until : null };
}

/** Audit rows (newest first, at most one more than the limit) → events, routine runs folded. */
async function eventsFrom(ctx: ServerContext, rows: Selectable<AuditLogTable>[], alerts: IncidentEvent[]): Promise<{ events: IncidentEvent[]; truncated: boolean }> {
  const truncated = rows.length > INCIDENT_MAX_ENTRIES;
  const kept = rows.slice(0, INCIDENT_MAX_ENTRIES).filter((r) => r.action !== 'alert.raised'); // alerts come from their table
  const names = await resolveNames(ctx, kept);
  const fromAudit: IncidentEvent[] = [];
  for (const r of kept) {
    const actor = r.actor_id ? names.users.get(r.actor_id) : undefined;
    const device = r.device_id ? names.devices.get(r.device_id) : undefined;
    const event: IncidentEvent = {
      at: r.at, kind: incidentKindOf(r.action), seq: r.seq, action: r.action, outcome: r.outcome,
      actorName: actor ? actor.displayName : null, deviceId: r.device_id, deviceName: device ? deviceLabel(device) : null,
      target: r.target, details: parseDetails(r.details),
    };
    const previous = fromAudit[fromAudit.length - 1];
    if (isRoutine(r) && previous && previous.kind === 'sync' && (previous.folded || previous.details.routine === true) && previous.deviceId === r.device_id) {
      // fold into the newer routine sync already listed (rows are newest first)
      previous.folded = { count: (previous.folded?.count ?? 1) + 1, from: r.at };
      continue;
    }
    if (isRoutine(r)) event.details = { ...event.details, routine: true };
    fromAudit.push(event);
  }
  const events = [...fromAudit, ...alerts].sort((a, b) => b.at - a.at || (b.seq ?? 0) - (a.seq ?? 0));
  return { events, truncated };
}

function alertEvents(rows: { id: string; at: number; rule: string; severity: 'low' | 'medium' | 'high'; status: 'open' | 'acknowledged'; device_id: string | null; details: string }[]): IncidentEvent[] {
  return rows.map((a) => ({
    at: a.at, kind: 'alert', seq: null, action: null, outcome: null, actorName: null, deviceId: a.device_id, deviceName: null, target: a.id,
    details: parseDetails(a.details), alert: { id: a.id, rule: a.rule, severity: a.severity, status: a.status },
  }));
}

/** A person's incident view: their account, every device, and what happened to and by them. */
export async function userIncident(ctx: ServerContext, userId: string): Promise<IncidentView> {
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) throw new DomainError('not_found', `no user ${userId}`);
  const deviceRows = await ctx.db.selectFrom('devices').selectAll().where('user_id', '=', userId).orderBy('enrolled_at', 'desc').execute();
  const deviceIds = deviceRows.map((d) => d.id);
  const targets = [userId, user.username, ...deviceIds];
  const rows = await ctx.db.selectFrom('audit_log').selectAll()
    .where((eb) => eb.or([
      eb('actor_id', '=', userId), eb('target', 'in', targets),
      // changes to the role the user holds now change their access too
      eb.and([eb('action', '=', 'admin.role.update'), eb('target', '=', user.role_id)]),
    ]))
    .orderBy('seq', 'desc').limit(INCIDENT_MAX_ENTRIES + 1).execute();
  const alerts = await ctx.db.selectFrom('alerts').selectAll()
    .where((eb) => eb.or([eb('user_id', '=', userId), ...(deviceIds.length ? [eb('device_id', 'in', deviceIds)] : [])]))
    .orderBy('at', 'desc').limit(200).execute();
  const { events, truncated } = await eventsFrom(ctx, rows, alertEvents(alerts));
  return { user: await userView(ctx, user), devices: deviceRows.map(rowToDeviceView), events, truncated };
}

/** A device's incident view: the device, its owner, and what happened from it and to it. */
export async function deviceIncident(ctx: ServerContext, deviceId: string): Promise<IncidentView> {
  const device = await ctx.db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
  if (!device) throw new DomainError('not_found', `no device ${deviceId}`);
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', device.user_id).executeTakeFirstOrThrow();
  const rows = await ctx.db.selectFrom('audit_log').selectAll()
    .where((eb) => eb.or([eb('device_id', '=', deviceId), eb('target', '=', deviceId),
      // the owner's sign-in that enrolled it and account-wide actions name the user, not the device
      eb.and([eb('target', 'in', [user.id, user.username]), sql<SqlBool>`action in ('admin.user.revoke_all_devices', 'admin.user.deactivate', 'admin.user.sign_out_everywhere')`]),
    ]))
    .orderBy('seq', 'desc').limit(INCIDENT_MAX_ENTRIES + 1).execute();
  const alerts = await ctx.db.selectFrom('alerts').selectAll().where('device_id', '=', deviceId).orderBy('at', 'desc').limit(200).execute();
  const { events, truncated } = await eventsFrom(ctx, rows, alertEvents(alerts));
  const view: DeviceView = rowToDeviceView(device);
  return { user: await userView(ctx, user), devices: [view], events, truncated };
}

/** The timeline as text lines, for the command line. */
export function formatIncident(incident: IncidentView): string[] {
  const u = incident.user;
  const lines = [
    `${u.displayName} (${u.username}, ${u.id}) — ${u.status}${u.lockedUntil ? `, locked until ${new Date(u.lockedUntil).toISOString()}` : ''}${u.mfaEnrolled ? '' : ', MFA not set up'}`,
  ];
  for (const d of incident.devices) {
    lines.push(`  device ${d.id} ${d.hostName ?? ''} "${d.name}" ${d.platform} — ${d.lifecycle}, enrolled ${new Date(d.enrolledAt).toISOString()}` +
      `${d.revokedAt ? `, revoked ${new Date(d.revokedAt).toISOString()}` : ''}${d.wipeConfirmedAt ? `, wipe confirmed ${new Date(d.wipeConfirmedAt).toISOString()}` : ''}`);
  }
  lines.push('');
  for (const e of incident.events) {
    const when = new Date(e.at).toISOString();
    const what = e.alert ? `alert ${e.alert.rule} (${e.alert.severity}, ${e.alert.status})` : `${e.action ?? ''} ${e.outcome ?? ''}`.trim();
    const folded = e.folded ? ` ×${e.folded.count} since ${new Date(e.folded.from).toISOString()}` : '';
    const who = e.actorName ? ` by ${e.actorName}` : '';
    const device = e.deviceId ? ` device=${e.deviceId}` : '';
    const target = e.target && !e.alert ? ` target=${e.target}` : '';
    lines.push(`${when}  ${e.kind.padEnd(12)} ${what}${folded}${who}${device}${target}${e.seq ? `  #${e.seq}` : ''}`);
  }
  if (incident.truncated) lines.push(`(older entries: see the audit trail; the newest ${INCIDENT_MAX_ENTRIES} are shown)`);
  return lines;
}
