// Table-driven tests of separation of duties. Expected values are written out by hand from the
// rules (administering vs record-working roles; what counts as widening), never computed.

import { describe, expect, it } from 'vitest';
import type { Action, DataScope, OrgUnit, Role, User } from '../domain/model';
import { DEFAULT_OFFLINE_POLICY } from '../domain/model';
import { DEFAULT_ROLES } from './default-roles';
import { buildOrgTree } from './engine';
import {
  actionKind,
  actorCoversPlacement,
  actorCoversRole,
  roleDutyViolation,
  roleKind,
  roleWidening,
  userChangeWidens,
  type WideningReason,
} from './separation';

const UNITS: OrgUnit[] = [
  { id: 'company', parentId: null, name: 'Company', kind: 'company' },
  { id: 'east', parentId: 'company', name: 'East', kind: 'region' },
  { id: 'sh', parentId: 'east', name: 'Shanghai', kind: 'branch' },
  { id: 'team-a', parentId: 'sh', name: 'A', kind: 'team' },
  { id: 'team-b', parentId: 'sh', name: 'B', kind: 'team' },
  { id: 'west', parentId: 'company', name: 'West', kind: 'region' },
];
const tree = buildOrgTree(UNITS);

function role(actions: Action[], dataScope: DataScope, extra: Partial<Role> = {}): Role {
  return {
    id: 'r', key: null, name: 'r', actions, dataScope, readClearance: 'internal', writeClearance: 'internal',
    offline: { ...DEFAULT_OFFLINE_POLICY }, ...extra,
  };
}

function user(unitId: string, extra: Partial<User> = {}): User {
  return { id: 'u', username: 'u', displayName: 'u', unitId, roleId: 'r', managedUnitIds: [], status: 'active', ...extra };
}

describe('action and role kinds', () => {
  it.each<[Action, 'administering' | 'record']>([
    ['admin.users', 'administering'], ['admin.devices', 'administering'], ['admin.roles', 'administering'],
    ['audit.read', 'administering'], ['review.conduct', 'administering'],
    ['customer.read', 'record'], ['contact.update', 'record'], ['opportunity.export', 'record'],
    ['activity.create', 'record'], ['dashboard.team', 'record'],
  ])('%s is %s', (action, kind) => expect(actionKind(action)).toBe(kind));

  it.each<[string, Action[], DataScope, string, string | null]>([
    ['record role', ['customer.read', 'dashboard.team'], 'team', 'record', null],
    ['admin role', ['admin.users', 'audit.read'], 'none', 'administering', null],
    ['empty role', [], 'own', 'empty', null],
    ['admin + customer.read', ['admin.roles', 'customer.read'], 'none', 'mixed', 'mixed_duties'],
    ['audit + dashboard', ['audit.read', 'dashboard.team'], 'none', 'mixed', 'mixed_duties'],
    ['review + activity', ['review.conduct', 'activity.read'], 'all', 'mixed', 'mixed_duties'],
    ['admin with scope all', ['admin.users'], 'all', 'administering', 'admin_scope_not_none'],
    ['auditor with scope own', ['audit.read'], 'own', 'administering', 'admin_scope_not_none'],
  ])('%s', (_name, actions, scope, kind, violation) => {
    expect(roleKind({ actions })).toBe(kind);
    expect(roleDutyViolation({ actions, dataScope: scope })).toBe(violation);
  });

  it('every shipped role obeys separation of duties; the auditor only reads', () => {
    for (const r of DEFAULT_ROLES) expect([r.key, roleDutyViolation(r)]).toEqual([r.key, null]);
    const auditor = DEFAULT_ROLES.find((r) => r.key === 'auditor')!;
    expect(auditor.actions).toEqual(['audit.read']);
    const it = DEFAULT_ROLES.find((r) => r.key === 'it_admin')!;
    expect(it.actions).toEqual(expect.arrayContaining(['audit.read', 'review.conduct']));
  });
});

describe('roleWidening', () => {
  const base = role(['customer.read', 'customer.update'], 'team');
  it.each<[string, Partial<Role>, WideningReason[]]>([
    ['no change', {}, []],
    ['drops an action', { actions: ['customer.read'] }, []],
    ['gains an action', { actions: ['customer.read', 'customer.update', 'customer.delete'] }, ['actions_gained']],
    ['swaps an action', { actions: ['customer.read', 'customer.export'] }, ['actions_gained']],
    ['team → all', { dataScope: 'all' }, ['scope_widened']],
    ['team → unit', { dataScope: 'unit' }, ['scope_widened']],
    ['team → own', { dataScope: 'own' }, []],
    ['team → none', { dataScope: 'none' }, []],
    ['read clearance up', { readClearance: 'confidential' }, ['read_clearance_raised']],
    ['read clearance down', { readClearance: 'public' }, []],
    ['write clearance up', { writeClearance: 'sensitive' }, ['write_clearance_raised']],
    ['longer lease', { offline: { ...DEFAULT_OFFLINE_POLICY, leaseHours: 200 } }, ['offline_loosened']],
    ['export allowed', { offline: { ...DEFAULT_OFFLINE_POLICY, exportAllowed: true } }, ['offline_loosened']],
    ['more devices', { offline: { ...DEFAULT_OFFLINE_POLICY, maxDevices: 5 } }, ['offline_loosened']],
    ['later wipe', { offline: { ...DEFAULT_OFFLINE_POLICY, wipeAfterHours: 10_000 } }, ['offline_loosened']],
    ['offline forbidden', { offline: { ...DEFAULT_OFFLINE_POLICY, offlineAllowed: false } }, []],
    ['shorter lease', { offline: { ...DEFAULT_OFFLINE_POLICY, leaseHours: 8 } }, []],
    ['scope all + clearance + action', { dataScope: 'all', readClearance: 'confidential', actions: ['customer.read', 'customer.update', 'customer.export'] },
      ['actions_gained', 'scope_widened', 'read_clearance_raised']],
  ])('%s', (_name, patch, expected) => {
    expect(roleWidening(base, { ...base, ...patch })).toEqual(expected);
  });

  it.each<[DataScope, DataScope, boolean]>([
    ['none', 'own', true], ['own', 'team', true], ['own', 'unit', true], ['unit', 'all', true], ['none', 'all', true],
    ['all', 'unit', false], ['unit', 'own', false], ['own', 'none', false], ['all', 'all', false], ['unit', 'team', true],
  ])('scope %s → %s widens: %s', (from, to, widens) => {
    expect(roleWidening(role([], from), role([], to)).includes('scope_widened')).toBe(widens);
  });
});

