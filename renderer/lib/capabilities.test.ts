import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../shared/api/desktop-api';
import { DEFAULT_ROLES } from '../../shared/permissions/default-roles';
import { availableViews, capabilitiesOf } from './capabilities';

function userWithRole(key: string): SessionUser {
  const role = DEFAULT_ROLES.find((r) => r.key === key)!;
  return {
    id: 'u1', username: 'u1', displayName: 'U', roleKey: role.key, roleName: role.name, actions: role.actions,
    dataScope: role.dataScope, readClearance: role.readClearance, writeClearance: role.writeClearance, exportAllowed: role.offline.exportAllowed,
  };
}

describe('navigation by the grant’s actions', () => {
  it('gives each shipped role its screens and nothing else', () => {
    // Roles with customer data land on the home page first.
    expect(availableViews(userWithRole('rep'))).toEqual(['home', 'customers', 'opportunities', 'pipeline']);
    // Customer service reads no opportunities: no list, no board.
    expect(availableViews(userWithRole('service'))).toEqual(['home', 'customers']);
    // The manager deletes customers, so it has their recycle bin; the director reads only.
    expect(availableViews(userWithRole('manager'))).toEqual(['home', 'customers', 'opportunities', 'pipeline', 'dashboard', 'recycleBin']);
    expect(availableViews(userWithRole('director'))).toEqual(['home', 'customers', 'opportunities', 'pipeline', 'dashboard']);
    expect(availableViews(userWithRole('it_admin'))).toEqual(['users', 'roles', 'org', 'approvals', 'identity', 'devices', 'audit', 'alerts', 'reviews']);
    // The auditor reads the audit trail, alerts and review results: no customer screens.
    expect(availableViews(userWithRole('auditor'))).toEqual(['audit', 'alerts', 'reviews']);
    expect(availableViews(null)).toEqual([]);
  });

  it('offers planning and completing follow-ups to reps and managers only', () => {
    expect(capabilitiesOf(userWithRole('rep'))).toMatchObject({ planFollowUps: true, completeFollowUps: true });
    expect(capabilitiesOf(userWithRole('manager'))).toMatchObject({ planFollowUps: true, completeFollowUps: true });
    expect(capabilitiesOf(userWithRole('service'))).toMatchObject({ planFollowUps: false, completeFollowUps: false });
    expect(capabilitiesOf(userWithRole('director'))).toMatchObject({ planFollowUps: false, completeFollowUps: false });
  });

  it('offers export only when the action and the offline policy both allow it', () => {
    expect(capabilitiesOf(userWithRole('manager')).exportCustomers).toBe(true);
    expect(capabilitiesOf(userWithRole('rep')).exportCustomers).toBe(false);
    const noPolicy = { ...userWithRole('manager'), exportAllowed: false };
    expect(capabilitiesOf(noPolicy).exportCustomers).toBe(false);
  });

  it('offers alert acknowledgement to IT admins and reviews to reviewers', () => {
    expect(capabilitiesOf(userWithRole('it_admin'))).toMatchObject({ acknowledgeAlerts: true, conductReviews: true });
    expect(capabilitiesOf(userWithRole('auditor'))).toMatchObject({ acknowledgeAlerts: false, conductReviews: false });
    expect(capabilitiesOf(userWithRole('manager'))).toMatchObject({ acknowledgeAlerts: false, conductReviews: false });
  });

  it('shows a customer tab only for what the role may read (no opportunities tab for customer service)', () => {
    expect(capabilitiesOf(userWithRole('rep'))).toMatchObject({ readContacts: true, readOpportunities: true, readActivities: true });
    expect(capabilitiesOf(userWithRole('service'))).toMatchObject({ readContacts: true, readOpportunities: false, readActivities: true });
    expect(capabilitiesOf(null)).toMatchObject({ readContacts: false, readOpportunities: false, readActivities: false });
  });

  it('offers create forms per action', () => {
    const rep = capabilitiesOf(userWithRole('rep'));
    expect(rep.createCustomer && rep.createContact && rep.createOpportunity).toBe(true);
    const service = capabilitiesOf(userWithRole('service'));
    expect(service.createCustomer || service.createContact || service.updateContact).toBe(false);
  });
});
