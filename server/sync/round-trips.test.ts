// On PostgreSQL every statement is a network round trip and a pooled connection, and a signed
// delta pull under load is bound by those, not by work (docs/architecture.md, "On PostgreSQL a
// statement is a round trip"). These tests count the statements the server sends for one pull,
// so a change that adds a round trip to the hot path fails here rather than only in a benchmark.

import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';
import { addCustomer, ModelVault, pullPage, syncToEnd } from '../../test/support/server/sync-kit';

/** Records the kind and first table of every statement the server runs. */
class StatementLog implements KyselyPlugin {
  entries: string[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node as { kind: string; from?: { froms?: { table?: { identifier?: { name?: string } } }[] }; into?: { table?: { identifier?: { name?: string } } } };
    const table = node.from?.froms?.[0]?.table?.identifier?.name ?? node.into?.table?.identifier?.name ?? '';
    this.entries.push(`${node.kind}${table ? ` ${table}` : ''}`);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

describe('statements per pull', () => {
  let s: TestServer;
  let log: StatementLog;
  let rep: TestDevice;
  let vault: ModelVault;

  beforeEach(async () => {
    log = new StatementLog();
    s = await startTestServer({ plugins: [log] });
    const u = s.fixture.users;
    for (const id of ['c1', 'c2', 'c3']) await addCustomer(s, u.rep.id, id);
    rep = await enrollTestDevice(s.baseUrl, u.rep.username, u.rep.password, u.rep.totpSecret, { now: s.clock.now });
    vault = new ModelVault();
    await syncToEnd(rep, vault);
  });
  afterEach(async () => {
    await s?.close();
  });

  it('a delta pull with nothing new: device and scope epoch, nonce, the pull\'s starting values, audit — four statements', async () => {
    await syncToEnd(rep, vault); // caches warm (app versions, nonce purge, field sets)
    log.entries = [];
    const { status, page } = await pullPage(rep, vault.cursor);
    expect(status).toBe(200);
    expect(page?.upserts).toEqual([]);
    // Each of these reads or writes once; before they were folded a pull sent eight statements.
    expect(log.entries.filter((e) => e === 'SelectQueryNode devices')).toHaveLength(1);
    expect(log.entries.filter((e) => e.includes('meta'))).toEqual([]); // epoch and pending state ride along
    expect(log.entries.filter((e) => e.includes('exposure_pages'))).toEqual([]); // read with the pull's start
    expect(log.entries.length, log.entries.join('\n')).toBeLessThanOrEqual(4);
  });

  it('a delta pull of one changed customer adds only the change log and the changed rows (read together)', async () => {
    await syncToEnd(rep, vault);
    await addCustomer(s, s.fixture.users.rep.id, 'c9');
    log.entries = [];
    const { status, page } = await pullPage(rep, vault.cursor);
    expect(status).toBe(200);
    expect(page?.upserts.map((u) => u.entity).sort()).toEqual(['activity', 'contact', 'customer', 'opportunity']);
    // + change log, 4 record tables, customers (concurrently), the owner directory and the ledger's
    // page insert in its transaction (begin, insert, commit are not statements of the builder).
    expect(log.entries.filter((e) => e === 'SelectQueryNode change_log')).toHaveLength(1);
    expect(log.entries.length, log.entries.join('\n')).toBeLessThanOrEqual(12);
  });
});
