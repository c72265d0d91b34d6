// Table-driven tests of the permission engine. Every expected value comes from the truth
// tables written out below (the permission model stated from its rules, independently of the
// code), never from the engine.

import { describe, expect, it } from 'vitest';
import type { Action, DataScope, FieldClassification, FieldLevel, OrgUnit, Role, RoleKey, Share, User } from '../domain/model';
import { ALL_ACTIONS, DATA_SCOPES, DEFAULT_CLASSIFICATION, FIELD_LEVELS } from '../domain/model';
import { DEFAULT_ROLES } from './default-roles';
import {
  authorize,
  buildOrgTree,
  fieldsAboveWriteClearance,
  projectRecord,
  readableFields,
  recordAccess,
  recordBuckets,
  scopeUnitIds,
  sharesForSubject,
  subjectBuckets,
  writableFields,
  type RecordScope,
  type Subject,
} from './engine';

// ---- the org fixture -----------------------------------------------------------------------
//   company
//   ├─ north (region)           ← a region head sits here, above the subject
//   │  ├─ b-home (branch)        ← the subject sits here
//   │  │  └─ t-home-sub (team)   ← below the subject's unit
//   │  └─ b-managed (branch)     ← the subject manages it (outside its own unit subtree)
//   │     └─ t-managed-sub (team)
//   └─ south (region)
//      └─ t-south (team)         ← another region
const UNITS: OrgUnit[] = [
  { id: 'company', parentId: null, name: 'Company', kind: 'company' },
  { id: 'north', parentId: 'company', name: 'North', kind: 'region' },
  { id: 'b-home', parentId: 'north', name: 'Home branch', kind: 'branch' },
  { id: 't-home-sub', parentId: 'b-home', name: 'Home sub-team', kind: 'team' },
  { id: 'b-managed', parentId: 'north', name: 'Managed branch', kind: 'branch' },
  { id: 't-managed-sub', parentId: 'b-managed', name: 'Managed sub-team', kind: 'team' },
  { id: 'south', parentId: 'company', name: 'South', kind: 'region' },
  { id: 't-south', parentId: 'south', name: 'South team', kind: 'team' },
];
const tree = buildOrgTree(UNITS);
const NOW = 1_800_000_000_000;

function user(id: string, unitId: string, extra: Partial<User> = {}): User {
  return { id, username: id, displayName: id, unitId, roleId: 'r', managedUnitIds: [], status: 'active', ...extra };
}

const ME = user('me', 'b-home', { managedUnitIds: ['b-managed'] });

// One owner per record relation.
const RELATIONS = ['own', 'sameUnit', 'unitSubtree', 'managedUnit', 'managedSubtree', 'aboveMyUnit', 'otherRegion'] as const;
type Relation = (typeof RELATIONS)[number];
const OWNERS: Record<Relation, User> = {
  own: ME,
  sameUnit: user('peer', 'b-home'),
  unitSubtree: user('below', 't-home-sub'),
  managedUnit: user('managed', 'b-managed'),
  managedSubtree: user('managed-below', 't-managed-sub'),
  aboveMyUnit: user('region-head', 'north'),
  otherRegion: user('south-rep', 't-south'),
};
const recordOf = (relation: Relation): RecordScope => ({
  customerId: `cust-${relation}`,
  ownerId: OWNERS[relation].id,
  ownerUnitId: OWNERS[relation].unitId,
});

// ---- truth tables --------------------------------------------------------------------------

/** Which record relations each data scope covers (shared/domain/model.ts: own, team = managed units with subtrees, unit = own unit subtree, all, none). */
const SCOPE_COVERS: Record<DataScope, Record<Relation, boolean>> = {
  own: { own: true, sameUnit: false, unitSubtree: false, managedUnit: false, managedSubtree: false, aboveMyUnit: false, otherRegion: false },
  team: { own: true, sameUnit: false, unitSubtree: false, managedUnit: true, managedSubtree: true, aboveMyUnit: false, otherRegion: false },
  unit: { own: true, sameUnit: true, unitSubtree: true, managedUnit: false, managedSubtree: false, aboveMyUnit: false, otherRegion: false },
  all: { own: true, sameUnit: true, unitSubtree: true, managedUnit: true, managedSubtree: true, aboveMyUnit: true, otherRegion: true },
  none: { own: false, sameUnit: false, unitSubtree: false, managedUnit: false, managedSubtree: false, aboveMyUnit: false, otherRegion: false },
};

