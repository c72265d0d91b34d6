// Alert API (/v1/alerts): IT admins and auditors read alerts; IT admins acknowledge them.
// Also registers the access-review routes, so server/app.ts has one line for both.

import type { FastifyInstance } from 'fastify';
import type { Selectable } from 'kysely';
import type { AlertView } from '../../shared/protocol/routes';
import type { ServerContext } from '../context';
import type { AlertsTable } from '../db/schema';
import { DomainError } from '../domain-error';
import { route } from '../http/route';
import { registerReviewRoutes } from '../reviews/routes';
import { requireAnyAction } from './access';
import { registerAlertThresholdRoutes } from './threshold-routes';

export function rowToAlertView(row: Selectable<AlertsTable>): AlertView {
  let details: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(row.details) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) details = parsed as Record<string, unknown>;
  } catch {
    details = { unparsable: row.details.slice(0, 200) };
  }
  return {
    id: row.id, at: row.at, rule: row.rule as AlertView['rule'], severity: row.severity, userId: row.user_id,
    deviceId: row.device_id, details, status: row.status, acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: row.acknowledged_at, note: row.note,
  };
}

export function registerAlertRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, 'listAlerts', async ({ principal, query }) => {
    await requireAnyAction(ctx, principal, ['admin.devices', 'audit.read'], 'listAlerts');
    let q = ctx.db.selectFrom('alerts').selectAll().orderBy('at', 'desc').orderBy('id').limit(query.limit);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.rule) q = q.where('rule', '=', query.rule);
    if (query.userId) q = q.where('user_id', '=', query.userId);
    return { alerts: (await q.execute()).map(rowToAlertView) };
  });

  route(app, ctx, 'acknowledgeAlert', async ({ principal, params, body }) => {
    const actor = await requireAnyAction(ctx, principal, ['admin.devices'], 'acknowledgeAlert');
    const id = params.id!;
    const now = ctx.now();
    // Conditional: acknowledging twice keeps the first acknowledgement.
    await ctx.db.updateTable('alerts')
      .set({ status: 'acknowledged', acknowledged_by: actor.userId, acknowledged_at: now, note: body.note ?? null })
      .where('id', '=', id).where('status', '=', 'open')
      .execute();
    const row = await ctx.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('not_found', `no alert ${id}`);
    await ctx.audit.append({
      actorId: actor.userId, deviceId: actor.deviceId, action: 'alert.acknowledge', target: id, outcome: 'ok',
      details: { rule: row.rule, note: body.note ?? null },
    });
    return { alert: rowToAlertView(row) };
  });
}

export function registerAlertAndReviewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerAlertRoutes(app, ctx);
  registerAlertThresholdRoutes(app, ctx);
  registerReviewRoutes(app, ctx);
}
