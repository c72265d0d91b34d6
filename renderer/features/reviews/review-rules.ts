import type { SessionUser } from '../../../shared/api/desktop-api';
import type { ReviewCampaignView, ReviewItemView } from '../../../shared/protocol/routes';
import { capabilitiesOf } from '../../lib/capabilities';

/**
 * Whether the signed-in user is offered certify/revoke on an item. Mirrors the server's rule
 * (review.conduct; the assigned reviewer or the campaign's creator; never one's own access),
 * which stays the authority: a refusal from the server is shown like any other error.
 */
export function mayDecide(user: SessionUser | null, campaign: ReviewCampaignView, item: ReviewItemView, now = Date.now()): boolean {
  if (!user || !capabilitiesOf(user).conductReviews) return false;
  if (campaign.status !== 'open' || item.decision !== null || item.userId === user.id) return false;
  // From the due date on, the campaign's setting decides what is left (server/reviews/deadlines.ts).
  if (now >= campaign.dueAt) return false;
  return item.reviewerId === null || item.reviewerId === user.id || campaign.createdBy === user.id;
}
