// The anomaly rules as pure functions: which signals an audit entry carries, and whether a
// moment falls inside working hours. No storage here (see monitor.ts), so they test alone.

import type { AuditEntryInput } from '../context';
import type { AlertConfig } from './config';

/** What the monitor does with one audit entry. */
export type Signal =
  | { kind: 'pull'; userId: string; deviceId: string; amount: number }
  | { kind: 'offline_view' | 'offline_export'; userId: string; deviceId: string; amount: number }
  | { kind: 'auth_failure'; userId: string | null; ip: string | null; step: string }
  | { kind: 'new_device'; userId: string; deviceId: string; ip: string | null }
  | { kind: 'offline_flagged'; userId: string; deviceId: string; action: string; flags: string[] }
  | { kind: 'activity'; userId: string; deviceId: string | null; action: string };

// Done by the app on its own (background sync, check-in, wipe), not by a person at the keyboard:
// a laptop left open overnight must not count as activity outside working hours.
const AUTOMATIC_ACTIONS: ReadonlySet<string> = new Set(['sync.pull', 'device.check_in', 'device.wipe_confirmed']);

function numberIn(details: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = details?.[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function stringIn(details: Record<string, unknown> | undefined, key: string): string | null {
  const value = details?.[key];
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 64) : null;
}

/**
 * The signals of one audit entry. The action names are the ones the server's parts already
 * audit: sync.pull (details.records), offline.view/search/export (uploaded from the vault),
 * auth.sign_in / auth.mfa (failures carry details.ip), device.enroll.
 */
export function signalsOf(entry: AuditEntryInput): Signal[] {
  const { actorId: userId, deviceId, action, outcome, details } = entry;
  // The monitor's own entries (alert.*) must never feed back into it.
  if (action.startsWith('alert.')) return [];
  const signals: Signal[] = [];

  if ((action === 'auth.sign_in' || action === 'auth.mfa') && outcome === 'failed') {
    signals.push({ kind: 'auth_failure', userId, ip: stringIn(details, 'ip'), step: action });
    return signals; // a failed attempt is not activity by the account's owner
  }
  if (!userId) return signals; // the CLI and the system (auto-suspend) are not user activity

  if (deviceId && outcome === 'ok') {
    // An uploaded offline entry that did not fit what the server knows (its time outside the
    // device's offline window, a target the device was never sent) is kept but flagged.
    if (action.startsWith('offline.') && details?.flagged === true) {
      const flags = Array.isArray(details.flags) ? details.flags.filter((f): f is string => typeof f === 'string').slice(0, 8) : [];
      signals.push({ kind: 'offline_flagged', userId, deviceId, action, flags });
    }
    if (action === 'sync.pull') {
      const records = numberIn(details, 'records') ?? 0;
      if (records > 0) signals.push({ kind: 'pull', userId, deviceId, amount: records });
    } else if (action === 'offline.view') {
      signals.push({ kind: 'offline_view', userId, deviceId, amount: 1 });
    } else if (action === 'offline.export') {
      // An export names how many records left the vault; one without a count is still one export.
      signals.push({ kind: 'offline_export', userId, deviceId, amount: Math.max(1, numberIn(details, 'count') ?? 1) });
    } else if (action === 'device.enroll' && typeof details?.sameMachineAs !== 'string') {
      // The same installation enrolling again after its user signed out is not a new machine.
      signals.push({ kind: 'new_device', userId, deviceId, ip: stringIn(details, 'ip') });
    }
  }
  if (!AUTOMATIC_ACTIONS.has(action)) signals.push({ kind: 'activity', userId, deviceId, action });
  return signals;
}

export interface LocalTime {
  /** minutes since local midnight */
  minutes: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday */
  weekday: number;
  /** yyyy-mm-dd in the configured zone */
  date: string;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

export function localTime(at: number, timeZone: string): LocalTime {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
    formatters.set(timeZone, fmt);
  }
  const parts = Object.fromEntries(fmt.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return {
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** true when `at` is inside the configured working hours (on a working day). */
export function isWithinWorkingHours(at: number, hours: AlertConfig['workingHours']): boolean {
  const local = localTime(at, hours.timeZone);
  if (!hours.days.includes(local.weekday)) return false;
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  if (start === end) return true; // a zero-length window means "always working"
  return start < end ? local.minutes >= start && local.minutes < end : local.minutes >= start || local.minutes < end;
}
