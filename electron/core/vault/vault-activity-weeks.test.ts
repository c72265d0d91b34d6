// The dashboard's weekly activity chart reads logged activities counted per week and author
// (activity_weeks, schema.ts migration 11; facet-counts.ts). The counts must equal a full scan of
// the activities after every kind of write — a first sync (bulk: rebuilt at its end), a delta,
// local plans and their completion, removals, small and bulk purges — and the chart must equal a
// count taken from the records themselves, for everyone, a team and an empty team. Real SQLCipher
// file, real keychain.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/vault/vault-activity-weeks.test.ts'

import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mutation } from '../../../shared/protocol/sync';
import { Vault } from '.';
import { DAY_MS, WEEK_MS, isoDate, isoWeekStart } from './dates';
import type { VaultDb } from './db';
import { keptActivityWeeks, scanActivityWeeks } from './facet-counts';
import { BULK_SEARCH_PURGE_ROWS } from './search-index';
import { grantFor, page, tempDir, testKeychain, UNDO_MIGRATION_11, upsert } from '../../../test/support/vault';

let dir: string;
let keychain: ReturnType<typeof testKeychain>;
let vault: Vault | null = null;

beforeEach(() => {
  dir = tempDir('vault-activity-weeks');
  keychain = testKeychain('vault-activity-weeks');
});

