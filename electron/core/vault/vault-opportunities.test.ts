// The opportunities list, its saved views and the dashboard's filters and funnel, over a real
// SQLCipher vault: each filter selects exactly the matching deals, sorting is total (absent
// values last, the id breaks ties) and pages neither overlap nor skip, a local stage move shows
// at once, and every dashboard figure equals the list under the filter its drill-down sends.
// Sorting is checked by value, not by id among equal values: the tie-breaker is the row's place
// in the vault (rows are clustered by owner), which keeps the page query on the indexes.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault'

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault } from '.';
import { OPEN_STAGES, type TeamDashboardFilter } from '../../../shared/api/opportunities';
import { grantFor, page, tempDir, testKeychain, upsert } from '../../../test/support/vault';
import { stageFunnel } from './dashboard';

let dir: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

const NOW = Date.UTC(2024, 4, 15, 9); // Wednesday 2024-05-15

beforeEach(() => {
  dir = tempDir('vault-opps');
  keychain = testKeychain('vault-opps');
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const DEALS = [
  { id: 'o1', customerId: 'a', title: '服务器扩容', stage: 'lead', amount: 100, expectedCloseDate: '2024-05-01', ownerId: 'u-a', probability: 10 },
  { id: 'o2', customerId: 'a', title: 'ERP 升级', stage: 'proposal', amount: 200, expectedCloseDate: '2024-06-01', ownerId: 'u-a', probability: 50 },
  { id: 'o3', customerId: 'b', title: 'Cloud migration', stage: 'proposal', amount: 50, expectedCloseDate: '2024-05-14', ownerId: 'u-b', probability: 40 },
  { id: 'o4', customerId: 'b', title: '年度维保', stage: 'won', amount: 1000, expectedCloseDate: '2024-01-01', ownerId: 'u-b', probability: 100 },
  { id: 'o5', customerId: 'c', title: '试点', stage: 'lost', amount: 70, expectedCloseDate: '2024-02-01', ownerId: 'u-a', probability: 0 },
  { id: 'o6', customerId: 'c', title: '二期', stage: 'won', amount: 30, expectedCloseDate: '2024-03-01', ownerId: 'u-a', probability: 100 },
  // amount above clearance (absent): counted, sums as 0, sorts last
  { id: 'o7', customerId: 'c', title: '保密项目', stage: 'negotiation', expectedCloseDate: '2024-05-15', ownerId: 'u-b', probability: 70 },
  { id: 'o8', customerId: 'a', title: '培训', stage: 'qualified', amount: 200, expectedCloseDate: '2024-07-01', ownerId: 'u-b', probability: 20 },
];

async function seeded(): Promise<Vault> {
  const v = await Vault.create(join(dir, 'vault.db'), keychain.secrets);
  v.rememberUserNames([{ id: 'u-a', displayName: '张三' }, { id: 'u-b', displayName: '李四' }]);
  v.applyPullPage(
    page({
      upserts: [
        upsert('customer', { id: 'a', name: '华为', ownerId: 'u-a' }, ['o:u-a']),
        upsert('customer', { id: 'b', name: '阿里', ownerId: 'u-b' }, ['o:u-b']),
        upsert('customer', { id: 'c', name: '腾讯', ownerId: 'u-a' }, ['o:u-a'], false),
        ...DEALS.map((d) => upsert('opportunity', d, [`o:${d.ownerId}`])),
        upsert('activity', { id: 'x1', customerId: 'a', kind: 'visit', at: NOW - 2 * 86_400_000, authorId: 'u-a', text: '.' }, ['o:u-a']),
        upsert('activity', { id: 'x2', customerId: 'b', kind: 'call', at: NOW - 40 * 86_400_000, authorId: 'u-b', text: '.' }, ['o:u-b']),
      ],
    }),
    grantFor({ sub: 'u-a', displayName: '张三' }),
  );
  return v;
}

const ids = (v: Vault, input: Parameters<Vault['listOpportunities']>[0]) => v.listOpportunities({ limit: 500, ...input }).rows.map((r) => r.id);

describe('opportunities list', () => {
  it('filters by stage, owner, close date range and amount; counts and sums every match', async () => {
    vault = await seeded();
    expect(ids(vault, { stages: ['proposal'] }).sort()).toEqual(['o2', 'o3']);
    expect(ids(vault, { stages: ['won', 'lost'] }).sort()).toEqual(['o4', 'o5', 'o6']);
    expect(ids(vault, { stages: [] })).toEqual([]);
    expect(ids(vault, { ownerIds: ['u-b'] }).sort()).toEqual(['o3', 'o4', 'o7', 'o8']);
    expect(ids(vault, { closeFrom: '2024-05-01', closeTo: '2024-05-15' }).sort()).toEqual(['o1', 'o3', 'o7']);
    expect(ids(vault, { amountMin: 100, amountMax: 200 }).sort()).toEqual(['o1', 'o2', 'o8']);
    expect(ids(vault, { customerId: 'c' }).sort()).toEqual(['o5', 'o6', 'o7']);
    expect(ids(vault, { stages: ['proposal', 'qualified'], ownerIds: ['u-b'] }).sort()).toEqual(['o3', 'o8']);
    const page1 = vault.listOpportunities({ stages: [...OPEN_STAGES], limit: 2 });
    expect(page1.total).toBe(5);
    expect(page1.amountTotal).toBe(100 + 200 + 50 + 200);
    expect(page1.rows).toHaveLength(2);
  });

  it('rows carry the customer, the owner name, the write verdict and the pending mark', async () => {
    vault = await seeded();
    const [o1] = vault.listOpportunities({ customerId: 'a', sort: 'closeDate' }).rows;
    expect(o1).toMatchObject({ id: 'o1', customerName: '华为', ownerName: '张三', stage: 'lead', amount: 100, writable: true, pending: false });
    expect(vault.listOpportunities({ customerId: 'c' }).rows.every((r) => !r.writable)).toBe(true);
    expect(vault.listOpportunities({ stages: ['negotiation'] }).rows[0]!.amount).toBeNull();
  });

  it('sorts by every column with absent values last, and pages without overlap', async () => {
    vault = await seeded();
    const amountOf = new Map(DEALS.map((d) => [d.id, d.amount ?? null]));
    expect(ids(vault, { sort: 'amount', order: 'desc' }).map((id) => amountOf.get(id))).toEqual([1000, 200, 200, 100, 70, 50, 30, null]);
    expect(ids(vault, { sort: 'amount', order: 'asc' }).map((id) => amountOf.get(id))).toEqual([30, 50, 70, 100, 200, 200, 1000, null]);
    // Pipeline order, not alphabetical (ties are broken by the row's place in the vault).
    const stageOf = new Map(DEALS.map((d) => [d.id, d.stage]));
    expect(ids(vault, { sort: 'stage' }).map((id) => stageOf.get(id))).toEqual(['lead', 'qualified', 'proposal', 'proposal', 'negotiation', 'won', 'won', 'lost']);
    expect(ids(vault, { sort: 'closeDate' })).toEqual(['o4', 'o5', 'o6', 'o1', 'o3', 'o7', 'o2', 'o8']);
    // Names in pinyin order (collation.ts): 阿里 (a li) < 华为 (hua wei) < 腾讯 (teng xun); 李四 (li) before 张三 (zhang).
    const customerOrder = ids(vault, { sort: 'customer' });
    expect([customerOrder.slice(0, 2).sort(), customerOrder.slice(2, 5).sort(), customerOrder.slice(5).sort()]).toEqual([['o3', 'o4'], ['o1', 'o2', 'o8'], ['o5', 'o6', 'o7']]);
    expect(ids(vault, { sort: 'owner', order: 'asc' }).slice(0, 4).sort()).toEqual(['o3', 'o4', 'o7', 'o8']);
    // Titles: bao mi, cloud, er qi, erp, fu, nian, pei, shi — Chinese and Latin interleaved by letter.
    expect(ids(vault, { sort: 'title' })).toEqual(['o7', 'o3', 'o6', 'o2', 'o1', 'o4', 'o8', 'o5']);
    for (const sort of ['closeDate', 'amount', 'title', 'customer', 'stage', 'owner', 'probability', 'updatedAt'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const all = ids(vault, { sort, order });
        const walked: string[] = [];
        for (let offset = 0; offset < all.length; offset += 3) walked.push(...ids(vault, { sort, order, offset, limit: 3 }));
        expect(walked, `${sort} ${order}`).toEqual(all);
        expect(new Set(all).size).toBe(DEALS.length);
      }
    }
  });

  it('a local stage move shows at once, marked pending', async () => {
    vault = await seeded();
    const before = vault.getRecord('opportunity', 'o1')!;
    vault.applyLocalMutation(
      { mutationId: '00000000-0000-4000-8000-000000000001', entity: 'opportunity', op: 'update', recordId: 'o1', baseVersion: 1, fields: { stage: 'qualified' }, baseValues: { stage: before.stage }, createdAt: NOW },
      grantFor({ sub: 'u-a' }),
    );
    expect(ids(vault, { stages: ['lead'] })).toEqual([]);
    const [moved] = vault.listOpportunities({ stages: ['qualified'], sort: 'closeDate' }).rows;
    expect(moved).toMatchObject({ id: 'o1', stage: 'qualified', pending: true });
    expect(vault.outbox().map((m) => m.fields)).toEqual([{ stage: 'qualified' }]);
  });

  it('rejects a malformed filter with a clear error', async () => {
    vault = await seeded();
    expect(() => vault!.listOpportunities({ closeFrom: '15/05/2024' })).toThrow(/Invalid opportunity filter/);
    expect(() => vault!.listOpportunities({ stages: ['done' as 'won'] })).toThrow(/Invalid opportunity filter/);
  });
});

describe('saved views', () => {
  it('are kept in the vault, replaced by name, deleted by id, and survive a reopen', async () => {
    vault = await seeded();
    vault.saveOpportunityView({ id: 'v1', name: '本季度提案', filter: { stages: ['proposal'] }, sort: 'amount', order: 'desc' });
    vault.saveOpportunityView({ id: 'v2', name: 'Big deals', filter: { amountMin: 150 }, sort: 'amount', order: 'desc' });
    // The same name again replaces the view rather than adding a second one.
    const views = vault.saveOpportunityView({ id: 'v3', name: 'big DEALS', filter: { amountMin: 500 }, sort: 'closeDate', order: 'asc' });
    expect(views.map((v) => v.id).sort()).toEqual(['v1', 'v3']);
    vault.close();
    vault = await Vault.open(join(dir, 'vault.db'), keychain.secrets);
    expect(vault.listOpportunityViews().find((v) => v.id === 'v3')?.filter).toEqual({ amountMin: 500 });
    expect(vault.deleteOpportunityView('v1').map((v) => v.id)).toEqual(['v3']);
    expect(() => vault!.saveOpportunityView({ id: 'v4', name: ' ', filter: {}, sort: 'amount', order: 'asc' })).toThrow(/Invalid view/);
  });
});

describe('team dashboard filters and funnel', () => {
  it('every figure equals the list under the filter its drill-down sends', async () => {
    vault = await seeded();
    const filters: TeamDashboardFilter[] = [{}, { ownerIds: ['u-b'] }, { ownerIds: ['u-a', 'u-b'], closeFrom: '2024-05-01' }, { closeFrom: '2024-05-01', closeTo: '2024-06-30' }];
    for (const filter of filters) {
      const d = vault.teamDashboard(NOW, filter);
      const base = { ownerIds: filter.ownerIds, closeFrom: filter.closeFrom, closeTo: filter.closeTo };
      for (const s of d.pipelineByStage) {
        const list = vault.listOpportunities({ ...base, stages: [s.stage] });
        expect({ count: list.total, amount: list.amountTotal }, `${JSON.stringify(filter)} ${s.stage}`).toEqual({ count: s.count, amount: s.amount });
      }
      for (const r of d.pipelineByRep) {
        expect(vault.listOpportunities({ ...base, ownerIds: [r.ownerId], stages: [...OPEN_STAGES] }).total).toBe(r.count);
      }
      const overdue = vault.listOpportunities({ ...base, stages: [...OPEN_STAGES], closeTo: base.closeTo && base.closeTo < d.overdueBefore ? base.closeTo : d.overdueBefore });
      expect(overdue.total).toBe(d.overdue);
      expect(d.filter).toEqual(filter);
    }
    const all = vault.teamDashboard(NOW);
    expect(all.overdueBefore).toBe('2024-05-14');
    expect(all.overdue).toBe(2); // o1 (05-01), o3 (05-14); o7 is due today
    // The owner filter's choices in pinyin order of their names: 李四 (li) before 张三 (zhang).
    expect(all.owners).toEqual([{ ownerId: 'u-b', ownerName: '李四' }, { ownerId: 'u-a', ownerName: '张三' }]);
    const b = vault.teamDashboard(NOW, { ownerIds: ['u-b'] });
    expect(b.winRate).toEqual({ won: 1, lost: 0, rate: 1 });
    // u-b's customers: b (last activity 40 days ago) is not contacted in 30 days.
    expect(b.notContacted30d.map((c) => c.customerId)).toEqual(['b']);
    // Activities by the owner as author: u-b's call 40 days ago is inside the 8 weeks.
    expect(b.activitiesPerWeek.reduce((n, w) => n + w.count, 0)).toBe(1);
    expect(all.activitiesPerWeek.reduce((n, w) => n + w.count, 0)).toBe(2);
  });

  it('the funnel: reached = at this stage or beyond (won beyond all), lost apart', () => {
    const steps = stageFunnel([
      { stage: 'lead', count: 10, amount: 1 },
      { stage: 'qualified', count: 5, amount: 2 },
      { stage: 'proposal', count: 3, amount: 3 },
      { stage: 'negotiation', count: 0, amount: 0 },
      { stage: 'won', count: 2, amount: 4 },
      { stage: 'lost', count: 7, amount: 5 },
    ]);
    expect(steps.map((s) => [s.stage, s.reached])).toEqual([['lead', 20], ['qualified', 10], ['proposal', 5], ['negotiation', 2], ['won', 2]]);
    expect(steps.map((s) => s.conversion)).toEqual([0.5, 0.5, 0.4, 1, null]);
    expect(stageFunnel([]).every((s) => s.reached === 0 && s.conversion === null)).toBe(true);
  });
});

describe('customer drill-downs', () => {
  it('select customers by owner, by no contact since, and by an activity in a week', async () => {
    vault = await seeded();
    const customers = (input: Omit<Parameters<Vault['searchCustomers']>[0], 'query' | 'offset' | 'limit'>) =>
      vault!.searchCustomers({ query: '', offset: 0, limit: 100, ...input }).rows.map((r) => r.id).sort();
    expect(customers({ ownerIds: ['u-a'] })).toEqual(['a', 'c']);
    // a: visited 2 days ago; b: called 40 days ago; c: never contacted.
    expect(customers({ notContactedSince: NOW - 30 * 86_400_000 })).toEqual(['b', 'c']);
    expect(customers({ notContactedSince: NOW - 30 * 86_400_000, ownerIds: ['u-a'] })).toEqual(['c']);
    expect(customers({ activityFrom: NOW - 7 * 86_400_000, activityTo: NOW })).toEqual(['a']);
    expect(customers({ activityFrom: NOW - 41 * 86_400_000, activityTo: NOW - 39 * 86_400_000 })).toEqual(['b']);
    // The dashboard's count of "not contacted" is this list's count.
    expect(vault.teamDashboard(NOW).notContacted30dTotal).toBe(2);
  });
});
