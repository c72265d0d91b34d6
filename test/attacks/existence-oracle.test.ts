// Finding 12b — an existence oracle in push. A `create` whose id belonged to a record outside the
// actor's scope answered `id_in_use`, while an unknown id answered `not_found` (or `out_of_scope`),
// so a rep could probe which record ids exist elsewhere. A record the user may not read now
// answers exactly like a record that does not exist, for create, update and delete; the true
// reason is kept in the held row for reviewers. Runs on SQLite and PostgreSQL (SV_TEST_DB).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/protocol/sync';
import { addCustomer, pushMutations } from '../support/server/sync-kit';
import { enrollTestDevice, type TestDevice } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';
import { createOf, heldOf, updateOf } from './attack-kit';

describe('attack: probing record ids outside one\'s scope (finding 12b)', () => {
  let s: TestServer;
  let rep: TestDevice;

  /** What the rep is told (status + reason), without the ids that differ by construction. */
  async function answers(mutations: Mutation[]): Promise<string[]> {
    const { results } = await pushMutations(rep, mutations);
    return results.map((r) => `${r.status}:${r.reason ?? ''}:${r.record === undefined ? 'no-record' : 'record'}`);
  }

  beforeAll(async () => {
    s = await startTestServer();
    await addCustomer(s, s.fixture.users.rep.id, 'c1');
    await addCustomer(s, s.fixture.users.rep2.id, 'c4'); // rep2's: outside rep's scope
    rep = await enrollTestDevice(s.baseUrl, s.fixture.users.rep.username, s.fixture.users.rep.password, s.fixture.users.rep.totpSecret, { now: s.clock.now });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('create with an out-of-scope id answers like create with an unknown id', async () => {
    const contact = (id: string, customerId: string) => createOf(s, 'contact', id, { customerId, name: 'Probe', title: '', phone: null, email: null, wechat: null });
    // under a customer that does not exist
    const [a, b] = await answers([contact('c4-ct', 'no-such-customer'), contact('never-was-ct', 'no-such-customer')]);
    expect(a).toBe(b);
    // under the out-of-scope customer itself
    const [c, d] = await answers([contact('c4-ct', 'c4'), contact('never-was-ct2', 'c4')]);
    expect(c).toBe(d);
    expect(c).toBe(a); // an unreadable customer is answered like a missing one
    // an activity under the unreadable customer: the id of its existing activity vs a fresh one
    const [e, f] = await answers([
      createOf(s, 'activity', 'c4-ac', { customerId: 'c4', kind: 'visit', at: s.clock.now(), text: 'probe' }),
      createOf(s, 'activity', 'never-was-ac', { customerId: 'c4', kind: 'visit', at: s.clock.now(), text: 'probe' }),
    ]);
    expect(e).toBe(f);
    expect(await s.ctx.db.selectFrom('contacts').select('id').where('id', 'in', ['never-was-ct', 'never-was-ct2']).execute()).toEqual([]);
  });

  it('update and delete of an out-of-scope record answer like those of an unknown id; the held row keeps the true reason', async () => {
    const probe = updateOf(s, 'customer', 'c4', { notes: 'probe' });
    const [a, b] = await answers([probe, updateOf(s, 'customer', 'no-such-customer', { notes: 'probe' })]);
    expect(a).toBe(b);
    const del = (id: string): Mutation => ({ ...updateOf(s, 'contact', id, {}), op: 'delete' });
    const [c, d] = await answers([del('c4-ct'), del('no-such-contact')]);
    expect(c).toBe(d);
    const held = await heldOf(s, probe.mutationId);
    expect(held[0]?.reason).toContain('out_of_scope');
    expect((await s.ctx.db.selectFrom('customers').select('notes').where('id', '=', 'c4').executeTakeFirstOrThrow()).notes).toBe('note');
  });
});
