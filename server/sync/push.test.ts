// Push over real HTTP: applied, per-field merge, same-field conflict, rejections (held
// server-side), idempotency by mutation id, creates, and the offline audit upload.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/protocol/sync';
import { enrollTestDevice, type TestDevice } from '../test/client';
import type { FixtureUserKey } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';
import { addCustomer, call, ModelVault, pushMutations, syncToEnd } from '../../test/support/server/sync-kit';

describe('push', () => {
  let s: TestServer;
  const dev = {} as Record<FixtureUserKey, TestDevice>;

  const update = (recordId: string, fields: Record<string, unknown>, baseValues: Record<string, unknown>, baseVersion: number | null, entity: Mutation['entity'] = 'customer'): Mutation => ({
    mutationId: randomUUID(), entity, op: 'update', recordId, baseVersion, fields, baseValues, createdAt: s.clock.now(),
  });
  const customerRow = (id: string) => s.ctx.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const held = (mutationId: string) => s.ctx.db.selectFrom('held_mutations').selectAll().where('mutation_id', '=', mutationId).execute();

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    for (const id of ['c1', 'c2', 'c3']) await addCustomer(s, u.rep.id, id);
    await addCustomer(s, u.rep2.id, 'c4');
    for (const key of ['rep', 'manager', 'service', 'rep2'] as const) {
      dev[key] = await enrollTestDevice(s.baseUrl, u[key].username, u[key].password, u[key].totpSecret, { now: s.clock.now });
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('applies an edit made from the current version and returns the projected record', async () => {
    const [result] = (await pushMutations(dev.rep, [update('c1', { notes: 'met the CFO' }, { notes: 'note' }, 1)])).results;
    expect(result?.status).toBe('applied');
    expect(result?.record?.notes).toBe('met the CFO');
    expect(result?.record).not.toHaveProperty('creditLimit'); // projected for the rep
    expect((await customerRow('c1')).version).toBe(2);
  });

  it('merges per field: the server changed another field meanwhile', async () => {
    await pushMutations(dev.manager, [update('c2', { notes: 'manager note' }, { notes: 'note' }, 1)]);
    const [result] = (await pushMutations(dev.rep, [update('c2', { industry: '金融' }, { industry: '制造业' }, 1)])).results;
    expect(result?.status).toBe('merged');
    const row = await customerRow('c2');
    expect(row.industry).toBe('金融');
    expect(row.notes).toBe('manager note');
  });

  it('a same-field conflict keeps the server value, returns both, and holds the loser server-side', async () => {
    await pushMutations(dev.manager, [update('c3', { city: '杭州' }, { city: '上海' }, 1)]);
    const mutation = update('c3', { city: '苏州', notes: 'also this' }, { city: '上海', notes: 'note' }, 1);
    const [result] = (await pushMutations(dev.rep, [mutation])).results;
    expect(result?.status).toBe('conflict');
    expect(result?.conflicts).toEqual([{ field: 'city', yours: '苏州', theirs: '杭州' }]);
    const row = await customerRow('c3');
    expect(row.city).toBe('杭州');
    expect(row.notes).toBe('also this'); // the other field still applied
    const rows = await held(mutation.mutationId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.kind).toBe('conflict');
    expect(rows[0]?.id).toBe(result?.heldId);
    expect(JSON.parse(rows[0]!.payload).fields).toEqual({ city: '苏州' });
  });

  it('rejects a field above the write clearance, and holds it', async () => {
    const mutation = update('c1', { creditLimit: 1 }, {}, null);
    const [result] = (await pushMutations(dev.rep, [mutation])).results;
    expect(result?.status).toBe('rejected');
    expect(result?.reason).toContain('above_write_clearance');
    expect((await held(mutation.mutationId))[0]?.kind).toBe('rejected');
    expect((await customerRow('c1')).credit_limit).not.toBe(1);
  });

  it('rejects an edit out of scope (another rep\'s customer), and holds it', async () => {
    const mutation = update('c4', { notes: 'not mine' }, { notes: 'note' }, 1);
    const [result] = (await pushMutations(dev.rep, [mutation])).results;
    expect(result?.status).toBe('rejected');
    expect(result?.reason).toBe('not_found'); // the same answer as for a record that does not exist
    expect(result?.record).toBeUndefined(); // nothing about it leaks back
    expect(await held(mutation.mutationId)).toHaveLength(1);
    expect((await customerRow('c4')).notes).toBe('note');
  });

  it('rejects customer service editing customer master data, and holds it; a service note is accepted', async () => {
    const mutation = update('c1', { name: 'Renamed by service' }, { name: 'Customer c1' }, null);
    const activity: Mutation = {
      mutationId: randomUUID(), entity: 'activity', op: 'create', recordId: 'svc-note-1', baseVersion: null,
      fields: { customerId: 'c1', kind: 'service_note', at: s.clock.now(), text: '处理发票问题' }, baseValues: {}, createdAt: s.clock.now(),
    };
    const [rejected, created] = (await pushMutations(dev.service, [mutation, activity])).results;
    expect(rejected?.status).toBe('rejected');
    expect(rejected?.reason).toBe('no_action');
    expect(await held(mutation.mutationId)).toHaveLength(1);
    expect((await customerRow('c1')).name).toBe('Customer c1');
    expect(created?.status).toBe('applied');
    expect(created?.record?.authorId).toBe(s.fixture.users.service.id);
  });

  it('a repeated mutation id is applied once and answered as duplicate', async () => {
    const mutation = update('c1', { tags: ['VIP', '重点客户'] }, { tags: ['VIP'] }, null);
    const first = (await pushMutations(dev.rep, [mutation])).results[0];
    const version = (await customerRow('c1')).version;
    const again = (await pushMutations(dev.rep, [mutation])).results[0];
    expect(first?.status).toBe('applied');
    expect(again?.status).toBe('duplicate');
    expect(again?.record?.tags).toEqual(['VIP', '重点客户']);
    expect((await customerRow('c1')).version).toBe(version);
    const applied = await s.ctx.db.selectFrom('applied_mutations').selectAll().where('mutation_id', '=', mutation.mutationId).execute();
    expect(applied).toHaveLength(1);
  });

  it('creates a customer owned by the rep (confidential fields left out), which the next pull delivers', async () => {
    const create: Mutation = {
      mutationId: randomUUID(), entity: 'customer', op: 'create', recordId: 'new-cust-1', baseVersion: null,
      fields: { name: '杭州云帆科技有限公司', type: 'company', industry: '信息技术', city: '杭州', address: '西湖区', tags: [], taxId: null, notes: '' },
      baseValues: {}, createdAt: s.clock.now(),
    };
    const [result] = (await pushMutations(dev.rep, [create])).results;
    expect(result?.status, JSON.stringify(result)).toBe('applied');
    expect(result?.record?.ownerId).toBe(s.fixture.users.rep.id);
    const vault = new ModelVault();
    await syncToEnd(dev.rep, vault);
    expect(vault.ids('customer')).toContain('new-cust-1');
  });

  it('a create over an existing id is answered as a conflict (different values) or duplicate (same values)', async () => {
    const base = { mutationId: randomUUID(), entity: 'contact' as const, op: 'create' as const, recordId: 'c2-ct', baseVersion: null, baseValues: {}, createdAt: s.clock.now() };
    const fields = { customerId: 'c2', name: 'Contact of c2', title: 'CEO', phone: '13800002', email: 'c2@example.com', wechat: 'wx_c2' };
    const [same] = (await pushMutations(dev.rep, [{ ...base, fields }])).results;
    expect(same?.status).toBe('duplicate');
    const mutationId = randomUUID();
    const [different] = (await pushMutations(dev.rep, [{ ...base, mutationId, fields: { ...fields, title: 'CFO' } }])).results;
    expect(different?.status).toBe('conflict');
    expect(different?.conflicts).toEqual([{ field: 'title', yours: 'CFO', theirs: 'CEO' }]);
    expect((await held(mutationId))[0]?.kind).toBe('conflict');
  });

  it('delete of a missing record and invalid fields are rejected with a reason, never a 500', async () => {
    const results = (await pushMutations(dev.manager, [
      { mutationId: randomUUID(), entity: 'contact', op: 'delete', recordId: 'nope', baseVersion: 1, fields: {}, baseValues: {}, createdAt: 0 },
      update('c1', { stage: 'won' }, {}, null),
      update('c1', { name: '' }, {}, null),
    ])).results;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(results[0]?.reason).toBe('not_found');
    expect(results[1]?.reason).toContain('invalid_fields');
    expect(results[2]?.reason).toContain('invalid_fields');
  });

  it('follow-ups: the rep plans, reschedules and completes one; inconsistent follow-up fields and service rescheduling are refused', async () => {
    const due = s.clock.now() + 86_400_000;
    const plan = (recordId: string, fields: Record<string, unknown>): Mutation => ({
      mutationId: randomUUID(), entity: 'activity', op: 'create', recordId, baseVersion: null, baseValues: {}, createdAt: s.clock.now(),
      fields: { customerId: 'c1', kind: 'visit', at: due, text: '回访', ...fields },
    });
    const row = (id: string) => s.ctx.db.selectFrom('activities').selectAll().where('id', '=', id).executeTakeFirst();
    const [planned, noDue, lateReminder] = (await pushMutations(dev.rep, [
      plan('fu-1', { dueAt: due, reminderAt: due - 3_600_000, doneAt: null }),
      plan('fu-2', { reminderAt: due }),
      plan('fu-3', { dueAt: due, reminderAt: due + 1 }),
    ])).results;
    expect(planned?.status).toBe('applied');
    expect(planned?.record).toMatchObject({ dueAt: due, reminderAt: due - 3_600_000, doneAt: null, authorId: s.fixture.users.rep.id });
    expect(noDue).toMatchObject({ status: 'rejected', reason: expect.stringContaining('invalid_fields') });
    expect(lateReminder).toMatchObject({ status: 'rejected', reason: expect.stringContaining('reminderAt') });
    expect(await row('fu-2')).toBeUndefined();

    // Rescheduling past its reminder is refused; customer service holds no activity.update.
    const [early] = (await pushMutations(dev.rep, [update('fu-1', { dueAt: due - 7_200_000, at: due - 7_200_000 }, { dueAt: due, at: due }, 1, 'activity')])).results;
    expect(early).toMatchObject({ status: 'rejected', reason: expect.stringContaining('reminderAt') });
    const [byService] = (await pushMutations(dev.service, [update('fu-1', { doneAt: due }, { doneAt: null }, 1, 'activity')])).results;
    expect(byService).toMatchObject({ status: 'rejected', reason: 'no_action' });

    const doneAt = s.clock.now();
    const [done] = (await pushMutations(dev.rep, [update('fu-1', { doneAt, at: doneAt, text: '已拜访' }, { doneAt: null, at: due, text: '回访' }, 1, 'activity')])).results;
    expect(done?.status).toBe('applied');
    const stored = await row('fu-1');
    expect([Number(stored?.done_at), Number(stored?.at), stored?.text, Number(stored?.version)]).toEqual([doneAt, doneAt, '已拜访', 2]);
  });

  it('uploads offline audit entries with their original times (inside the device\'s offline window)', async () => {
    // The device enrolled moments ago: an entry from days before would be flagged (see test/attacks).
    const at = s.clock.now() - 60_000;
    const id = randomUUID();
    const res = await call(dev.rep, 'POST', '/v1/audit/offline', {
      entries: [{ id, at, action: 'view', entity: 'customer', recordId: 'c1' }, { id: randomUUID(), at: at + 1, action: 'search', query: '华为' }],
    });
    expect(res.accepted).toBe(2);
    const rows = await s.ctx.db.selectFrom('audit_log').selectAll().where('action', 'in', ['offline.view', 'offline.search']).orderBy('seq').execute();
    expect(rows.map((r) => [r.action, Number(r.at)])).toEqual([['offline.view', at], ['offline.search', at + 1]]);
    expect(rows[0]?.target).toBe('customer:c1');
    expect(rows.map((r) => JSON.parse(r.details).flagged)).toEqual([undefined, undefined]);
    // The search text itself never reaches the trail: only its length and kind.
    expect(rows[1]?.details).not.toContain('华为');
    expect(JSON.parse(rows[1]!.details).search).toEqual({ length: 2, kind: 'cjk' });
  });
});