/** The default roles' actions, written out by hand. */
const ROLE_ACTIONS: Record<RoleKey, Action[]> = {
  rep: [
    'customer.read', 'customer.create', 'customer.update',
    'contact.read', 'contact.create', 'contact.update',
    'opportunity.read', 'opportunity.create', 'opportunity.update',
    'activity.read', 'activity.create', 'activity.update',
  ],
  manager: [
    'customer.read', 'customer.create', 'customer.update', 'customer.delete', 'customer.reassign', 'customer.export',
    'contact.read', 'contact.create', 'contact.update',
    'opportunity.read', 'opportunity.create', 'opportunity.update',
    'activity.read', 'activity.create', 'activity.update',
    'dashboard.team',
  ],
  director: ['customer.read', 'contact.read', 'opportunity.read', 'activity.read', 'customer.export', 'dashboard.team'],
  service: ['customer.read', 'contact.read', 'activity.read', 'activity.create'],
  it_admin: ['admin.users', 'admin.devices', 'admin.roles', 'review.conduct', 'audit.read'],
  auditor: ['audit.read'],
};

const ROLE_SETTINGS: Record<RoleKey, { id: string; scope: DataScope; read: FieldLevel; write: FieldLevel; export: boolean }> = {
  rep: { id: 'role-rep', scope: 'own', read: 'sensitive', write: 'sensitive', export: false },
  manager: { id: 'role-manager', scope: 'team', read: 'confidential', write: 'confidential', export: true },
  director: { id: 'role-director', scope: 'unit', read: 'confidential', write: 'public', export: true },
  service: { id: 'role-service', scope: 'unit', read: 'sensitive', write: 'internal', export: false },
  it_admin: { id: 'role-it-admin', scope: 'none', read: 'public', write: 'public', export: false },
  auditor: { id: 'role-auditor', scope: 'none', read: 'public', write: 'public', export: false },
};

const ADMIN_ONLY: Action[] = ['dashboard.team', 'admin.users', 'admin.devices', 'admin.roles', 'audit.read', 'review.conduct'];

/** Expected decision for one cell, from the tables above. */
function expectedDecision(actions: readonly Action[], scope: DataScope, action: Action, relation: Relation): string {
  if (!actions.includes(action)) return 'deny:no_action';
  if (ADMIN_ONLY.includes(action)) return 'allow';
  return SCOPE_COVERS[scope][relation] ? 'allow' : 'deny:out_of_scope';
}

function roleByKey(key: RoleKey): Role {
  const role = DEFAULT_ROLES.find((r) => r.key === key);
  if (!role) throw new Error(`missing default role ${key}`);
  return role;
}

const subjectWith = (role: Role, u: User = ME): Subject => ({ user: u, role });
const decisionText = (d: { allowed: boolean; reason?: string }) => (d.allowed ? 'allow' : `deny:${d.reason}`);

// ---- default roles -------------------------------------------------------------------------

describe('DEFAULT_ROLES', () => {
  it('ships exactly the six roles with stable ids and keys', () => {
    expect(DEFAULT_ROLES.map((r) => [r.key, r.id])).toEqual(
      Object.entries(ROLE_SETTINGS).map(([key, s]) => [key, s.id]),
    );
  });

  it.each(Object.keys(ROLE_SETTINGS) as RoleKey[])('%s has the expected actions, scope, clearances and policy', (key) => {
    const role = roleByKey(key);
    const settings = ROLE_SETTINGS[key];
    expect([...role.actions].sort()).toEqual([...ROLE_ACTIONS[key]].sort());
    expect(role.dataScope).toBe(settings.scope);
    expect(role.readClearance).toBe(settings.read);
    expect(role.writeClearance).toBe(settings.write);
    expect(role.offline).toEqual({ offlineAllowed: true, leaseHours: 72, wipeAfterHours: 336, exportAllowed: settings.export, maxDevices: 2 });
  });
});

