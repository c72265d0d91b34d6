// The anomaly rules' thresholds as IT edits them on the alerts screen (POST /v1/alerts/config).
// The same shape as the server's effective configuration (server/alerts/config.ts), with bounds
// a person can be held to: a window from one minute to seven days, counts up to ten million.

import { z } from 'zod';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const windowMs = z.number().int().min(MINUTE).max(7 * DAY);
const count = z.number().int().min(1).max(10_000_000);
/** A time of day, HH:MM on a 24-hour clock (shared with the server's own configuration). */
export const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24 h)');
/** An IANA time zone name that this runtime knows. */
export const timeZone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Asia/Shanghai');

export const alertThresholdsSchema = z.object({
  volume: z.object({
    windowMs,
    pullRecords: count,
    offlineViews: count,
    offlineExportRecords: count,
    firstSyncGraceMs: z.number().int().min(0).max(7 * DAY),
    autoSuspend: z.boolean(),
  }).strict(),
  failedSignIn: z.object({ windowMs, perUser: count, perIp: count }).strict(),
  newDevice: z.object({ enabled: z.boolean() }).strict(),
  workingHours: z.object({
    enabled: z.boolean(),
    start: clockTime,
    end: clockTime,
    timeZone,
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7)
      .refine((days) => new Set(days).size === days.length, 'each weekday once'),
  }).strict(),
}).strict();

export type AlertThresholds = z.infer<typeof alertThresholdsSchema>;
