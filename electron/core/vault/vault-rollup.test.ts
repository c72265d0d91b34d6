// The dashboard's team filter and the roll-up by branch and team, over a real SQLCipher vault
// filled the way a pull fills it (owner directory with units, the org units of the scope): every
// row's figures equal those counted straight from the records given to the vault, the branch and
// "other" rows add up to the whole vault, each row's drill-down criteria select exactly the
// records it counts, and a team without members selects nothing (never everything).
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault/vault-rollup.test.ts'

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault } from '.';
import { OPEN_STAGES, type RollupRow } from '../../../shared/api/opportunities';
import { grantFor, page, tempDir, testKeychain, UNDO_MIGRATION_12, upsert } from '../../../test/support/vault';
import type { VaultDb } from './db';

let dir: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

const NOW = Date.UTC(2024, 4, 15, 9);
const DAY = 86_400_000;

beforeEach(() => {
  dir = tempDir('vault-rollup');
  keychain = testKeychain('vault-rollup');
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const UNITS = [
  { id: 'region', parentId: null, name: '华东大区', kind: 'region' as const },
  { id: 'sh', parentId: 'region', name: '上海分公司', kind: 'branch' as const },
  { id: 'sh-1', parentId: 'sh', name: '上海一组', kind: 'team' as const },
  { id: 'sh-2', parentId: 'sh', name: '上海二组', kind: 'team' as const },
  { id: 'hz', parentId: 'region', name: '杭州分公司', kind: 'branch' as const },
  { id: 'hz-1', parentId: 'hz', name: '杭州一组', kind: 'team' as const },
  { id: 'hz-2', parentId: 'hz', name: '杭州二组', kind: 'team' as const }, // nobody in it
];
// Reps in teams, a branch manager outside any team, and an owner outside the scope (a shared customer: no unit).
const OWNERS: { id: string; unitId?: string }[] = [
  { id: 'r1', unitId: 'sh-1' }, { id: 'r2', unitId: 'sh-1' }, { id: 'r3', unitId: 'sh-2' },
  { id: 'r4', unitId: 'hz-1' }, { id: 'r5', unitId: 'hz-1' }, { id: 'm-sh', unitId: 'sh' }, { id: 'x-out' },
];
const STAGES = ['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost'] as const;

type Deal = { id: string; customerId: string; ownerId: string; stage: (typeof STAGES)[number]; amount: number; expectedCloseDate: string };
interface Customer { id: string; ownerId: string; lastContact: number | null }

// Deterministic variety: every owner has customers, some contacted lately, and deals of every stage.
const CUSTOMERS: Customer[] = [];
const DEALS: Deal[] = [];
OWNERS.forEach((o, oi) => {
  for (let c = 0; c < 3 + oi; c++) {
    const id = `c-${o.id}-${c}`;
    CUSTOMERS.push({ id, ownerId: o.id, lastContact: c % 3 === 0 ? NOW - 2 * DAY : c % 3 === 1 ? NOW - 45 * DAY : null });
    for (let d = 0; d < 2; d++) {
      const n = oi * 7 + c * 3 + d;
      DEALS.push({ id: `d-${id}-${d}`, customerId: id, ownerId: o.id, stage: STAGES[n % STAGES.length]!, amount: 1000 * ((n % 5) + 1), expectedCloseDate: `2024-0${(n % 6) + 1}-10` });
    }
  }
});

async function seeded(): Promise<Vault> {
  const v = await Vault.create(join(dir, 'vault.db'), keychain.secrets);
  // As the sync engine stores a full page's directory and units.
  v.rememberUserNames(OWNERS.map((o) => ({ id: o.id, displayName: `name ${o.id}`, ...(o.unitId ? { unitId: o.unitId } : {}) })));
  v.rememberOrgUnits(UNITS);
  const activities = CUSTOMERS.filter((c) => c.lastContact !== null).map((c) =>
    upsert('activity', { id: `a-${c.id}`, customerId: c.id, kind: 'visit', at: c.lastContact, authorId: c.ownerId, text: '.' }, [`o:${c.ownerId}`]),
  );
  v.applyPullPage(
    page({
      upserts: [
        ...CUSTOMERS.map((c) => upsert('customer', { id: c.id, name: c.id, ownerId: c.ownerId }, [`o:${c.ownerId}`])),
        ...DEALS.map((d) => upsert('opportunity', d, [`o:${d.ownerId}`])),
        ...activities,
      ],
    }),
    grantFor({ sub: 'r1', displayName: 'name r1' }),
  );
  return v;
}

/** The figures counted straight from the records above, for owners `ids`, deals closing in [from, to]. */
function expected(ids: readonly string[], from = '0000-00-00', to = '9999-99-99') {
  const deals = DEALS.filter((d) => ids.includes(d.ownerId) && d.expectedCloseDate >= from && d.expectedCloseDate <= to);
  const open = deals.filter((d) => (OPEN_STAGES as readonly string[]).includes(d.stage));
  const won = deals.filter((d) => d.stage === 'won').length;
  const lost = deals.filter((d) => d.stage === 'lost').length;
  return {
    openCount: open.length,
    openAmount: open.reduce((s, d) => s + d.amount, 0),
    won,
    lost,
    winRate: won + lost ? won / (won + lost) : null,
    notContacted: CUSTOMERS.filter((c) => ids.includes(c.ownerId) && (c.lastContact === null || c.lastContact < NOW - 30 * DAY)).length,
  };
}

const figures = (r: RollupRow) => ({ openCount: r.openCount, openAmount: r.openAmount, won: r.won, lost: r.lost, winRate: r.winRate, notContacted: r.notContacted });

describe('dashboard roll-up by branch and team', () => {
  it('every row equals the records of its people; branches and "other" add up to the vault; drill-down criteria select the same records', async () => {
    vault = await seeded();
    const d = vault.teamDashboard(NOW);
    expect(d.units.map((u) => u.id).sort()).toEqual(UNITS.map((u) => u.id).sort());
    expect(d.rollup.map((r) => [r.kind, r.unitId])).toEqual([
      ['branch', 'sh'], ['team', 'sh-1'], ['team', 'sh-2'], ['direct', 'sh'],
      ['branch', 'hz'], ['team', 'hz-1'], ['team', 'hz-2'],
      ['other', null],
    ]);
    const row = (kind: string, unitId: string | null) => d.rollup.find((r) => r.kind === kind && r.unitId === unitId)!;
    const people: Record<string, string[]> = {
      'team sh-1': ['r1', 'r2'], 'team sh-2': ['r3'], 'direct sh': ['m-sh'], 'branch sh': ['m-sh', 'r1', 'r2', 'r3'],
      'team hz-1': ['r4', 'r5'], 'team hz-2': [], 'branch hz': ['r4', 'r5'], 'other null': ['x-out'],
    };
    for (const [key, ids] of Object.entries(people)) {
      const [kind, unitId] = key.split(' ') as [string, string];
      const r = row(kind, unitId === 'null' ? null : unitId);
      expect(r.ownerIds, key).toEqual(ids);
      expect(figures(r), key).toEqual(expected(ids));
      // The drill-downs the UI sends: the opportunities list and the customer list under the row's owners.
      if (ids.length) {
        expect(vault.listOpportunities({ ownerIds: ids, stages: [...OPEN_STAGES], limit: 1 }).total, key).toBe(r.openCount);
        expect(vault.listOpportunities({ ownerIds: ids, stages: ['won'], limit: 1 }).total, key).toBe(r.won);
        expect(vault.searchCustomers({ query: '', ownerIds: ids, notContactedSince: NOW - 30 * DAY, limit: 1, offset: 0 }).total, key).toBe(r.notContacted);
      }
    }
    // Honest totals: the branch rows and the "other" row cover every deal and customer once.
    const tops = d.rollup.filter((r) => r.kind === 'branch' || r.kind === 'other');
    const all = expected(OWNERS.map((o) => o.id));
    expect(tops.reduce((s, r) => s + r.openCount, 0)).toBe(all.openCount);
    expect(tops.reduce((s, r) => s + r.won, 0)).toBe(d.winRate.won);
    expect(tops.reduce((s, r) => s + r.lost, 0)).toBe(d.winRate.lost);
    expect(tops.reduce((s, r) => s + r.notContacted, 0)).toBe(d.notContacted30dTotal);

    // Under a period, every row counts only the deals closing in it.
    const q = vault.teamDashboard(NOW, { closeFrom: '2024-02-01', closeTo: '2024-04-30' });
    expect(figures(q.rollup.find((r) => r.kind === 'team' && r.unitId === 'sh-1')!)).toEqual(expected(['r1', 'r2'], '2024-02-01', '2024-04-30'));
  });

  it('the team filter narrows every figure to the unit\'s members; a team without members selects nothing', async () => {
    vault = await seeded();
    const team = vault.teamDashboard(NOW, { unitId: 'sh-1' });
    expect(team.filter.ownerIds).toEqual(['r1', 'r2']);
    const want = expected(['r1', 'r2']);
    expect(team.pipelineByStage.filter((s) => (OPEN_STAGES as readonly string[]).includes(s.stage)).reduce((n, s) => n + s.count, 0)).toBe(want.openCount);
    expect(team.winRate).toEqual({ won: want.won, lost: want.lost, rate: want.winRate });
    expect(team.notContacted30dTotal).toBe(want.notContacted);
    expect(new Set(team.pipelineByRep.map((r) => r.ownerId))).toEqual(new Set(['r1', 'r2']));

    // A branch covers its teams and its own staff; with an owner filter both must hold.
    expect(vault.teamDashboard(NOW, { unitId: 'sh' }).filter.ownerIds).toEqual(['m-sh', 'r1', 'r2', 'r3']);
    expect(vault.teamDashboard(NOW, { unitId: 'sh', ownerIds: ['r3', 'r4'] }).filter.ownerIds).toEqual(['r3']);

    const empty = vault.teamDashboard(NOW, { unitId: 'hz-2' });
    expect(empty.filter.ownerIds).toEqual([]);
    expect(empty.pipelineByStage.every((s) => s.count === 0)).toBe(true);
    expect(empty.notContacted30dTotal).toBe(0);
    expect(empty.notContacted30d).toEqual([]);
    expect(empty.activitiesPerWeek.every((w) => w.count === 0)).toBe(true);
  });
});

/** The open pipeline per owner straight from the records: deals neither won nor lost, largest amount first, then by owner id. */
function expectedReps(ids: readonly string[] | null, from = '0000-00-00', to = '9999-99-99') {
  const reps = new Map<string, { ownerId: string; ownerName: string; count: number; amount: number }>();
  for (const d of DEALS) {
    if ((ids && !ids.includes(d.ownerId)) || d.expectedCloseDate < from || d.expectedCloseDate > to || d.stage === 'won' || d.stage === 'lost') continue;
    const rep = reps.get(d.ownerId) ?? { ownerId: d.ownerId, ownerName: `name ${d.ownerId}`, count: 0, amount: 0 };
    rep.count += 1;
    rep.amount += d.amount;
    reps.set(d.ownerId, rep);
  }
  return [...reps.values()].sort((a, b) => b.amount - a.amount || (a.ownerId < b.ownerId ? -1 : 1));
}

const dbOf = (v: Vault) => (v as unknown as { db: VaultDb }).db;

describe('dashboard figures per owner, read from the indexes (vault migration 12)', () => {
  it('the pipeline by rep equals the records under every filter, in order', async () => {
    vault = await seeded();
    expect(vault.teamDashboard(NOW).pipelineByRep).toEqual(expectedReps(null));
    expect(vault.teamDashboard(NOW, { ownerIds: ['r2', 'r4', 'x-out'] }).pipelineByRep).toEqual(expectedReps(['r2', 'r4', 'x-out']));
    expect(vault.teamDashboard(NOW, { closeFrom: '2024-02-01', closeTo: '2024-04-30' }).pipelineByRep).toEqual(expectedReps(null, '2024-02-01', '2024-04-30'));
    expect(vault.teamDashboard(NOW, { unitId: 'sh', closeFrom: '2024-03-01' }).pipelineByRep).toEqual(expectedReps(['m-sh', 'r1', 'r2', 'r3'], '2024-03-01'));
    expect(vault.teamDashboard(NOW, { ownerIds: [] }).pipelineByRep).toEqual([]);
    // The owner filter's choices: every owner of a deal, whatever the filter.
    expect(vault.teamDashboard(NOW, { ownerIds: ['r1'] }).owners.map((o) => o.ownerId).sort()).toEqual(OWNERS.map((o) => o.id).sort());
  });

  it('"not contacted" per owner: the cutoff is exclusive, customers without an owner count in the total only, owners with none are no figure', async () => {
    vault = await seeded();
    const cutoff = NOW - 30 * DAY;
    vault.applyPullPage(page({
      upserts: [
        // Contacted exactly at the cutoff: contacted within the 30 days.
        upsert('customer', { id: 'edge', name: 'edge', ownerId: 'r3' }, ['o:r3']),
        upsert('activity', { id: 'a-edge', customerId: 'edge', kind: 'call', at: cutoff, authorId: 'r3', text: '.' }, ['o:r3']),
        // One millisecond earlier: not contacted.
        upsert('customer', { id: 'edge-1', name: 'edge-1', ownerId: 'r3' }, ['o:r3']),
        upsert('activity', { id: 'a-edge-1', customerId: 'edge-1', kind: 'call', at: cutoff - 1, authorId: 'r3', text: '.' }, ['o:r3']),
        // No owner, never contacted.
        upsert('customer', { id: 'nobody', name: 'nobody' }, ['s:shared']),
        // An owner outside the directory whose only customer was contacted lately, with no deals.
        upsert('customer', { id: 'y-1', name: 'y-1', ownerId: 'y-out' }, ['o:y-out']),
        upsert('activity', { id: 'a-y-1', customerId: 'y-1', kind: 'call', at: NOW - DAY, authorId: 'y-out', text: '.' }, ['o:y-out']),
      ],
    }), grantFor({ sub: 'r1', displayName: 'name r1' }));
    const d = vault.teamDashboard(NOW);
    const row = (kind: string, unitId: string | null) => d.rollup.find((r) => r.kind === kind && r.unitId === unitId)!;
    expect(row('team', 'sh-2').notContacted).toBe(expected(['r3']).notContacted + 1);
    expect(row('other', null).ownerIds).toEqual(['x-out']);
    const tops = d.rollup.filter((r) => r.kind === 'branch' || r.kind === 'other');
    expect(tops.reduce((s, r) => s + r.notContacted, 0)).toBe(d.notContacted30dTotal - 1);
    expect(d.notContacted30dTotal).toBe(vault.searchCustomers({ query: '', notContactedSince: cutoff, limit: 1, offset: 0 }).total);
  });

  it('a vault from before gets the indexes by its migration, with every figure as before', async () => {
    vault = await seeded();
    const filters = [{}, { unitId: 'sh-1' }, { closeFrom: '2024-02-01', closeTo: '2024-04-30' }, { ownerIds: ['r3', 'x-out'], closeTo: '2024-03-31' }];
    const boards = filters.map((f) => vault!.teamDashboard(NOW, f));
    dbOf(vault).raw.exec(`${UNDO_MIGRATION_12} PRAGMA user_version = 11;`);
    const indexSql = (v: Vault) => Object.fromEntries((dbOf(v).raw.prepare(
      `SELECT name, sql FROM sqlite_master WHERE name IN ('customers_owner_activity', 'opportunities_owner', 'opportunities_close')`,
    ).all() as { name: string; sql: string }[]).map((r) => [r.name, r.sql]));
    expect(indexSql(vault)).not.toHaveProperty('customers_owner_activity');
    vault.close();

    vault = await Vault.open(join(dir, 'vault.db'), keychain.secrets);
    expect(indexSql(vault)).toEqual({
      customers_owner_activity: expect.stringContaining('(owner_id, last_activity_at)'),
      opportunities_owner: expect.stringContaining('(owner_id, stage, amount, expected_close_date)'),
      opportunities_close: expect.stringContaining('(expected_close_date, stage, owner_id, amount)'),
    });
    expect(filters.map((f) => vault!.teamDashboard(NOW, f))).toEqual(boards);
    expect(figures(boards[0]!.rollup.find((r) => r.kind === 'branch' && r.unitId === 'sh')!)).toEqual(expected(['m-sh', 'r1', 'r2', 'r3']));
  });
});
