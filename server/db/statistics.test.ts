// Planner statistics on PostgreSQL (db/statistics.ts): the bulk insert path and the server's start
// leave the record tables analyzed, and the backfill's child read is a probe per customer even on
// a table that has none. On SQLite there is nothing to gather.

import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from '../app';
import { bulkInsertRecords } from '../records/bulk';
import { childRowsStatement } from '../sync/pull-pages';
import { testDialect, withTestDatabase, type TestDatabase } from '../test/db';
import { createFixtureOrg } from '../test/fixtures';
import type { ContactsTable, CustomersTable } from './schema';
import { refreshStatistics, staleStatistics } from './statistics';

const CUSTOMERS = 6000;

function batch(ownerId: string, from: number, count: number): { customers: CustomersTable[]; contacts: ContactsTable[] } {
  const customers = Array.from({ length: count }, (_, i): CustomersTable => ({
    id: `s${String(from + i).padStart(6, '0')}`, updated_at: 1, version: 1, deleted: 0, name: `Customer ${from + i}`, type: 'company',
    industry: '制造业', city: '上海', address: '上海市人民路1号', owner_id: ownerId, tags: '[]', credit_limit: null, payment_terms: null, tax_id: null, notes: '',
  }));
  const contacts = customers.flatMap((c) => [1, 2].map((n): ContactsTable => ({
    id: `${c.id}-${n}`, updated_at: 1, version: 1, deleted: 0, customer_id: c.id, name: '王伟', title: '经理', phone: null, email: null, wechat: null,
  })));
  return { customers, contacts };
}

/** Whether PostgreSQL holds statistics for the table (ANALYZE ran on it). */
async function analyzed(t: TestDatabase, table: string): Promise<boolean> {
  const { rows } = await sql<{ reltuples: number }>`select reltuples from pg_class where oid = to_regclass(${table})`.execute(t.db);
  return Number(rows[0]?.reltuples ?? -1) >= 0;
}

/** The plan's node types, flattened (EXPLAIN, not run). */
async function planNodes(t: TestDatabase, statement: ReturnType<typeof childRowsStatement>): Promise<string[]> {
  const { rows } = await sql<{ 'QUERY PLAN': unknown }>`explain (format json) ${statement}`.execute(t.db);
  const raw = rows[0]?.['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
  const out: string[] = [];
  const walk = (node: PlanNode) => {
    out.push(node['Relation Name'] ? `${node['Node Type']} on ${node['Relation Name']}` : node['Node Type']);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan[0].Plan);
  return out;
}
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

describe('planner statistics', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('a bulk load leaves the record tables analyzed on PostgreSQL, and asks nothing of SQLite', async () => {
    t = await withTestDatabase();
    const f = await createFixtureOrg(t.db);
    for (let from = 0; from < CUSTOMERS; from += 1000) {
      await bulkInsertRecords(t, { ...batch(f.users.rep.id, from, 1000), opportunities: [], activities: [] }, { actorId: null, now: 1 });
    }
    expect(await staleStatistics(t.db)).toEqual([]);
    if (t.dialect === 'sqlite') {
      expect(await refreshStatistics(t.db)).toEqual([]);
      return;
    }
    expect(await analyzed(t, 'customers')).toBe(true);
    expect(await analyzed(t, 'contacts')).toBe(true);
  });

  it.skipIf(testDialect() !== 'postgres')('tables filled without the bulk path are analyzed when the server starts', async () => {
    t = await withTestDatabase();
    const f = await createFixtureOrg(t.db);
    // Plain inserts, as a restore or another tool would write them: no statistics follow.
    const { customers, contacts } = batch(f.users.rep.id, 0, CUSTOMERS);
    for (let i = 0; i < customers.length; i += 1000) await t.db.insertInto('customers').values(customers.slice(i, i + 1000)).execute();
    for (let i = 0; i < contacts.length; i += 1000) await t.db.insertInto('contacts').values(contacts.slice(i, i + 1000)).execute();
    expect(await staleStatistics(t.db)).toEqual(['customers', 'contacts']);

    // Without statistics the child read of a backfill page still probes per customer: a scan of
    // the whole child table per page is what made a first sync cost pages × table size.
    const page = customers.slice(2000, 2286).map((c) => c.id);
    const unanalyzed = await planNodes(t, childRowsStatement('contact', page));
    expect(unanalyzed).not.toContain('Seq Scan on contacts');
    expect(unanalyzed[0]).toBe('Nested Loop');

    const { app } = await buildServer({
      db: t.db, dialect: t.dialect, databaseUrl: t.location.databaseUrl, rateLimit: false, reviewJobIntervalMs: false, recycleBinJobIntervalMs: false,
    });
    await app.close();
    expect(await staleStatistics(t.db)).toEqual([]);
    expect(await analyzed(t, 'customers')).toBe(true);
    const planned = await planNodes(t, childRowsStatement('contact', page));
    expect(planned).not.toContain('Seq Scan on contacts');
    const rows = (await childRowsStatement('contact', page).execute(t.db)).rows;
    expect(rows).toHaveLength(page.length * 2);
  });
});
