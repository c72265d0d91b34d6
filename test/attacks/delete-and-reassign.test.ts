// Reassign and delete from a device, seen from the attacker's side (docs/reassign-and-delete.md).
// A rep without customer.delete forges a delete in the outbox and calls the recycle-bin routes; a
// rep and a manager try to move customers outside their scope, through the outbox and through the
// HTTP route; a deleted customer must not be served to anyone; a restore by someone without the
// action is refused like an unknown id. What a manager may do goes through: the old owner's pull
// removes a reassigned customer, every pull removes a deleted one, a restore brings it back and a
// customer past the recycle bin's period is erased. Runs on SQLite and PostgreSQL (SV_TEST_DB).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECYCLE_BIN_MS, recycleBinResponseSchema } from '../../shared/protocol/recycle-bin';
import type { Mutation } from '../../shared/protocol/sync';
import { purgeExpired } from '../../server/ownership/recycle-bin';
import { addCustomer, ModelVault, pushMutations, syncToEnd } from '../support/server/sync-kit';
import { enrollTestDevice, type TestDevice } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';
import { heldOf, updateOf } from './attack-kit';

const CHILDREN = (id: string) => [`contact:${id}-ct`, `opportunity:${id}-op`, `activity:${id}-ac`];

describe('attack: reassigning and deleting customers from a device', () => {
  let s: TestServer;
  let rep: TestDevice;
  let manager: TestDevice;
  const repVault = new ModelVault();
  const rep3Id = 'user-rep-zhou';

  const deleteOf = (id: string): Mutation => ({ ...updateOf(s, 'customer', id, {}), op: 'delete' });
  const customerRow = (id: string) => s.ctx.db.selectFrom('customers').select(['owner_id', 'deleted']).where('id', '=', id).executeTakeFirst();
  const holds = (vault: ModelVault, id: string) => [`customer:${id}`, ...CHILDREN(id)].filter((k) => vault.records.has(k));
  async function bin(device: TestDevice) {
    const res = await device.signedFetch('GET', '/v1/recycle-bin');
    expect(res.status).toBe(200);
    return recycleBinResponseSchema.parse(await res.json()).items;
  }
  const restore = (device: TestDevice, id: string) => device.signedFetch('POST', `/v1/recycle-bin/${id}/restore`);
  const audits = async (action: string) =>
    (await s.ctx.db.selectFrom('audit_log').select(['actor_id', 'target', 'outcome']).where('action', '=', action).orderBy('seq').execute());

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    // A second rep in the manager's team (team A), copied from the fixture's rep.
    const repRow = await s.ctx.db.selectFrom('users').selectAll().where('id', '=', u.rep.id).executeTakeFirstOrThrow();
    await s.ctx.db.insertInto('users').values({ ...repRow, id: rep3Id, username: 'rep.zhou', display_name: 'rep.zhou' }).execute();
    for (const id of ['c1', 'c2', 'c3']) await addCustomer(s, u.rep.id, id);
    await addCustomer(s, u.rep2.id, 'c4'); // team B: outside the manager's scope
    rep = await enrollTestDevice(s.baseUrl, u.rep.username, u.rep.password, u.rep.totpSecret, { now: s.clock.now });
    manager = await enrollTestDevice(s.baseUrl, u.manager.username, u.manager.password, u.manager.totpSecret, { now: s.clock.now });
    await syncToEnd(rep, repVault);
    expect(holds(repVault, 'c1')).toHaveLength(4);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a rep without customer.delete cannot delete through a forged outbox item, nor see or restore the recycle bin', async () => {
    const forged = deleteOf('c1');
    const [result] = (await pushMutations(rep, [forged])).results;
    expect(result?.status).toBe('rejected');
    expect(result?.reason).toBe('no_action');
    expect((await customerRow('c1'))?.deleted).toBe(0);
    expect(await heldOf(s, forged.mutationId)).toHaveLength(1);
    expect((await audits('customer.delete')).map((a) => a.outcome)).toEqual(['denied']);
    expect(await bin(rep)).toEqual([]);
  });

  it('nobody reassigns outside their scope: a rep not at all, a manager not to another team (outbox and HTTP route)', async () => {
    const u = s.fixture.users;
    const [byRep] = (await pushMutations(rep, [updateOf(s, 'customer', 'c1', { ownerId: rep3Id }, { ownerId: u.rep.id })])).results;
    expect(byRep?.status).toBe('rejected');
    expect((await rep.signedFetch('POST', '/v1/customers/c1/reassign', { ownerId: rep3Id })).status).toBe(403);
    const outside = updateOf(s, 'customer', 'c1', { ownerId: u.rep2.id }, { ownerId: u.rep.id });
    const [byManager] = (await pushMutations(manager, [outside])).results;
    expect(byManager?.status).toBe('rejected');
    expect(byManager?.reason).toContain('invalid_owner');
    expect((await manager.signedFetch('POST', '/v1/customers/c1/reassign', { ownerId: u.rep2.id })).status).toBe(403);
    // nor take a customer of another team into the own one
    const [takeIn] = (await pushMutations(manager, [updateOf(s, 'customer', 'c4', { ownerId: rep3Id }, { ownerId: u.rep2.id })])).results;
    expect(takeIn?.status).toBe('rejected');
    expect((await customerRow('c1'))?.owner_id).toBe(u.rep.id);
    expect((await customerRow('c4'))?.owner_id).toBe(u.rep2.id);
  });

  it("a manager's reassignment inside the team, pushed from the outbox, takes the customer and its children out of the old owner's vault", async () => {
    const u = s.fixture.users;
    const move = updateOf(s, 'customer', 'c2', { ownerId: rep3Id }, { ownerId: u.rep.id });
    const [result] = (await pushMutations(manager, [move])).results;
    expect(result?.status).toBe('applied');
    expect(result?.record?.ownerId).toBe(rep3Id);
    expect((await customerRow('c2'))?.owner_id).toBe(rep3Id);
    const { pages } = await syncToEnd(rep, repVault);
    expect(holds(repVault, 'c2')).toEqual([]);
    expect(pages.flatMap((p) => p.removals).filter((r) => r.reason === 'reassigned').map((r) => `${r.entity}:${r.id}`).sort())
      .toEqual(['customer:c2', ...CHILDREN('c2')].sort());
    expect((await audits('customer.reassign')).map((a) => `${a.actor_id}:${a.outcome}`)).toContain(`${u.manager.id}:ok`);
  });

  it('a deleted customer leaves every vault, is served in no pull, and only a holder of customer.delete restores it', async () => {
    const u = s.fixture.users;
    const [deleted] = (await pushMutations(manager, [deleteOf('c1')])).results;
    expect(deleted?.status).toBe('applied');
    await syncToEnd(rep, repVault);
    expect(holds(repVault, 'c1')).toEqual([]);
    // A first sync from scratch does not carry it either.
    const fresh = new ModelVault();
    const { texts } = await syncToEnd(manager, fresh);
    expect(texts.join('\n')).not.toContain('Customer c1');
    expect(fresh.records.has('customer:c3')).toBe(true);

    const items = await bin(manager);
    expect(items.map((i) => [i.customerId, i.name, i.deletedBy, i.ownerId])).toEqual([['c1', 'Customer c1', u.manager.id, u.rep.id]]);
    expect(items[0]!.purgeAt - items[0]!.deletedAt).toBe(RECYCLE_BIN_MS);

    // The rep may not restore it; the answer is the one for an id that is in no bin.
    const refused = await restore(rep, 'c1');
    const unknown = await restore(rep, 'no-such-customer');
    expect(refused.status).toBe(404);
    expect(await refused.text()).toEqual((await unknown.text()).replace('no-such-customer', 'c1'));
    expect((await customerRow('c1'))?.deleted).toBe(1);

    expect((await restore(manager, 'c1')).status).toBe(200);
    expect(await bin(manager)).toEqual([]);
    const { pages } = await syncToEnd(rep, repVault);
    expect(holds(repVault, 'c1')).toHaveLength(4);
    expect(pages.length).toBeGreaterThan(0);
    expect((await audits('customer.restore')).map((a) => `${a.actor_id}:${a.outcome}`)).toEqual([`${u.rep.id}:denied`, `${u.rep.id}:denied`, `${u.manager.id}:ok`]);
  });

  it('after 30 days the server erases the customer for good; before, it stays restorable', async () => {
    const [deleted] = (await pushMutations(manager, [deleteOf('c3')])).results;
    expect(deleted?.status).toBe('applied');
    s.clock.advance(RECYCLE_BIN_MS - 60_000);
    expect(await purgeExpired(s.ctx)).toBe(0);
    expect((await customerRow('c3'))?.deleted).toBe(1);
    s.clock.advance(120_000);
    expect(await purgeExpired(s.ctx)).toBe(1);
    expect(await customerRow('c3')).toBeUndefined();
    for (const table of ['contacts', 'opportunities', 'activities'] as const) {
      expect(await s.ctx.db.selectFrom(table).select('id').where('customer_id', '=', 'c3').execute()).toEqual([]);
    }
    expect(await s.ctx.db.selectFrom('recycle_bin').select('customer_id').execute()).toEqual([]);
    expect((await audits('customer.purge')).map((a) => `${a.actor_id}:${a.target}`)).toEqual(['null:customer:c3']);
    // A device that had not pulled since the delete is still told to remove it (ids only).
    expect(holds(repVault, 'c3')).toHaveLength(4);
    expect((await rep.refresh()).status).toBe(200);
    const { pages } = await syncToEnd(rep, repVault);
    expect(holds(repVault, 'c3')).toEqual([]);
    expect(pages.flatMap((p) => p.removals).filter((r) => r.reason === 'deleted')).toHaveLength(4);
  });
});