// ---- role × scope × action × relation ------------------------------------------------------

describe.each(Object.keys(ROLE_ACTIONS) as RoleKey[])('authorize: role %s', (key) => {
  it.each([...DATA_SCOPES])('with data scope %s, every action on every record relation', (scope) => {
    const role: Role = { ...roleByKey(key), dataScope: scope };
    const subject = subjectWith(role);
    const actual: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const action of ALL_ACTIONS) {
      for (const relation of RELATIONS) {
        const cell = `${action} @ ${relation}`;
        const target = ADMIN_ONLY.includes(action) ? undefined : { record: recordOf(relation), shares: [], now: NOW };
        actual[cell] = decisionText(authorize(subject, action, tree, target));
        expected[cell] = expectedDecision(ROLE_ACTIONS[key], scope, action, relation);
      }
    }
    expect(actual).toEqual(expected);
  });
});

describe('authorize: edge cases', () => {
  const manager = roleByKey('manager');

  it('denies a deactivated user everything, admin actions included', () => {
    const inactive = subjectWith({ ...manager, actions: [...ALL_ACTIONS], dataScope: 'all' }, { ...ME, status: 'deactivated' });
    for (const action of ALL_ACTIONS) {
      const target = { record: recordOf('own'), shares: [], now: NOW };
      expect(decisionText(authorize(inactive, action, tree, target))).toBe('deny:inactive');
      expect(decisionText(authorize(inactive, action, tree))).toBe('deny:inactive');
    }
  });

  it('refuses a record action without a record (fail closed)', () => {
    expect(decisionText(authorize(subjectWith(manager), 'customer.read', tree))).toBe('deny:out_of_scope');
  });

  it('admin actions need only the action, whatever record is passed', () => {
    const admin = subjectWith(roleByKey('it_admin'));
    expect(decisionText(authorize(admin, 'admin.devices', tree, { record: recordOf('otherRegion'), shares: [], now: NOW }))).toBe('allow');
  });

  it('treats a record owned by the subject in an unknown unit as own', () => {
    const record = { customerId: 'c', ownerId: 'me', ownerUnitId: 'ghost-unit' };
    expect(recordAccess(subjectWith(roleByKey('rep')), tree, record, [], NOW)).toBe('write');
    expect(recordAccess(subjectWith({ ...manager, dataScope: 'unit' }), tree, { ...record, ownerId: 'x' }, [], NOW)).toBe('none');
  });
});

// ---- shares -----------------------------------------------------------------------------------

function share(id: string, extra: Partial<Share>): Share {
  return { id, customerId: 'cust-otherRegion', granteeType: 'user', granteeId: 'me', access: 'read', expiresAt: null, revokedAt: null, ...extra };
}

