// Access-review API (/v1/reviews): review.conduct creates campaigns and decides items; auditors
// (audit.read) and reviewers read and export the results.

import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { route } from '../http/route';
import { requireAnyAction } from '../alerts/access';
import { createCampaign, decideItem, exportCampaign, getCampaign, listCampaigns } from './service';

export function registerReviewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, 'createReviewCampaign', async ({ principal, body }) => {
    const actor = await requireAnyAction(ctx, principal, ['review.conduct'], 'createReviewCampaign');
    return { campaign: await createCampaign(ctx, body, actor) };
  });

  route(app, ctx, 'listReviewCampaigns', async ({ principal }) => {
    await requireAnyAction(ctx, principal, ['audit.read', 'review.conduct'], 'listReviewCampaigns');
    return { campaigns: await listCampaigns(ctx) };
  });

  route(app, ctx, 'getReviewCampaign', async ({ principal, params, query }) => {
    await requireAnyAction(ctx, principal, ['audit.read', 'review.conduct'], 'getReviewCampaign');
    return getCampaign(ctx, params.id!, query.reviewerId ? { reviewerId: query.reviewerId } : {});
  });

  route(app, ctx, 'decideReviewItem', async ({ principal, params, body }) => {
    await requireAnyAction(ctx, principal, ['review.conduct'], 'decideReviewItem');
    return decideItem(ctx, params.id!, params.itemId!, body.decision, body.note, {
      userId: principal.user.id, deviceId: principal.device.id,
    });
  });

  route(app, ctx, 'exportReviewCampaign', async ({ principal, params, query }) => {
    const actor = await requireAnyAction(ctx, principal, ['audit.read', 'review.conduct'], 'exportReviewCampaign');
    const file = await exportCampaign(ctx, params.id!, query.format);
    await ctx.audit.append({
      actorId: actor.userId, deviceId: actor.deviceId, action: 'review.export', target: params.id!, outcome: 'ok',
      details: { format: query.format },
    });
    return file;
  });
}
