// Finding 7 — a NUL character in a text field. On PostgreSQL it gave a 500 for the whole push
// (text columns refuse NUL), and since the client re-sent the same batch, that mutation blocked
// the outbox forever. The shared text schemas now refuse NUL and the other C0 control characters
// (tab and line breaks stay allowed in multi-line text), and the server answers that one mutation
// as rejected (kept for review) while the rest of the batch is applied. Runs on SQLite and
// PostgreSQL (SV_TEST_DB).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCustomer, pushMutations } from '../support/server/sync-kit';
import { enrollTestDevice, type TestDevice } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';
import { auditOfMutation, createOf, heldOf, opportunityFields, updateOf } from './attack-kit';

describe('attack: control characters in text fields (finding 7)', () => {
  let s: TestServer;
  let rep: TestDevice;
  const customer = (id: string) => s.ctx.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    s = await startTestServer();
    await addCustomer(s, s.fixture.users.rep.id, 'c1');
    rep = await enrollTestDevice(s.baseUrl, s.fixture.users.rep.username, s.fixture.users.rep.password, s.fixture.users.rep.totpSecret, { now: s.clock.now });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a NUL in a text field is one rejected mutation (held, audited); the rest of the batch is applied', async () => {
    const withNul = updateOf(s, 'customer', 'c1', { notes: 'before\u0000after' }, { notes: 'note' });
    const contactNul = createOf(s, 'contact', 'ct-nul', { customerId: 'c1', name: 'A\u0000B', title: '', phone: null, email: null, wechat: null });
    const fine = updateOf(s, 'customer', 'c1', { city: '南京' }, { city: '上海' });
    const res = await rep.signedFetch('POST', '/v1/sync/push', { mutations: [withNul, contactNul, fine] });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const { results } = JSON.parse(text) as { results: { status: string; reason?: string }[] };
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'applied']);
    expect(results[0]?.reason).toContain('control characters');
    expect(await heldOf(s, withNul.mutationId)).toHaveLength(1);
    expect((await auditOfMutation(s, withNul.mutationId)).map((a) => a.outcome)).toEqual(['denied']);
    const row = await customer('c1');
    expect(row.notes).toBe('note');
    expect(row.city).toBe('南京');
    expect(await s.ctx.db.selectFrom('contacts').select('id').where('id', '=', 'ct-nul').execute()).toEqual([]);
  });

  it('other C0 controls are refused; tab and line breaks only where text may span lines', async () => {
    const bell = updateOf(s, 'customer', 'c1', { name: 'Ring\u0007' });
    const escape = createOf(s, 'opportunity', 'op-esc', opportunityFields('c1', s.fixture.users.rep.id, 'Deal \u001b[31m'));
    const newlineInName = updateOf(s, 'customer', 'c1', { industry: 'line\nbreak' });
    const multiline = updateOf(s, 'customer', 'c1', { notes: 'line one\n\tline two\r\n' }, { notes: 'note' });
    const results = (await pushMutations(rep, [bell, escape, newlineInName, multiline])).results;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'applied']);
    expect((await customer('c1')).notes).toBe('line one\n\tline two\r\n');
  });
});
