// The anomaly monitor: decorates the audit log so that every audited event is also checked
// against the rules. Every signal source already audits (sign-in, enrollment, pull, offline
// uploads), so this is the single hook. An alert is a row in `alerts` plus an `alert.raised`
// audit entry; the volume rules can also revoke the device through the admin revoke path.

import { randomUUID } from 'node:crypto';
import type { AlertRule, AlertSeverity } from '../../shared/protocol/routes';
import { revokeDevice } from '../admin/service';
import type { AuditEntryInput, AuditLog, ServerContext } from '../context';
import { AlertConfigSource, writeAlertConfigOverride, type AlertConfig, type AlertConfigOverride } from './config';
import { isWithinWorkingHours, localTime, signalsOf, type Signal } from './rules';

const SYSTEM_ACTOR = { userId: null, deviceId: null };
// Old signals are deleted at most this often per process.
const PRUNE_INTERVAL_MS = 10 * 60_000;
// Off-hours alerts already raised by this process (one per user and local day), to skip the insert.
const OFF_HOURS_MEMORY = 10_000;
// Devices' first-pull times known to this process (they never change once stored).
const FIRST_PULL_MEMORY = 50_000;

const monitors = new WeakMap<ServerContext, AnomalyMonitor>();

export interface RaisedAlert {
  id: string;
  rule: AlertRule;
}

interface NewAlert {
  rule: AlertRule;
  severity: AlertSeverity;
  at: number;
  userId: string | null;
  deviceId: string | null;
  /** one alert per key: the same rule, subject and window never alerts twice */
  dedupeKey: string;
  details: Record<string, unknown>;
}

export class AnomalyMonitor {
  readonly config: AlertConfigSource;
  private lastPrune = 0;
  private readonly offHoursRaised = new Set<string>();
  private readonly firstPullAt = new Map<string, number>();

  constructor(private readonly ctx: ServerContext) {
    this.config = new AlertConfigSource(ctx);
  }

  /** Applies every rule to one audit entry (already appended). Returns the alerts it raised. */
  async observe(entry: AuditEntryInput): Promise<RaisedAlert[]> {
    const signals = signalsOf(entry);
    if (signals.length === 0) return [];
    const config = await this.config.current();
    const at = entry.at ?? this.ctx.now();
    const raised: RaisedAlert[] = [];
    for (const signal of signals) {
      const alert = await this.evaluate(signal, at, config);
      if (alert) raised.push(alert);
    }
    await this.pruneSignals(config);
    return raised;
  }

  private async evaluate(signal: Signal, at: number, config: AlertConfig): Promise<RaisedAlert | null> {
    switch (signal.kind) {
      case 'pull':
      case 'offline_view':
      case 'offline_export':
        return this.checkVolume(signal, at, config.volume);
      case 'auth_failure':
        return this.checkFailures(signal, at, config.failedSignIn);
      case 'new_device':
        return config.newDevice.enabled ? this.newDevice(signal, at) : null;
      case 'offline_flagged':
        return this.offlineFlagged(signal, at);
      case 'activity':
        return this.checkWorkingHours(signal, at, config.workingHours);
    }
  }

  // ---- rule (a): volume per device in a sliding window
  private async checkVolume(
    signal: Extract<Signal, { kind: 'pull' | 'offline_view' | 'offline_export' }>,
    at: number,
    volume: AlertConfig['volume'],
  ): Promise<RaisedAlert | null> {
    const db = this.ctx.db;
    let countFrom = at - volume.windowMs;
    if (signal.kind === 'pull') {
      // A device's first sync downloads its whole scope: that is expected, not unusual.
      const firstSyncEnds = (await this.firstPullOf(signal.deviceId, at)) + volume.firstSyncGraceMs;
      if (volume.firstSyncGraceMs > 0 && at < firstSyncEnds) return null;
      countFrom = Math.max(countFrom, firstSyncEnds - 1);
    }
    await db.insertInto('alert_signals').values({
      at, kind: signal.kind, user_id: signal.userId, device_id: signal.deviceId, ip: null, amount: signal.amount,
    }).execute();
    const { total } = await db.selectFrom('alert_signals')
      .select((eb) => eb.fn.sum<number | string | null>('amount').as('total'))
      .where('kind', '=', signal.kind).where('device_id', '=', signal.deviceId)
      .where('at', '>', countFrom).where('at', '<=', at)
      .executeTakeFirstOrThrow();
    const amount = Number(total ?? 0);
    const { rule, threshold } = {
      pull: { rule: 'pull_volume' as const, threshold: volume.pullRecords },
      offline_view: { rule: 'offline_view_volume' as const, threshold: volume.offlineViews },
      offline_export: { rule: 'offline_export_volume' as const, threshold: volume.offlineExportRecords },
    }[signal.kind];
    if (amount <= threshold) return null;

    const alert = await this.raise({
      rule, severity: 'high', at, userId: signal.userId, deviceId: signal.deviceId,
      dedupeKey: `${rule}:${signal.deviceId}:${Math.floor(at / volume.windowMs)}`,
      details: { amount, threshold, windowMs: volume.windowMs, autoSuspended: volume.autoSuspend },
    });
    // Only the firing that created the alert suspends: the revoke path audits and notifies once.
    if (alert && volume.autoSuspend) await revokeDevice(this.ctx, signal.deviceId, SYSTEM_ACTOR);
    return alert;
  }