describe('userChangeWidens', () => {
  const rep = role(['customer.read'], 'own');
  const director = role(['customer.read', 'dashboard.team'], 'unit', { readClearance: 'confidential' });
  const manager = role(['customer.read', 'dashboard.team'], 'team');
  const admin = role(['admin.users'], 'none');
  it.each<[string, { user: User; role: Role } | null, { user: User; role: Role }, WideningReason[]]>([
    ['new rep', null, { user: user('team-a'), role: rep },
      ['actions_gained', 'scope_widened', 'read_clearance_raised', 'write_clearance_raised']],
    ['new user without actions', null, { user: user('team-a'), role: role([], 'none') }, []],
    ['new admin', null, { user: user('company'), role: admin }, ['actions_gained', 'read_clearance_raised', 'write_clearance_raised']],
    ['rep → director', { user: user('team-a'), role: rep }, { user: user('team-a'), role: director },
      ['actions_gained', 'read_clearance_raised', 'scope_widened']],
    ['director → rep', { user: user('east'), role: director }, { user: user('east'), role: rep }, []],
    ['admin → director', { user: user('company'), role: admin }, { user: user('company'), role: director },
      ['actions_gained', 'read_clearance_raised', 'scope_widened', 'share_reach_gained']],
    ['director moved up (east → company)', { user: user('east'), role: director }, { user: user('company'), role: director }, ['units_gained']],
    ['director moved down (east → sh): smaller subtree, but unit shares to sh now reach',
      { user: user('east'), role: director }, { user: user('sh'), role: director }, ['share_reach_gained']],
    ['rep moved sideways (team-a → team-b)', { user: user('team-a'), role: rep }, { user: user('team-b'), role: rep }, ['share_reach_gained']],
    ['rep moved up (team-a → sh)', { user: user('team-a'), role: rep }, { user: user('sh'), role: rep }, []],
    ['manager gains a managed unit', { user: user('sh', { managedUnitIds: ['team-a'] }), role: manager },
      { user: user('sh', { managedUnitIds: ['team-a', 'team-b'] }), role: manager }, ['units_gained']],
    ['manager loses a managed unit', { user: user('sh', { managedUnitIds: ['team-a', 'team-b'] }), role: manager },
      { user: user('sh', { managedUnitIds: ['team-a'] }), role: manager }, []],
    ['manager manages the parent instead', { user: user('sh', { managedUnitIds: ['team-a'] }), role: manager },
      { user: user('sh', { managedUnitIds: ['sh'] }), role: manager }, ['units_gained']],
    ['admin moved to another unit (scope none)', { user: user('company'), role: admin }, { user: user('west'), role: admin }, []],
    ['deactivated', { user: user('team-a'), role: rep }, { user: user('team-a', { status: 'deactivated' }), role: rep }, []],
    ['reactivated', { user: user('team-a', { status: 'deactivated' }), role: rep }, { user: user('team-a'), role: rep },
      ['activated', 'share_reach_gained']],
  ])('%s', (_name, before, after, expected) => {
    expect(userChangeWidens(before, after, tree).sort()).toEqual([...expected].sort());
  });
});

describe('covering', () => {
  const admin = { user: user('company'), role: role(['admin.users', 'admin.roles'], 'none') };
  const globalHead = { user: user('company'), role: role(['customer.read', 'customer.update'], 'all', { readClearance: 'confidential' }) };
  const branchHead = { user: user('sh'), role: role(['customer.read', 'customer.update'], 'unit', { readClearance: 'confidential' }) };
  const rep = role(['customer.read'], 'own');

  it.each<[string, typeof admin, Role, boolean]>([
    ['an administrator never covers a role', admin, rep, false],
    ['a scope-all head covers a role granting less', globalHead, rep, true],
    ['… but not one granting an action it lacks', globalHead, role(['customer.delete'], 'own'), false],
    ['a unit-scoped head covers no role (holders may be anywhere)', branchHead, rep, false],
  ])('%s', (_name, actor, granted, expected) => expect(actorCoversRole(actor, granted)).toBe(expected));

  it.each<[string, typeof admin, { user: User; role: Role }, boolean]>([
    ['an administrator never covers a placement', admin, { user: user('team-a'), role: rep }, false],
    ['a branch head covers a rep inside the branch', branchHead, { user: user('team-a'), role: rep }, true],
    ['… not a rep in another region', branchHead, { user: user('west'), role: rep }, false],
    ['… not a unit-scoped role one level up', branchHead, { user: user('east'), role: role(['customer.read'], 'unit') }, false],
    ['… not a role with a higher clearance', branchHead, { user: user('team-a'), role: role(['customer.read'], 'own', { readClearance: 'confidential', writeClearance: 'confidential' }) }, false],
    ['a scope-all head covers anyone with less', globalHead, { user: user('west'), role: rep }, true],
  ])('%s', (_name, actor, target, expected) => expect(actorCoversPlacement(actor, target, tree)).toBe(expected));
});