/** Each share alone, on the other-region customer (outside every scope but 'all'); expected access for a rep ('own'). */
const SHARE_CASES: { name: string; share: Share; access: 'none' | 'read' | 'write' }[] = [
  { name: 'user share, read', share: share('s1', {}), access: 'read' },
  { name: 'user share, write', share: share('s2', { access: 'write' }), access: 'write' },
  { name: 'share to another user', share: share('s3', { granteeId: 'peer' }), access: 'none' },
  { name: 'unit share to my own unit', share: share('s4', { granteeType: 'unit', granteeId: 'b-home' }), access: 'read' },
  { name: 'unit share to my region (ancestor)', share: share('s5', { granteeType: 'unit', granteeId: 'north', access: 'write' }), access: 'write' },
  { name: 'unit share to the company (root ancestor)', share: share('s6', { granteeType: 'unit', granteeId: 'company' }), access: 'read' },
  { name: 'unit share to a unit below mine', share: share('s7', { granteeType: 'unit', granteeId: 't-home-sub' }), access: 'none' },
  { name: 'unit share to another region', share: share('s8', { granteeType: 'unit', granteeId: 'south' }), access: 'none' },
  { name: 'unit share whose id is my user id', share: share('s9', { granteeType: 'unit', granteeId: 'me' }), access: 'none' },
  { name: 'expired exactly now', share: share('s10', { access: 'write', expiresAt: NOW }), access: 'none' },
  { name: 'expired in the past', share: share('s11', { expiresAt: NOW - 1 }), access: 'none' },
  { name: 'expires in the future', share: share('s12', { access: 'write', expiresAt: NOW + 1 }), access: 'write' },
  { name: 'revoked', share: share('s13', { access: 'write', revokedAt: NOW - 1000 }), access: 'none' },
  { name: 'share of a different customer', share: share('s14', { customerId: 'cust-sameUnit', access: 'write' }), access: 'none' },
];

describe('shares', () => {
  const rep = subjectWith(roleByKey('rep'));
  const target = recordOf('otherRegion');

  it.each(SHARE_CASES)('$name → $access', ({ share: s, access }) => {
    expect(recordAccess(rep, tree, target, [s], NOW)).toBe(access);
    // The same share under 'none' never grants anything.
    expect(recordAccess(subjectWith({ ...roleByKey('rep'), dataScope: 'none' }), tree, target, [s], NOW)).toBe('none');
  });

  it.each(SHARE_CASES)('$name: authorize read/update follows the access', ({ share: s, access }) => {
    const read = decisionText(authorize(rep, 'customer.read', tree, { record: target, shares: [s], now: NOW }));
    const update = decisionText(authorize(rep, 'customer.update', tree, { record: target, shares: [s], now: NOW }));
    const expected = { none: ['deny:out_of_scope', 'deny:out_of_scope'], read: ['allow', 'deny:read_only_share'], write: ['allow', 'allow'] }[access];
    expect([read, update]).toEqual(expected);
  });

  it('write share still needs the action (director is read-only)', () => {
    const director = subjectWith(roleByKey('director'));
    const s = share('w', { access: 'write' });
    for (const action of ['customer.update', 'customer.delete', 'customer.reassign', 'contact.create', 'activity.create'] as Action[]) {
      expect(decisionText(authorize(director, action, tree, { record: target, shares: [s], now: NOW }))).toBe('deny:no_action');
    }
    expect(decisionText(authorize(director, 'customer.export', tree, { record: target, shares: [s], now: NOW }))).toBe('allow');
  });

  it('a read share plus a write share gives write; read shares never upgrade write-needing verbs', () => {
    const both = [share('r', {}), share('w', { access: 'write' })];
    expect(recordAccess(rep, tree, target, both, NOW)).toBe('write');
    const manager = subjectWith({ ...roleByKey('manager'), dataScope: 'own' });
    for (const verb of ['create', 'update', 'delete', 'reassign'] as const) {
      expect(decisionText(authorize(manager, `customer.${verb}`, tree, { record: target, shares: [share('r', {})], now: NOW }))).toBe('deny:read_only_share');
    }
    expect(decisionText(authorize(manager, 'customer.export', tree, { record: target, shares: [share('r', {})], now: NOW }))).toBe('allow');
  });

  it('sharesForSubject returns exactly the active shares that reach the subject', () => {
    const all = SHARE_CASES.map((c) => c.share);
    // reaching & active: s1 s2 s4 s5 s6 s12 and s14 (another customer, but it reaches me)
    expect(sharesForSubject(rep, tree, all, NOW).map((s) => s.id)).toEqual(['s1', 's2', 's4', 's5', 's6', 's12', 's14']);
    expect(sharesForSubject(subjectWith({ ...roleByKey('rep'), dataScope: 'none' }), tree, all, NOW)).toEqual([]);
    expect(sharesForSubject(subjectWith(roleByKey('rep'), { ...ME, status: 'deactivated' }), tree, all, NOW)).toEqual([]);
  });
});