  private async firstPullOf(deviceId: string, at: number): Promise<number> {
    const known = this.firstPullAt.get(deviceId);
    if (known !== undefined) return known;
    // Insert-or-keep: another process may have stored an earlier first pull.
    await this.ctx.db.insertInto('alert_device_state').values({ device_id: deviceId, first_pull_at: at })
      .onConflict((oc) => oc.column('device_id').doNothing()).execute();
    const state = await this.ctx.db.selectFrom('alert_device_state').select('first_pull_at')
      .where('device_id', '=', deviceId).executeTakeFirstOrThrow();
    if (this.firstPullAt.size >= FIRST_PULL_MEMORY) this.firstPullAt.clear();
    this.firstPullAt.set(deviceId, state.first_pull_at);
    return state.first_pull_at;
  }

  // ---- rule (b): failed passwords / MFA codes per user and per IP
  private async checkFailures(
    signal: Extract<Signal, { kind: 'auth_failure' }>,
    at: number,
    limits: AlertConfig['failedSignIn'],
  ): Promise<RaisedAlert | null> {
    const db = this.ctx.db;
    await db.insertInto('alert_signals').values({
      at, kind: 'auth_failure', user_id: signal.userId, device_id: null, ip: signal.ip, amount: 1,
    }).execute();
    const since = at - limits.windowMs;
    const window = Math.floor(at / limits.windowMs);
    let first: RaisedAlert | null = null;

    if (signal.userId) {
      const { n } = await db.selectFrom('alert_signals').select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('kind', '=', 'auth_failure').where('user_id', '=', signal.userId).where('at', '>', since).where('at', '<=', at)
        .executeTakeFirstOrThrow();
      if (Number(n) >= limits.perUser) {
        first = await this.raise({
          rule: 'failed_sign_in_user', severity: 'medium', at, userId: signal.userId, deviceId: null,
          dedupeKey: `failed_sign_in_user:${signal.userId}:${window}`,
          details: { failures: Number(n), threshold: limits.perUser, windowMs: limits.windowMs, lastStep: signal.step, ip: signal.ip },
        });
      }
    }
    if (signal.ip) {
      const { n } = await db.selectFrom('alert_signals').select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('kind', '=', 'auth_failure').where('ip', '=', signal.ip).where('at', '>', since).where('at', '<=', at)
        .executeTakeFirstOrThrow();
      if (Number(n) >= limits.perIp) {
        const byIp = await this.raise({
          rule: 'failed_sign_in_ip', severity: 'high', at, userId: null, deviceId: null,
          dedupeKey: `failed_sign_in_ip:${signal.ip}:${window}`,
          details: { ip: signal.ip, failures: Number(n), threshold: limits.perIp, windowMs: limits.windowMs },
        });
        first ??= byIp;
      }
    }
    return first;
  }

  // ---- rule (c): a new device enrolled (every enrollment registers a new device key)
  private async newDevice(signal: Extract<Signal, { kind: 'new_device' }>, at: number): Promise<RaisedAlert | null> {
    const others = await this.ctx.db.selectFrom('devices').select(['id', 'status'])
      .where('user_id', '=', signal.userId).where('id', '!=', signal.deviceId).execute();
    const otherActive = others.filter((d) => d.status === 'active').length;
    return this.raise({
      rule: 'new_device',
      // A user's very first device is expected; another one while others are active is worth a look.
      severity: otherActive > 0 ? 'medium' : 'low',
      at, userId: signal.userId, deviceId: signal.deviceId,
      dedupeKey: `new_device:${signal.deviceId}`,
      details: { ip: signal.ip, previousDevices: others.length, otherActiveDevices: otherActive },
    });
  }