afterEach(async () => {
  vault?.close();
  vault = null;
  await keychain.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const dbOf = (v: Vault) => (v as unknown as { db: VaultDb }).db;
/** A Thursday afternoon (UTC): the chart's last week is this one, its first 7 weeks earlier. */
const NOW = Date.parse('2026-11-26T15:00:00Z');
const AUTHORS = ['u-rep', 'u-team', 'u-other', undefined];

/** Activity j of a customer: spread over ten weeks around NOW, some open plans, some done ones, some without an author. */
function activity(customerId: string, j: number, owner: string, buckets: string[]) {
  const at = NOW - ((j * 37) % 70) * DAY_MS - (j % 5) * 3_600_000 + (j % 3 === 0 ? 5 * DAY_MS : 0);
  const plan = j % 7 === 0 ? { dueAt: at, doneAt: j % 14 === 0 ? at : null } : {};
  const authorId = AUTHORS[j % AUTHORS.length] ?? undefined;
  return upsert('activity', { id: `${customerId}-a${j}`, customerId, kind: 'visit', at, text: `拜访 ${j}`, ...(authorId ? { authorId } : {}), ownerId: owner, ...plan }, buckets);
}

function customerWithActivities(i: number, owner: string, bucket: string) {
  const id = `${owner}-c${i}`;
  return [upsert('customer', { id, name: `客户 ${i}`, ownerId: owner }, [bucket]), ...[0, 1, 2].map((j) => activity(id, i * 3 + j, owner, [bucket]))];
}

function expectInStep(v: Vault, when: string) {
  expect(keptActivityWeeks(dbOf(v)), `counts after ${when}`).toEqual(scanActivityWeeks(dbOf(v)));
}

/** The chart as counted from the records: logged activities per week of the last 8, of the given authors or everyone. */
function chartFromRecords(v: Vault, authors?: string[]): { weekStart: string; count: number }[] {
  const thisWeek = isoWeekStart(NOW);
  const firstWeek = thisWeek - 7 * WEEK_MS;
  const rows = dbOf(v).raw.prepare('SELECT record FROM activities').all() as { record: string }[];
  const counts = new Array<number>(8).fill(0);
  for (const { record } of rows) {
    const a = JSON.parse(record) as { at?: number; dueAt?: number | null; doneAt?: number | null; authorId?: string };
    if (typeof a.at !== 'number' || (a.dueAt != null && a.doneAt == null)) continue;
    if (authors && !(a.authorId && authors.includes(a.authorId))) continue;
    const week = Math.floor((a.at - firstWeek) / WEEK_MS);
    if (week >= 0 && week < 8) counts[week]! += 1;
  }
  return counts.map((count, i) => ({ weekStart: isoDate(firstWeek + i * WEEK_MS), count }));
}

function expectChart(v: Vault, when: string) {
  expect(v.teamDashboard(NOW).activitiesPerWeek, `chart after ${when}`).toEqual(chartFromRecords(v));
  expect(v.teamDashboard(NOW, { ownerIds: ['u-rep', 'u-other'] }).activitiesPerWeek, `team chart after ${when}`).toEqual(chartFromRecords(v, ['u-rep', 'u-other']));
  expect(v.teamDashboard(NOW, { ownerIds: [] }).activitiesPerWeek.every((w) => w.count === 0), `empty team after ${when}`).toBe(true);
}

function plan(id: string, customerId: string, dueAt: number): Mutation {
  return {
    mutationId: randomUUID(), entity: 'activity', op: 'create', recordId: id, baseVersion: null, createdAt: NOW, baseValues: {},
    fields: { customerId, kind: 'visit', at: dueAt, text: `计划 ${id}`, dueAt, doneAt: null, reminderAt: null },
  };
}

describe('logged activities per week and author', () => {
  it('equal a full scan, and the chart equals the records, after a first sync, a delta, local plans, removals and purges', async () => {
    vault = await Vault.create(join(dir, 'vault.db'), keychain.secrets);
    const v = vault;
    const grant = grantFor();
    // First sync: a bulk import in pages (the triggers stand aside; one rebuild at its end).
    const first = [
      ...Array.from({ length: BULK_SEARCH_PURGE_ROWS + 50 }, (_, i) => customerWithActivities(i, 'u-team', 'o:u-team')).flat(),
      ...Array.from({ length: 120 }, (_, i) => customerWithActivities(i, 'u-rep', 'o:u-rep')).flat(),
      ...customerWithActivities(0, 'u-other', 's:share-1'),
    ];
    for (let i = 0; i < first.length; i += 700) v.applyPullPage(page({ upserts: first.slice(i, i + 700), hasMore: i + 700 < first.length }), grant);
    expectInStep(v, 'the first sync');
    expectChart(v, 'the first sync');
    expect(v.teamDashboard(NOW).activitiesPerWeek.some((w) => w.count > 100)).toBe(true);

    // A delta: one activity moves three weeks back, one is completed, one changes author, one is removed, one is new.
    const moved = activity('u-rep-c1', 3, 'u-rep', ['o:u-rep']);
    const completed = activity('u-rep-c2', 7, 'u-rep', ['o:u-rep']); // j = 7: an open plan
    const reattributed = activity('u-rep-c3', 9, 'u-rep', ['o:u-rep']);
    v.applyPullPage(page({
      upserts: [
        { ...moved, record: { ...moved.record, at: (moved.record.at as number) - 3 * WEEK_MS } },
        { ...completed, record: { ...completed.record, doneAt: NOW - DAY_MS, at: NOW - DAY_MS } },
        { ...reattributed, record: { ...reattributed.record, authorId: 'u-other' } },
        activity('u-rep-c4', 1_000, 'u-rep', ['o:u-rep']),
      ],
      removals: [{ entity: 'activity', id: 'u-rep-c5-a15', reason: 'deleted' }],
    }), grant);
    expectInStep(v, 'a delta');
    expectChart(v, 'a delta');

    // Local: a plan (not a contact yet), then its completion (now one).
    const before = v.teamDashboard(NOW).activitiesPerWeek.reduce((n, w) => n + w.count, 0);
    v.applyLocalMutation(plan('f1', 'u-rep-c6', NOW - DAY_MS), grant);
    expectInStep(v, 'a local plan');
    expect(v.teamDashboard(NOW).activitiesPerWeek.reduce((n, w) => n + w.count, 0)).toBe(before);
    v.applyLocalMutation({
      mutationId: randomUUID(), entity: 'activity', op: 'update', recordId: 'f1', baseVersion: 0, createdAt: NOW,
      fields: { doneAt: NOW - 3_600_000, at: NOW - 3_600_000 }, baseValues: { doneAt: null, at: NOW - DAY_MS },
    }, grant);
    expectInStep(v, 'a completed plan');
    expect(v.teamDashboard(NOW).activitiesPerWeek.reduce((n, w) => n + w.count, 0)).toBe(before + 1);

    // A customer removed (its activities by the delete cascade), a small purge, then a bulk one.
    v.applyPullPage(page({ removals: [{ entity: 'customer', id: 'u-rep-c7', reason: 'deleted' }] }), grant);
    expectInStep(v, 'a customer removal');
    v.applyPullPage(page({ droppedBuckets: ['s:share-1'] }), grant);
    expectInStep(v, 'a small purge');
    v.applyPullPage(page({ droppedBuckets: ['o:u-team'] }), grant);
    expectInStep(v, 'a bulk purge');
    expectChart(v, 'the purges');
    expect(keptActivityWeeks(dbOf(v)).every((w) => w.authorId !== 'u-team' || w.n > 0)).toBe(true);

    // The chart reads the counts (not the activities): a count removed behind its back is missed.
    const week = isoWeekStart(NOW - DAY_MS);
    dbOf(v).raw.prepare('DELETE FROM activity_weeks WHERE week_start = ?').run(week);
    expect(v.teamDashboard(NOW).activitiesPerWeek).not.toEqual(chartFromRecords(v));
  });

  it('a vault from before the counts gets them filled by its migration', async () => {
    const path = join(dir, 'old.db');
    vault = await Vault.create(path, keychain.secrets);
    vault.applyPullPage(page({ upserts: Array.from({ length: 30 }, (_, i) => customerWithActivities(i, 'u-rep', 'o:u-rep')).flat() }), grantFor());
    // Back to the schema before migration 11 (the later ones run again).
    dbOf(vault).raw.exec(`${UNDO_MIGRATION_11} PRAGMA user_version = 10;`);
    vault.close();
    vault = await Vault.open(path, keychain.secrets);
    expect(keptActivityWeeks(dbOf(vault)).length).toBeGreaterThan(5);
    expectInStep(vault, 'the migration');
    expectChart(vault, 'the migration');
  });
});
