// The six roles SalesVault ships with: field rep, sales manager, sales director, customer
// service, IT admin and auditor. Ids and keys are stable: the server seeds
// them, grants name them, and admins may edit their actions, scope, clearances and policy.

import type { Action, RecordAction, Role } from '../domain/model';
import { DEFAULT_OFFLINE_POLICY } from '../domain/model';

const readCreateUpdate = (entity: 'customer' | 'contact' | 'opportunity'): RecordAction[] => [
  `${entity}.read`,
  `${entity}.create`,
  `${entity}.update`,
];

const REP_ACTIONS: Action[] = [
  ...readCreateUpdate('customer'),
  ...readCreateUpdate('contact'),
  ...readCreateUpdate('opportunity'),
  'activity.read',
  'activity.create',
  // Rescheduling and completing a follow-up (docs/follow-ups.md) is an update of the activity.
  'activity.update',
];

export const DEFAULT_ROLES: Role[] = [
  {
    id: 'role-rep',
    key: 'rep',
    name: 'Sales rep',
    actions: REP_ACTIONS,
    dataScope: 'own',
    readClearance: 'sensitive',
    writeClearance: 'sensitive',
    offline: { ...DEFAULT_OFFLINE_POLICY },
  },
  {
    id: 'role-manager',
    key: 'manager',
    name: 'Sales manager',
    actions: [...REP_ACTIONS, 'customer.delete', 'customer.reassign', 'customer.export', 'dashboard.team'],
    dataScope: 'team',
    readClearance: 'confidential',
    writeClearance: 'confidential',
    offline: { ...DEFAULT_OFFLINE_POLICY, exportAllowed: true },
  },
  {
    id: 'role-director',
    key: 'director',
    name: 'Sales director',
    // Read-only on the region: no create/update/delete/reassign on any entity.
    actions: ['customer.read', 'contact.read', 'opportunity.read', 'activity.read', 'customer.export', 'dashboard.team'],
    dataScope: 'unit',
    readClearance: 'confidential',
    writeClearance: 'public',
    offline: { ...DEFAULT_OFFLINE_POLICY, exportAllowed: true },
  },
  {
    id: 'role-service',
    key: 'service',
    name: 'Customer service',
    // Service notes only: no customer.update/delete, so customer master data stays untouchable.
    actions: ['customer.read', 'contact.read', 'activity.read', 'activity.create'],
    dataScope: 'unit',
    readClearance: 'sensitive',
    // 'internal' because an activity's text is classified internal: at 'public' a service
    // agent could not write the text of a service note at all.
    writeClearance: 'internal',
    offline: { ...DEFAULT_OFFLINE_POLICY },
  },
  {
    id: 'role-it-admin',
    key: 'it_admin',
    name: 'IT admin',
    // audit.read: the IT admin reads the audit trail and alerts and verifies the chain (but holds no customer data).
    actions: ['admin.users', 'admin.devices', 'admin.roles', 'review.conduct', 'audit.read'],
    dataScope: 'none',
    readClearance: 'public',
    writeClearance: 'public',
    offline: { ...DEFAULT_OFFLINE_POLICY, exportAllowed: false },
  },
  {
    id: 'role-auditor',
    key: 'auditor',
    name: 'Auditor',
    // Reads and exports the audit trail and review results; decides nothing (separation of
    // duties: an auditor who could revoke access would be auditing their own decisions).
    actions: ['audit.read'],
    dataScope: 'none',
    readClearance: 'public',
    writeClearance: 'public',
    offline: { ...DEFAULT_OFFLINE_POLICY },
  },
];

export const DEFAULT_ROLE_IDS = {
  rep: 'role-rep',
  manager: 'role-manager',
  director: 'role-director',
  service: 'role-service',
  it_admin: 'role-it-admin',
  auditor: 'role-auditor',
} as const;