  // ---- rule (e): an offline audit upload that does not fit what the server knows (one alert per
  // device and hour: a tampered queue arrives as one upload of many entries)
  private offlineFlagged(signal: Extract<Signal, { kind: 'offline_flagged' }>, at: number): Promise<RaisedAlert | null> {
    return this.raise({
      rule: 'offline_audit_flagged', severity: 'medium', at, userId: signal.userId, deviceId: signal.deviceId,
      dedupeKey: `offline_audit_flagged:${signal.deviceId}:${Math.floor(at / 3_600_000)}`,
      details: { action: signal.action, flags: signal.flags },
    });
  }

  // ---- rule (d): activity outside working hours (one alert per user and local day)
  private async checkWorkingHours(
    signal: Extract<Signal, { kind: 'activity' }>,
    at: number,
    hours: AlertConfig['workingHours'],
  ): Promise<RaisedAlert | null> {
    if (!hours.enabled || isWithinWorkingHours(at, hours)) return null;
    const local = localTime(at, hours.timeZone);
    const dedupeKey = `off_hours:${signal.userId}:${local.date}`;
    if (this.offHoursRaised.has(dedupeKey)) return null;
    const alert = await this.raise({
      rule: 'off_hours', severity: 'low', at, userId: signal.userId, deviceId: signal.deviceId, dedupeKey,
      details: {
        action: signal.action, localDate: local.date,
        localTime: `${String(Math.floor(local.minutes / 60)).padStart(2, '0')}:${String(local.minutes % 60).padStart(2, '0')}`,
        workingHours: `${hours.start}-${hours.end}`, timeZone: hours.timeZone,
      },
    });
    if (this.offHoursRaised.size >= OFF_HOURS_MEMORY) this.offHoursRaised.clear();
    this.offHoursRaised.add(dedupeKey);
    return alert;
  }

  /** Inserts the alert unless its dedupe key exists (also across processes); audits a new one. */
  private async raise(alert: NewAlert): Promise<RaisedAlert | null> {
    const id = randomUUID();
    const result = await this.ctx.db.insertInto('alerts').values({
      id, at: alert.at, rule: alert.rule, severity: alert.severity, user_id: alert.userId, device_id: alert.deviceId,
      details: JSON.stringify(alert.details), status: 'open', dedupe_key: alert.dedupeKey,
      acknowledged_by: null, acknowledged_at: null, note: null,
    }).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return null;
    await this.ctx.audit.append({
      actorId: null, deviceId: alert.deviceId, action: 'alert.raised', target: id, outcome: 'ok',
      details: { rule: alert.rule, severity: alert.severity, userId: alert.userId, ...alert.details },
    });
    return { id, rule: alert.rule };
  }

  private async pruneSignals(config: AlertConfig): Promise<void> {
    const now = this.ctx.now();
    if (now - this.lastPrune < PRUNE_INTERVAL_MS) return;
    this.lastPrune = now;
    const keep = 2 * Math.max(config.volume.windowMs, config.failedSignIn.windowMs);
    await this.ctx.db.deleteFrom('alert_signals').where('at', '<', now - keep).execute();
  }
}

/**
 * Wraps ctx.audit so that every appended entry is also checked by the anomaly rules. A failing
 * rule never fails the request that was audited: the audit entry is already written.
 */
export function watchAuditForAnomalies(ctx: ServerContext): AuditLog {
  const inner = ctx.audit;
  const monitor = new AnomalyMonitor(ctx);
  monitors.set(ctx, monitor);
  return {
    async append(entry: AuditEntryInput): Promise<void> {
      await inner.append(entry);
      try {
        await monitor.observe(entry);
      } catch (err) {
        console.error(`alerts: rule evaluation failed for ${entry.action}: ${(err as Error).message}`);
      }
    },
  };
}

/** Stores a run-time override of the thresholds (meta row) and applies it in this process now. */
export async function setAlertConfig(ctx: ServerContext, override: AlertConfigOverride): Promise<void> {
  await writeAlertConfigOverride(ctx, override);
  monitors.get(ctx)?.config.invalidate();
}

/** The effective thresholds now (defaults < SV_ALERTS < the stored override). */
export async function currentAlertConfig(ctx: ServerContext): Promise<AlertConfig> {
  return (monitors.get(ctx)?.config ?? new AlertConfigSource(ctx)).current();
}
