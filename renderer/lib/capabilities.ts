import type { SessionUser } from '../../shared/api/desktop-api';

// What the interface offers, derived from the grant's action list (AppState.user.actions).
// This only shapes the UI: the core and the server decide, through the permission engine,
// whether a call is allowed; record-level rights come from CustomerDetail (canEdit, access).
// Every "is this offered?" question of the renderer is answered here, in one place.

export type ViewKey = 'home' | 'customers' | 'opportunities' | 'pipeline' | 'dashboard' | 'recycleBin' | 'users' | 'roles' | 'org' | 'approvals' | 'identity' | 'devices' | 'audit' | 'alerts' | 'reviews';

const VIEW_REQUIRES: Record<ViewKey, readonly string[]> = {
  // The home page (follow-ups, opportunities, recent customers) is about customer data: the
  // roles without it (IT, auditor) keep their own first page.
  home: ['customer.read'],
  customers: ['customer.read'],
  opportunities: ['opportunity.read'],
  pipeline: ['opportunity.read'],
  dashboard: ['dashboard.team'],
  // Deleted customers: whoever may delete them may restore them (docs/reassign-and-delete.md).
  recycleBin: ['customer.delete'],
  users: ['admin.users'],
  roles: ['admin.roles'],
  // The org tree is what user and role administration is about.
  org: ['admin.users', 'admin.roles'],
  // Changes that widen access wait here for a second administrator.
  approvals: ['admin.users', 'admin.roles'],
  // Single sign-on and provisioning: who signs in and how people arrive is user administration.
  identity: ['admin.users'],
  devices: ['admin.devices'],
  audit: ['audit.read'],
  alerts: ['admin.devices', 'audit.read'],
  reviews: ['review.conduct', 'audit.read'],
};

const VIEW_ORDER: readonly ViewKey[] = ['home', 'customers', 'opportunities', 'pipeline', 'dashboard', 'recycleBin', 'users', 'roles', 'org', 'approvals', 'identity', 'devices', 'audit', 'alerts', 'reviews'];

function has(user: Pick<SessionUser, 'actions'> | null, action: string): boolean {
  return !!user && user.actions.includes(action);
}

/** Views in navigation order that the user's actions open (any one listed action suffices). */
export function availableViews(user: Pick<SessionUser, 'actions'> | null): ViewKey[] {
  return VIEW_ORDER.filter((view) => VIEW_REQUIRES[view].some((a) => has(user, a)));
}

export interface Capabilities {
  /** Reading a customer's contacts, opportunities, activities: a tab is shown only when held. */
  readContacts: boolean;
  readOpportunities: boolean;
  readActivities: boolean;
  /** Planning follow-ups (an activity create) and rescheduling / completing them (an activity update). */
  planFollowUps: boolean;
  completeFollowUps: boolean;
  createCustomer: boolean;
  createContact: boolean;
  createOpportunity: boolean;
  updateContact: boolean;
  updateOpportunity: boolean;
  /** Moving a customer (or a deal) to another owner in the user's scope; deleting a customer. */
  reassignCustomer: boolean;
  reassignOpportunity: boolean;
  deleteCustomer: boolean;
  /** Customer export: the action and the role's offline policy must both allow it. */
  exportCustomers: boolean;
  auditExport: boolean;
  /** Whether the users list can be read (to show names instead of ids). */
  listUsers: boolean;
  acknowledgeAlerts: boolean;
  /** Revoke devices (the incident view's device actions). */
  manageDevices: boolean;
  /** Create review campaigns; deciding an item also needs the assignment (see the reviews screen). */
  conductReviews: boolean;
}

export function capabilitiesOf(user: SessionUser | null): Capabilities {
  return {
    readContacts: has(user, 'contact.read'),
    readOpportunities: has(user, 'opportunity.read'),
    readActivities: has(user, 'activity.read'),
    planFollowUps: has(user, 'activity.create') && has(user, 'activity.update'),
    completeFollowUps: has(user, 'activity.update'),
    createCustomer: has(user, 'customer.create'),
    createContact: has(user, 'contact.create'),
    createOpportunity: has(user, 'opportunity.create'),
    updateContact: has(user, 'contact.update'),
    updateOpportunity: has(user, 'opportunity.update'),
    reassignCustomer: has(user, 'customer.reassign'),
    reassignOpportunity: has(user, 'opportunity.reassign'),
    deleteCustomer: has(user, 'customer.delete'),
    exportCustomers: has(user, 'customer.export') && !!user?.exportAllowed,
    auditExport: has(user, 'audit.read'),
    listUsers: has(user, 'admin.users'),
    acknowledgeAlerts: has(user, 'admin.devices'),
    manageDevices: has(user, 'admin.devices'),
    conductReviews: has(user, 'review.conduct'),
  };
}
