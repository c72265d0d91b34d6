// The anomaly rules' thresholds on a screen: audit readers and IT admins read them, IT admins
// (admin.devices, as for acknowledging alerts) change them. A change is validated (the route's
// schema: shared/protocol/alert-thresholds.ts), stored as the run-time override every server
// process re-reads, and audited with what changed.

import type { FastifyInstance } from 'fastify';
import type { AlertThresholds } from '../../shared/protocol/alert-thresholds';
import type { ServerContext } from '../context';
import { route } from '../http/route';
import { requireAnyAction } from './access';
import { currentAlertConfig, setAlertConfig } from './monitor';

/** `section.field` → [before, after] for every value that differs. */
export function thresholdChanges(before: AlertThresholds, after: AlertThresholds): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const section of Object.keys(after) as (keyof AlertThresholds)[]) {
    const a = before[section] as Record<string, unknown>;
    const b = after[section] as Record<string, unknown>;
    for (const key of Object.keys(b)) {
      if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) changes[`${section}.${key}`] = [a[key], b[key]];
    }
  }
  return changes;
}

export function registerAlertThresholdRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, 'getAlertConfig', async ({ principal }) => {
    await requireAnyAction(ctx, principal, ['admin.devices', 'audit.read'], 'getAlertConfig');
    return { config: await currentAlertConfig(ctx) };
  });

  route(app, ctx, 'updateAlertConfig', async ({ principal, body }) => {
    const actor = await requireAnyAction(ctx, principal, ['admin.devices'], 'updateAlertConfig');
    const before = await currentAlertConfig(ctx);
    await setAlertConfig(ctx, body);
    const after = await currentAlertConfig(ctx);
    await ctx.audit.append({
      actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.alert_thresholds.update', target: null, outcome: 'ok',
      details: { changes: thresholdChanges(before, after) },
    });
    return { config: after };
  });
}