// ---- org tree -------------------------------------------------------------------------------

describe('buildOrgTree', () => {
  it('lists ancestors nearest first and answers isWithin', () => {
    expect(tree.ancestors('t-managed-sub')).toEqual(['t-managed-sub', 'b-managed', 'north', 'company']);
    expect(tree.ancestors('company')).toEqual(['company']);
    expect(tree.ancestors('nowhere')).toEqual(['nowhere']);
    expect(tree.isWithin('t-home-sub', 'north')).toBe(true);
    expect(tree.isWithin('t-home-sub', 't-home-sub')).toBe(true);
    expect(tree.isWithin('north', 't-home-sub')).toBe(false);
    expect(tree.isWithin('t-south', 'north')).toBe(false);
  });

  it('survives a parent cycle in bad data', () => {
    const cyclic = buildOrgTree([
      { id: 'a', parentId: 'b', name: 'a', kind: 'team' },
      { id: 'b', parentId: 'a', name: 'b', kind: 'team' },
    ]);
    expect(cyclic.ancestors('a')).toEqual(['a', 'b']);
    expect(cyclic.isWithin('a', 'zzz')).toBe(false);
  });
});

// ---- scope units and buckets ----------------------------------------------------------------

const USERS = Object.values(OWNERS);
const SCOPE_UNITS: Record<DataScope, string[] | 'all'> = {
  own: [],
  team: ['b-managed', 't-managed-sub'],
  unit: ['b-home', 't-home-sub'],
  all: 'all',
  none: [],
};
const SCOPE_OWNER_BUCKETS: Record<DataScope, string[]> = {
  own: ['o:me'],
  team: ['o:me', 'o:managed', 'o:managed-below'],
  unit: ['o:me', 'o:peer', 'o:below'],
  all: ['o:me', 'o:peer', 'o:below', 'o:managed', 'o:managed-below', 'o:region-head', 'o:south-rep'],
  none: [],
};

describe.each([...DATA_SCOPES])('scope %s', (scope) => {
  const subject = subjectWith({ ...roleByKey('manager'), dataScope: scope });

  it('scopeUnitIds', () => {
    const units = scopeUnitIds(subject, tree);
    const expected = SCOPE_UNITS[scope];
    expect(units === 'all' ? 'all' : [...units].sort()).toEqual(expected === 'all' ? 'all' : [...expected].sort());
  });

  it('subjectBuckets without shares', () => {
    expect(subjectBuckets(subject, tree, USERS, [], NOW).sort()).toEqual([...SCOPE_OWNER_BUCKETS[scope]].sort());
  });

  it('subjectBuckets adds active reaching shares (except under none)', () => {
    const shares = SHARE_CASES.map((c) => c.share);
    const shareBuckets = scope === 'none' ? [] : ['s:s1', 's:s2', 's:s4', 's:s5', 's:s6', 's:s12', 's:s14'];
    expect(subjectBuckets(subject, tree, USERS, shares, NOW).sort()).toEqual([...SCOPE_OWNER_BUCKETS[scope], ...shareBuckets].sort());
  });

  it('is empty for a deactivated user', () => {
    const inactive = subjectWith(subject.role, { ...ME, status: 'deactivated' });
    expect(subjectBuckets(inactive, tree, USERS, [share('x', {})], NOW)).toEqual([]);
    const units = scopeUnitIds(inactive, tree);
    expect(units === 'all' ? 'all' : [...units]).toEqual([]);
  });
});

