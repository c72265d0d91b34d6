// Calendar helpers for the dashboard. Weeks are ISO weeks (Monday first) in UTC, so every
// device computes the same buckets regardless of its time zone.

export const DAY_MS = 24 * 60 * 60 * 1000;
export const WEEK_MS = 7 * DAY_MS;

/** Epoch ms of 00:00 UTC on the Monday of the ISO week containing `at`. */
export function isoWeekStart(at: number): number {
  const d = new Date(at);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const daysSinceMonday = (d.getUTCDay() + 6) % 7;
  return midnight - daysSinceMonday * DAY_MS;
}

/** yyyy-mm-dd (UTC) of an epoch-ms instant. */
export function isoDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
