// Finding 5 — structural fields writable by push. A rep with a write share took over a
// colleague's deal by pushing `ownerId`, created deals credited to a rep in another region, and
// the next pull's directory then revealed that person's name; an unknown owner id gave a 500.
// Structural fields (owner, author, customer of a child record) now change only through the
// action that governs them: an opportunity's owner other than the actor needs
// `opportunity.reassign` with the new owner inside the actor's scope; an activity's author is the
// actor; a child's customer is fixed at creation. Runs on SQLite and PostgreSQL (SV_TEST_DB).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, createShare, inRecordTransaction } from '../../server/records/repository';
import { addCustomer, ModelVault, pushMutations, syncToEnd } from '../support/server/sync-kit';
import { enrollTestDevice, type TestDevice } from '../../server/test/client';
import { startTestServer, type TestServer } from '../../server/test/server';
import { auditOfMutation, createOf, heldOf, opportunityFields, updateOf } from './attack-kit';

describe('attack: structural fields through push (finding 5)', () => {
  let s: TestServer;
  let rep: TestDevice;
  let manager: TestDevice;
  const oppOwner = async (id: string) =>
    (await s.ctx.db.selectFrom('opportunities').select('owner_id').where('id', '=', id).executeTakeFirst())?.owner_id;

  beforeAll(async () => {
    s = await startTestServer();
    const u = s.fixture.users;
    await addCustomer(s, u.rep.id, 'c1');
    await addCustomer(s, u.rep2.id, 'c4');
    await addCustomer(s, u.rep2.id, 'c5');
    const now = s.ctx.now();
    await inRecordTransaction(s.ctx, async (trx) => {
      // rep2 lets rep cover c4 and c5 (read-write), e.g. during leave
      for (const c of ['c4', 'c5']) {
        await createShare(trx, { id: `share-${c}`, customerId: c, granteeType: 'user', granteeId: u.rep.id, access: 'write', expiresAt: null, createdBy: u.manager.id, now });
      }
      // Legacy data: a deal on c5 credited to the director (a user rep may not see)
      await createRecord(trx, { entity: 'opportunity', id: 'c5-legacy', actorId: null, now, fields: opportunityFields('c5', u.director.id, 'Legacy deal') });
    });
    rep = await enrollTestDevice(s.baseUrl, u.rep.username, u.rep.password, u.rep.totpSecret, { now: s.clock.now });
    manager = await enrollTestDevice(s.baseUrl, u.manager.username, u.manager.password, u.manager.totpSecret, { now: s.clock.now });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a rep with a write share cannot take over the colleague\'s deal by pushing ownerId', async () => {
    const u = s.fixture.users;
    const takeOver = updateOf(s, 'opportunity', 'c4-op', { ownerId: u.rep.id }, { ownerId: u.rep2.id });
    const giveAway = updateOf(s, 'opportunity', 'c1-op', { ownerId: u.rep2.id }, { ownerId: u.rep.id });
    const results = (await pushMutations(rep, [takeOver, giveAway])).results;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await oppOwner('c4-op')).toBe(u.rep2.id);
    expect(await oppOwner('c1-op')).toBe(u.rep.id);
    // Kept for review, and audited as denied.
    expect(await heldOf(s, takeOver.mutationId)).toHaveLength(1);
    expect((await auditOfMutation(s, takeOver.mutationId)).map((a) => a.outcome)).toEqual(['denied']);
    // Ordinary edits of the same deal through the share still work.
    const [edit] = (await pushMutations(rep, [updateOf(s, 'opportunity', 'c4-op', { stage: 'negotiation' }, { stage: 'proposal' })])).results;
    expect(edit?.status).toBe('applied');
  });

  it('a deal created credited to a rep in another team is rejected and held; credited to oneself it is applied', async () => {
    const u = s.fixture.users;
    const credited = createOf(s, 'opportunity', 'op-credited', opportunityFields('c1', u.rep2.id));
    const own = createOf(s, 'opportunity', 'op-own', opportunityFields('c1', u.rep.id));
    const [bad, good] = (await pushMutations(rep, [credited, own])).results;
    expect(bad?.status).toBe('rejected');
    expect(bad?.reason).toContain('invalid_owner');
    expect(await heldOf(s, credited.mutationId)).toHaveLength(1);
    expect(await oppOwner('op-credited')).toBeUndefined();
    expect(good?.status).toBe('applied');
    expect(await oppOwner('op-own')).toBe(u.rep.id);
  });

  it('a non-existent owner id is a rejected mutation (HTTP 200 with a reason), never a 500', async () => {
    const res = await rep.signedFetch('POST', '/v1/sync/push', {
      mutations: [
        createOf(s, 'opportunity', 'op-ghost', opportunityFields('c1', 'no-such-user')),
        updateOf(s, 'opportunity', 'c1-op', { ownerId: 'no-such-user' }),
      ],
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const { results } = JSON.parse(text) as { results: { status: string; reason?: string }[] };
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await oppOwner('op-ghost')).toBeUndefined();
    expect(await oppOwner('c1-op')).toBe(s.fixture.users.rep.id);
  });

  it('an activity\'s author is the actor: pushing authorId is refused; a manager without opportunity.reassign cannot move deals either', async () => {
    const u = s.fixture.users;
    const forged = createOf(s, 'activity', 'ac-forged', { customerId: 'c1', kind: 'visit', at: s.clock.now(), text: 'by someone else', authorId: u.rep2.id });
    const [r1] = (await pushMutations(rep, [forged])).results;
    expect(r1?.status).toBe('rejected');
    expect(r1?.reason).toContain('structural_field');
    // The manager's team covers rep and themself, but the role has no opportunity.reassign.
    const move = updateOf(s, 'opportunity', 'c1-op', { ownerId: u.manager.id }, { ownerId: u.rep.id });
    const [r2] = (await pushMutations(manager, [move])).results;
    expect(r2?.status).toBe('rejected');
    expect(await oppOwner('c1-op')).toBe(u.rep.id);
  });

  it('with opportunity.reassign, a deal moves only to an owner inside the actor\'s scope', async () => {
    const u = s.fixture.users;
    const role = await s.ctx.db.selectFrom('roles').select('actions').where('id', '=', 'role-manager').executeTakeFirstOrThrow();
    const actions = [...(JSON.parse(role.actions) as string[]), 'opportunity.reassign'];
    await s.ctx.db.updateTable('roles').set({ actions: JSON.stringify(actions) }).where('id', '=', 'role-manager').execute();
    const outside = updateOf(s, 'opportunity', 'c1-op', { ownerId: u.rep2.id }, { ownerId: u.rep.id });
    const inside = updateOf(s, 'opportunity', 'c1-op', { ownerId: u.manager.id }, { ownerId: u.rep.id });
    const [r1, r2] = (await pushMutations(manager, [outside, inside])).results;
    expect(r1?.status).toBe('rejected');
    expect(r2?.status).toBe('applied');
    expect(await oppOwner('c1-op')).toBe(u.manager.id);
  });

  it('the pull directory names the owners of what the rep sees, not a user a deal was credited to', async () => {
    const u = s.fixture.users;
    const { pages } = await syncToEnd(rep, new ModelVault());
    const names = new Map(pages.flatMap((p) => p.directory ?? []).map((d) => [d.id, d.displayName]));
    // rep2 owns the shared customers: named. The director only has a deal credited on c5: not named.
    expect(names.has(u.rep2.id)).toBe(true);
    expect(names.has(u.director.id)).toBe(false);
    expect(JSON.stringify(pages)).not.toContain(u.director.username);
  });
});
