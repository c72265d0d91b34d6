// Finding 6 — deeply nested JSON in a push. `fields`/`baseValues` nested ~200k levels deep gave a
// 500 (JSON.stringify overflowed while holding/auditing the mutation), and the out-of-scope write
// it carried left no audit row and no held mutation. The shared wire schema now allows only flat,
// bounded field values (scalars or a short list of short texts), a bounded number of fields and
// the body limit, so such a request is refused with a clear 400 before any processing, while the
// same write sent in a valid shape is processed, audited and held. Runs on SQLite and PostgreSQL.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCustomer, pushMutations } from '../support/server/sync-kit';
import { enrollTestDevice, type TestDevice } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';
import { auditOfMutation, heldOf, updateOf } from './attack-kit';

const DEPTH = 200_000;
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('attack: deeply nested JSON in a push (finding 6)', () => {
  let s: TestServer;
  let rep: TestDevice;

  async function rawPush(body: string): Promise<{ status: number; code?: string }> {
    const res = await rep.signedFetch('POST', '/v1/sync/push', undefined, { rawBody: body, contentType: 'application/json' });
    const json = (await res.json()) as { error?: { code: string } };
    return { status: res.status, ...(json.error ? { code: json.error.code } : {}) };
  }

  /** A push of one update of rep2's customer c4 (outside rep's scope), with `value` spliced in raw. */
  function outOfScopeWrite(where: 'fields' | 'baseValues', rawValue: string): { body: string; mutationId: string } {
    const m = updateOf(s, 'customer', 'c4', { notes: 'taken over' }, { notes: 'note' });
    const json = JSON.stringify({ mutations: [m] });
    const marker = where === 'fields' ? '"notes":"taken over"' : '"notes":"note"';
    return { body: json.replace(marker, `"notes":${rawValue}`), mutationId: m.mutationId };
  }

  beforeAll(async () => {
    s = await startTestServer();
    await addCustomer(s, s.fixture.users.rep.id, 'c1');
    await addCustomer(s, s.fixture.users.rep2.id, 'c4');
    rep = await enrollTestDevice(s.baseUrl, s.fixture.users.rep.username, s.fixture.users.rep.password, s.fixture.users.rep.totpSecret, { now: s.clock.now });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('~200k levels in fields or baseValues get a 400, not a 500, and change nothing', async () => {
    for (const where of ['fields', 'baseValues'] as const) {
      const { body } = outOfScopeWrite(where, nested(DEPTH));
      expect(await rawPush(body)).toEqual({ status: 400, code: 'validation_failed' });
    }
    // nested objects too, and a body that is nothing but nesting
    const objects = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
    expect(await rawPush(outOfScopeWrite('fields', objects).body)).toEqual({ status: 400, code: 'validation_failed' });
    expect(await rawPush(`{"mutations":${nested(DEPTH)}}`)).toEqual({ status: 400, code: 'validation_failed' });
    expect(await rawPush(nested(DEPTH))).toEqual({ status: 400, code: 'validation_failed' });
    // the nested text sent as one raw JSON string body
    expect(await rawPush(JSON.stringify(outOfScopeWrite('fields', nested(DEPTH)).body))).toEqual({ status: 400, code: 'validation_failed' });
    expect((await s.ctx.db.selectFrom('customers').select('notes').where('id', '=', 'c4').executeTakeFirstOrThrow()).notes).toBe('note');
    // the server is still fine
    expect((await pushMutations(rep, [updateOf(s, 'customer', 'c1', { city: '杭州' }, { city: '上海' })])).results[0]?.status).toBe('applied');
  });

  it('shallow nesting and oversized values are refused by the schema too (flat scalars of bounded size, bounded counts)', async () => {
    expect(await rawPush(outOfScopeWrite('fields', '{"x":1}').body)).toEqual({ status: 400, code: 'validation_failed' });
    expect(await rawPush(outOfScopeWrite('fields', '[["a"]]').body)).toEqual({ status: 400, code: 'validation_failed' });
    expect(await rawPush(outOfScopeWrite('fields', JSON.stringify('x'.repeat(10_001))).body)).toEqual({ status: 400, code: 'validation_failed' });
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, 1]));
    const res = await rep.signedFetch('POST', '/v1/sync/push', { mutations: [updateOf(s, 'customer', 'c1', many)] });
    expect(res.status).toBe(400);
  });

  it('the same out-of-scope write in a valid shape is rejected, audited and held', async () => {
    const { body, mutationId } = outOfScopeWrite('fields', JSON.stringify('taken over'));
    const res = await rep.signedFetch('POST', '/v1/sync/push', undefined, { rawBody: body, contentType: 'application/json' });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { status: string }[] };
    expect(results[0]?.status).toBe('rejected');
    expect((await auditOfMutation(s, mutationId)).map((a) => a.outcome)).toEqual(['denied']);
    expect(await heldOf(s, mutationId)).toHaveLength(1);
    expect((await s.ctx.db.selectFrom('customers').select('notes').where('id', '=', 'c4').executeTakeFirstOrThrow()).notes).toBe('note');
  });
});
