// Thresholds of the anomaly rules. Defaults live here; a deployment overrides them with the
// SV_ALERTS environment variable (JSON, read at start), and IT overrides them at run time with
// the `alerts.config` meta row (JSON, re-read every few seconds so several processes agree).
// Precedence: defaults < SV_ALERTS < meta row. Every override is partial, per section.

import { z } from 'zod';
import { clockTime, timeZone } from '../../shared/protocol/alert-thresholds';
import type { ServerContext } from '../context';

export const ALERT_CONFIG_META_KEY = 'alerts.config';
const CONFIG_TTL_MS = 5_000;

const positiveMs = z.number().int().positive();
const count = z.number().int().positive();

const sections = {
  /** rule (a): records pulled / viewed / exported by one device in a sliding window */
  volume: z.object({
    windowMs: positiveMs,
    pullRecords: count,
    offlineViews: count,
    offlineExportRecords: count,
    /** pulls this long after a device's first pull are its first sync and not counted */
    firstSyncGraceMs: z.number().int().nonnegative(),
    /** revoke the device (it wipes itself) when a volume rule fires */
    autoSuspend: z.boolean(),
  }),
  /** rule (b): failed passwords and MFA codes */
  failedSignIn: z.object({ windowMs: positiveMs, perUser: count, perIp: count }),
  /** rule (c): sign-in completed by enrolling a new device */
  newDevice: z.object({ enabled: z.boolean() }),
  /** rule (d): activity outside working hours; start > end means a window across midnight */
  workingHours: z.object({
    enabled: z.boolean(),
    start: clockTime,
    end: clockTime,
    timeZone,
    /** ISO weekdays that are working days, 1 = Monday … 7 = Sunday */
    days: z.array(z.number().int().min(1).max(7)).min(1),
  }),
};

export const alertConfigSchema = z.object(sections);
export type AlertConfig = z.infer<typeof alertConfigSchema>;

export const alertConfigOverrideSchema = z
  .object({
    volume: sections.volume.partial().strict(),
    failedSignIn: sections.failedSignIn.partial().strict(),
    newDevice: sections.newDevice.partial().strict(),
    workingHours: sections.workingHours.partial().strict(),
  })
  .partial()
  .strict();
export type AlertConfigOverride = z.infer<typeof alertConfigOverrideSchema>;

const HOUR = 3_600_000;

export const DEFAULT_ALERT_CONFIG: AlertConfig = {
  volume: {
    windowMs: HOUR,
    pullRecords: 20_000,
    offlineViews: 500,
    offlineExportRecords: 5_000,
    firstSyncGraceMs: HOUR,
    autoSuspend: false,
  },
  failedSignIn: { windowMs: 10 * 60_000, perUser: 3, perIp: 10 },
  newDevice: { enabled: true },
  workingHours: { enabled: true, start: '07:00', end: '22:00', timeZone: 'Asia/Shanghai', days: [1, 2, 3, 4, 5, 6, 7] },
};

export function mergeAlertConfig(base: AlertConfig, override: AlertConfigOverride): AlertConfig {
  return {
    volume: { ...base.volume, ...override.volume },
    failedSignIn: { ...base.failedSignIn, ...override.failedSignIn },
    newDevice: { ...base.newDevice, ...override.newDevice },
    workingHours: { ...base.workingHours, ...override.workingHours },
  };
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Parses an override given as JSON text; throws a message naming the bad field. */
export function parseAlertConfigOverride(json: string, source: string): AlertConfigOverride {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`${source} is not valid JSON`);
  }
  const parsed = alertConfigOverrideSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${source}: ${describe(parsed.error)}`);
  return parsed.data;
}

/** Reads the effective configuration, cached per context for a few seconds. */
export class AlertConfigSource {
  private cached: { config: AlertConfig; until: number } | null = null;
  private readonly base: AlertConfig;

  constructor(
    private readonly ctx: ServerContext,
    envOverride: string | undefined = process.env.SV_ALERTS,
  ) {
    // A bad SV_ALERTS is a deployment error: fail at start, naming the field.
    this.base = envOverride ? mergeAlertConfig(DEFAULT_ALERT_CONFIG, parseAlertConfigOverride(envOverride, 'SV_ALERTS')) : DEFAULT_ALERT_CONFIG;
  }

  async current(): Promise<AlertConfig> {
    const now = Date.now();
    if (this.cached && this.cached.until > now) return this.cached.config;
    const row = await this.ctx.db.selectFrom('meta').select('value').where('key', '=', ALERT_CONFIG_META_KEY).executeTakeFirst();
    let config = this.base;
    if (row) {
      try {
        config = mergeAlertConfig(this.base, parseAlertConfigOverride(row.value, `meta ${ALERT_CONFIG_META_KEY}`));
      } catch (err) {
        // setAlertConfig validates, so only a hand-edited row gets here: keep alerting on the base.
        console.error(`alerts: ignoring the ${ALERT_CONFIG_META_KEY} meta row: ${(err as Error).message}`);
      }
    }
    this.cached = { config, until: now + CONFIG_TTL_MS };
    return config;
  }

  invalidate(): void {
    this.cached = null;
  }
}

/** Stores a (validated) run-time override in the meta row; returns the effective configuration. */
export async function writeAlertConfigOverride(ctx: ServerContext, override: AlertConfigOverride): Promise<void> {
  const value = JSON.stringify(alertConfigOverrideSchema.parse(override));
  await ctx.db
    .insertInto('meta')
    .values({ key: ALERT_CONFIG_META_KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
