import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../../shared/api/desktop-api';
import { DEFAULT_ROLES } from '../../../shared/permissions/default-roles';
import type { ReviewCampaignView, ReviewItemView } from '../../../shared/protocol/routes';
import { mayDecide } from './review-rules';

function user(id: string, roleKey: string): SessionUser {
  const role = DEFAULT_ROLES.find((r) => r.key === roleKey)!;
  return {
    id, username: id, displayName: id, roleKey, roleName: role.name, actions: role.actions, dataScope: role.dataScope,
    readClearance: role.readClearance, writeClearance: role.writeClearance, exportAllowed: role.offline.exportAllowed,
  };
}

const campaign: ReviewCampaignView = {
  id: 'review-1', name: 'Q4', createdBy: 'admin', createdAt: 0, dueAt: Date.now() + 86_400_000, status: 'open', staleDays: 30, closedAt: null, items: 3, decided: 0,
  dueAction: 'keep', reminderDays: 3, remindedAt: null, closeReason: null,
};
function item(userId: string, reviewerId: string | null, decision: ReviewItemView['decision'] = null): ReviewItemView {
  return {
    id: `item-${userId}`, campaignId: campaign.id, userId, reviewerId, flags: [], decision, decidedBy: null, decidedAt: null, note: null,
    decisionSource: decision ? 'reviewer' : null,
    snapshot: {
      username: userId, displayName: userId, unitId: 'u', unitName: null, managedUnitIds: [], roleId: 'role-rep', roleName: 'Rep', actions: [],
      dataScope: 'own', readClearance: 'internal', writeClearance: 'internal', devices: [], lastSignInAt: null, lastActivityAt: null, previous: null,
    },
  };
}

describe('who is offered certify/revoke', () => {
  const admin = user('admin', 'it_admin');
  const auditor = user('auditor', 'auditor');
  const manager = user('mgr', 'manager');

  it('the assigned reviewer and the campaign creator, for open undecided items', () => {
    const admin2 = user('admin2', 'it_admin');
    expect(mayDecide(admin2, campaign, item('rep', 'admin2'))).toBe(true);
    expect(mayDecide(admin2, campaign, item('rep', null))).toBe(true);
    expect(mayDecide(admin, campaign, item('rep', 'mgr'))).toBe(true);
  });

  it('never the auditor: auditors read and export, they decide nothing', () => {
    expect(mayDecide(auditor, campaign, item('rep', 'auditor'))).toBe(false);
    expect(mayDecide(auditor, campaign, item('rep', null))).toBe(false);
  });

  it('nobody else, never on their own access, never twice, never in a closed campaign', () => {
    expect(mayDecide(auditor, campaign, item('rep', 'mgr'))).toBe(false);
    expect(mayDecide(admin, campaign, item('admin', null))).toBe(false);
    expect(mayDecide(admin, campaign, item('rep', 'admin', 'certified'))).toBe(false);
    expect(mayDecide(admin, { ...campaign, status: 'closed' }, item('rep', 'admin'))).toBe(false);
    // From the due date on the campaign's setting decides what is left (the server refuses too).
    expect(mayDecide(admin, campaign, item('rep', 'admin'), campaign.dueAt)).toBe(false);
    expect(mayDecide(admin, campaign, item('rep', 'admin'), campaign.dueAt - 1)).toBe(true);
    // Without review.conduct the assignment alone offers nothing (the server would refuse).
    expect(mayDecide(manager, campaign, item('rep', 'mgr'))).toBe(false);
    expect(mayDecide(null, campaign, item('rep', null))).toBe(false);
  });
});