describe('recordBuckets', () => {
  it('is the owner bucket plus one bucket per share of this customer', () => {
    const record = recordOf('otherRegion');
    const shares = [share('a', {}), share('b', { granteeType: 'unit', granteeId: 'north' }), share('c', { customerId: 'other' })];
    expect(recordBuckets(record, shares)).toEqual(['o:south-rep', 's:a', 's:b']);
    expect(recordBuckets(record, [])).toEqual(['o:south-rep']);
    expect(recordBuckets(record, [share('r', { revokedAt: 1 })])).toEqual(['o:south-rep']);
  });

  it('a record is visible through buckets exactly when recordAccess says so', () => {
    // The bucket model and the record check are two statements of one rule: they must agree.
    const shares = SHARE_CASES.map((c) => c.share);
    for (const scope of DATA_SCOPES) {
      const subject = subjectWith({ ...roleByKey('manager'), dataScope: scope });
      const mine = new Set(subjectBuckets(subject, tree, USERS, shares, NOW));
      for (const relation of RELATIONS) {
        const record = recordOf(relation);
        const active = shares.filter((s) => s.revokedAt === null && (s.expiresAt === null || s.expiresAt > NOW));
        const viaBuckets = recordBuckets(record, active).some((b) => mine.has(b));
        expect([scope, relation, viaBuckets]).toEqual([scope, relation, recordAccess(subject, tree, record, shares, NOW) !== 'none']);
      }
    }
  });
});

// ---- fields -------------------------------------------------------------------------------

/** READABLE[level][clearance]: a field at `level` is readable at `clearance` (rank order public<internal<sensitive<confidential). */
const READABLE: Record<FieldLevel, Record<FieldLevel, boolean>> = {
  public: { public: true, internal: true, sensitive: true, confidential: true },
  internal: { public: false, internal: true, sensitive: true, confidential: true },
  sensitive: { public: false, internal: false, sensitive: true, confidential: true },
  confidential: { public: false, internal: false, sensitive: false, confidential: true },
};

// One customer field per level; 'notes' is left out of the classification (must act as confidential).
const FIELD_AT: Record<FieldLevel, string> = { public: 'name', internal: 'address', sensitive: 'taxId', confidential: 'creditLimit' };
const TEST_CLASSIFICATION: FieldClassification = {
  ...DEFAULT_CLASSIFICATION,
  customer: { name: 'public', type: 'public', industry: 'public', city: 'public', address: 'internal', tags: 'internal', creditLimit: 'confidential', paymentTerms: 'confidential', taxId: 'sensitive' },
};
const CUSTOMER = {
  id: 'c1', updatedAt: 5, version: 2, ownerId: 'me',
  name: 'Acme', type: 'company', industry: 'x', city: 'Hangzhou', address: 'a', tags: ['t'],
  creditLimit: 1000, paymentTerms: '30d', taxId: 'T1', notes: 'n',
};
const CUSTOMER_FIELDS_BY_LEVEL: Record<FieldLevel, string[]> = {
  public: ['name', 'type', 'industry', 'city'],
  internal: ['address', 'tags'],
  sensitive: ['taxId'],
  confidential: ['creditLimit', 'paymentTerms', 'notes'],
};

describe.each([...FIELD_LEVELS])('field at level %s', (level) => {
  it.each([...FIELD_LEVELS])('at clearance %s', (clearance) => {
    const field = FIELD_AT[level];
    const readable = READABLE[level][clearance];
    expect(readableFields('customer', clearance, TEST_CLASSIFICATION).includes(field)).toBe(readable);
    expect(writableFields('customer', clearance, TEST_CLASSIFICATION).includes(field)).toBe(readable);
    expect(fieldsAboveWriteClearance('customer', [field], clearance, TEST_CLASSIFICATION)).toEqual(readable ? [] : [field]);
    const projected = projectRecord('customer', CUSTOMER, clearance, TEST_CLASSIFICATION);
    expect(field in projected).toBe(readable);
    // Structural fields always stay.
    expect(projected).toMatchObject({ id: 'c1', updatedAt: 5, version: 2, ownerId: 'me' });
  });
});

