// The repository's contract with sync: every change bumps version/updated_at and appends to the
// change log with the right owner_before/owner_after, on SQLite and PostgreSQL.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTestDatabase, type TestDatabase } from '../test/db';
import { createFixtureOrg, type Fixture } from '../test/fixtures';
import { bulkInsertRecords } from './bulk';
import { RecordError, createRecord, createShare, deleteRecord, inRecordTransaction, reassignCustomer, revokeShare, updateRecord } from './repository';

describe('record repository', () => {
  let t: TestDatabase;
  let f: Fixture;
  const log = (customerId: string) =>
    t.db.selectFrom('change_log').select(['entity', 'record_id', 'op', 'owner_before', 'owner_after']).where('customer_id', '=', customerId).orderBy('seq').execute();

  beforeAll(async () => {
    t = await withTestDatabase();
    f = await createFixtureOrg(t.db);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('logs create, update, reassign (with every child) and delete with the owner before and after', async () => {
    const rep = f.users.rep.id;
    const manager = f.users.manager.id;
    await inRecordTransaction(t, async (trx) => {
      await createRecord(trx, { entity: 'customer', id: 'k1', actorId: rep, now: 1000, fields: {
        name: 'K1', type: 'company', industry: 'x', city: '上海', address: 'a', ownerId: rep, tags: ['a'], creditLimit: 1, paymentTerms: null, taxId: null, notes: '',
      } });
      await createRecord(trx, { entity: 'contact', id: 'k1-ct', actorId: rep, now: 1000, fields: { customerId: 'k1', name: 'C', title: 't', phone: null, email: null, wechat: null } });
    });
    await inRecordTransaction(t, (trx) => updateRecord(trx, { entity: 'customer', id: 'k1', fields: { notes: 'n' }, actorId: rep, now: 2000 }));
    await inRecordTransaction(t, (trx) => reassignCustomer(trx, { customerId: 'k1', newOwnerId: manager, actorId: manager, now: 3000 }));
    await inRecordTransaction(t, (trx) => deleteRecord(trx, { entity: 'customer', id: 'k1', actorId: manager, now: 4000 }));

    expect(await log('k1')).toEqual([
      { entity: 'customer', record_id: 'k1', op: 'create', owner_before: null, owner_after: rep },
      { entity: 'contact', record_id: 'k1-ct', op: 'create', owner_before: null, owner_after: rep },
      { entity: 'customer', record_id: 'k1', op: 'update', owner_before: rep, owner_after: rep },
      { entity: 'customer', record_id: 'k1', op: 'reassign', owner_before: rep, owner_after: manager },
      { entity: 'contact', record_id: 'k1-ct', op: 'reassign', owner_before: rep, owner_after: manager },
      { entity: 'contact', record_id: 'k1-ct', op: 'delete', owner_before: manager, owner_after: null },
      { entity: 'customer', record_id: 'k1', op: 'delete', owner_before: manager, owner_after: null },
    ]);
    const row = await t.db.selectFrom('customers').selectAll().where('id', '=', 'k1').executeTakeFirstOrThrow();
    expect([row.version, Number(row.updated_at), row.deleted, row.owner_id]).toEqual([4, 4000, 1, manager]);
  });

  it('refuses changes to missing records and children of missing customers, writing nothing', async () => {
    await expect(inRecordTransaction(t, (trx) => updateRecord(trx, { entity: 'contact', id: 'nope', fields: { name: 'x' }, actorId: null, now: 1 })))
      .rejects.toBeInstanceOf(RecordError);
    await expect(inRecordTransaction(t, (trx) => createRecord(trx, {
      entity: 'activity', id: 'orphan', actorId: null, now: 1, fields: { customerId: 'nope', kind: 'call', at: 1, text: 'x', authorId: f.users.rep.id },
    }))).rejects.toThrow(/not found/);
    expect(await log('nope')).toEqual([]);
  });

  it('shares touch their customer so devices holding it learn its new buckets', async () => {
    const rep = f.users.rep.id;
    await bulkInsertRecords(t, {
      customers: [{ id: 'k2', updated_at: 1, version: 1, deleted: 0, name: 'K2', type: 'company', industry: '', city: '', address: '', owner_id: rep, tags: '[]', credit_limit: null, payment_terms: null, tax_id: null, notes: '' }],
      contacts: [], opportunities: [], activities: [],
    }, { actorId: null, now: 1 });
    const share = await inRecordTransaction(t, (trx) => createShare(trx, {
      id: 'sh-1', customerId: 'k2', granteeType: 'user', granteeId: f.users.rep2.id, access: 'read', expiresAt: null, createdBy: rep, now: 10,
    }));
    expect(share.revokedAt).toBeNull();
    const revoked = await inRecordTransaction(t, (trx) => revokeShare(trx, { shareId: 'sh-1', actorId: rep, now: 20 }));
    expect(revoked.revokedAt).toBe(20);
    expect((await log('k2')).map((e) => e.op)).toEqual(['create', 'update', 'update']);
  });

  it('bulk-inserts batches with a create log entry per record, children of earlier batches included', async () => {
    const rep = f.users.rep.id;
    const customer = (id: string) => ({ id, updated_at: 1, version: 1, deleted: 0, name: id, type: 'company' as const, industry: '', city: '', address: '', owner_id: rep, tags: '[]', credit_limit: null, payment_terms: null, tax_id: null, notes: '' });
    const customers = Array.from({ length: 1500 }, (_, i) => customer(`b${i}`));
    const contacts = customers.map((c) => ({ id: `${c.id}-ct`, updated_at: 1, version: 1, deleted: 0, customer_id: c.id, name: 'n', title: '', phone: null, email: null, wechat: null }));
    expect(await bulkInsertRecords(t, { customers, contacts, opportunities: [], activities: [] }, { actorId: null, now: 1 })).toBe(3000);
    // A later batch adding children to customers stored earlier still names their owner.
    await bulkInsertRecords(t, { customers: [], contacts: [], opportunities: [], activities: [
      { id: 'b0-ac', updated_at: 1, version: 1, deleted: 0, customer_id: 'b0', kind: 'call', at: 1, author_id: rep, text: 'x' },
    ] }, { actorId: null, now: 1 });
    expect((await log('b0')).map((e) => [e.record_id, e.owner_after])).toEqual([['b0', rep], ['b0-ct', rep], ['b0-ac', rep]]);
  });
});