describe('field clearance', () => {
  it.each([...FIELD_LEVELS])('readableFields at %s lists exactly the fields at or below it', (clearance) => {
    const expected = FIELD_LEVELS.filter((level) => READABLE[level][clearance]).flatMap((level) => CUSTOMER_FIELDS_BY_LEVEL[level]);
    expect(readableFields('customer', clearance, TEST_CLASSIFICATION).sort()).toEqual(expected.sort());
    const projected = projectRecord('customer', CUSTOMER, clearance, TEST_CLASSIFICATION);
    expect(Object.keys(projected).sort()).toEqual(['id', 'updatedAt', 'version', 'ownerId', ...expected].sort());
  });

  it.each(FIELD_LEVELS.flatMap((w) => FIELD_LEVELS.map((r) => [w, r] as const)))(
    'write %s with read %s: writable only when readable too',
    (write, read) => {
      const expected = FIELD_LEVELS.filter((level) => READABLE[level][write] && READABLE[level][read]).flatMap((l) => CUSTOMER_FIELDS_BY_LEVEL[l]);
      expect(writableFields('customer', write, TEST_CLASSIFICATION, read).sort()).toEqual([...expected].sort());
      const all = Object.values(CUSTOMER_FIELDS_BY_LEVEL).flat();
      expect(fieldsAboveWriteClearance('customer', all, write, TEST_CLASSIFICATION, read).sort()).toEqual(all.filter((f) => !expected.includes(f)).sort());
    },
  );

  it('removes keys instead of nulling them, and does not mutate the input', () => {
    const projected = projectRecord('customer', CUSTOMER, 'public', DEFAULT_CLASSIFICATION);
    expect(Object.prototype.hasOwnProperty.call(projected, 'creditLimit')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(projected, 'taxId')).toBe(false);
    expect(CUSTOMER.creditLimit).toBe(1000);
  });

  it('treats unknown record keys and unknown level strings as confidential', () => {
    const odd = { ...CUSTOMER, secretExtra: 'x' };
    expect('secretExtra' in projectRecord('customer', odd, 'sensitive', DEFAULT_CLASSIFICATION)).toBe(false);
    expect('secretExtra' in projectRecord('customer', odd, 'confidential', DEFAULT_CLASSIFICATION)).toBe(true);
    const broken = { ...DEFAULT_CLASSIFICATION, customer: { ...DEFAULT_CLASSIFICATION.customer, name: 'bogus' as FieldLevel } };
    expect(readableFields('customer', 'sensitive', broken)).not.toContain('name');
    expect(readableFields('customer', 'confidential', broken)).toContain('name');
  });

  it('is not fooled by prototype keys', () => {
    const hostile = JSON.parse('{"id":"c","updatedAt":1,"version":1,"ownerId":"me","__proto__":{"polluted":true},"constructor":"x"}');
    const projected = projectRecord('customer', hostile, 'sensitive', DEFAULT_CLASSIFICATION);
    expect(Object.keys(projected).sort()).toEqual(['id', 'ownerId', 'updatedAt', 'version']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not report structural fields as above clearance', () => {
    expect(fieldsAboveWriteClearance('contact', ['customerId', 'name', 'phone'], 'public', DEFAULT_CLASSIFICATION)).toEqual(['phone']);
  });

  it('the default classification keeps credit limit and payment terms confidential, tax id and contact channels sensitive, amounts internal', () => {
    expect(readableFields('customer', 'sensitive', DEFAULT_CLASSIFICATION)).not.toContain('creditLimit');
    expect(readableFields('customer', 'sensitive', DEFAULT_CLASSIFICATION)).not.toContain('paymentTerms');
    expect(readableFields('customer', 'internal', DEFAULT_CLASSIFICATION)).not.toContain('taxId');
    expect(readableFields('contact', 'internal', DEFAULT_CLASSIFICATION).sort()).toEqual(['name', 'title']);
    expect(readableFields('opportunity', 'public', DEFAULT_CLASSIFICATION)).not.toContain('amount');
  });
});
