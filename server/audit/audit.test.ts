import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog, verifyChain } from './chain';
import { openDatabase } from '../db/connection';
import { cliOn } from '../test/cli';
import { withTestDatabase, type TestDatabase } from '../test/db';

describe('audit hash chain', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  async function appendSome(count: number) {
    t = await withTestDatabase();
    let clock = 1_700_000_000_000;
    const audit = createAuditLog(t.db, t.dialect, () => clock++);
    for (let i = 0; i < count; i++) {
      await audit.append({ actorId: `u${i % 3}`, deviceId: null, action: 'auth.sign_in', target: `user${i}`, outcome: 'ok', details: { i, nested: { b: 1, a: [i] } } });
    }
    return t;
  }

  it('verifies an intact chain, and concurrent appends still form one chain', async () => {
    const db = await appendSome(5);
    const audit = createAuditLog(db.db, db.dialect, Date.now);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => audit.append({ actorId: null, deviceId: null, action: 'x', target: String(i), outcome: 'failed' })),
    );
    expect(await verifyChain(db.db)).toEqual({ ok: true, checked: 25, firstBrokenSeq: null });
  });

  it('two writers on one database (as two processes would be) interleave into one intact chain', async () => {
    t = await withTestDatabase();
    // A second handle on the same database: on PG its own pool, like a second server process.
    const other = await openDatabase(t.location);
    try {
      const a = createAuditLog(t.db, t.dialect, Date.now);
      const b = createAuditLog(other.db, other.dialect, Date.now);
      for (let i = 0; i < 6; i++) await (i % 2 === 0 ? a : b).append({ actorId: null, deviceId: null, action: 'seq', target: String(i), outcome: 'ok' });
      // Concurrently too. Two SQLite handles in ONE process cannot overlap (a synchronous write
      // waiting on the other handle's open transaction blocks the event loop that would finish
      // it), so on SQLite the race is within one handle; separate processes do not have that.
      const racer = (i: number) => (t?.dialect === 'postgres' && i % 3 === 0 ? b : a);
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => racer(i).append({ actorId: null, deviceId: null, action: 'race', target: String(i), outcome: 'ok' })),
      );
      expect(await verifyChain(t.db)).toEqual({ ok: true, checked: 36, firstBrokenSeq: null });
      const seqs = (await t.db.selectFrom('audit_log').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
      expect(seqs).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
    } finally {
      await other.close();
    }
  });

  it('batches concurrent appends, and one bad entry in a batch fails alone', async () => {
    t = await withTestDatabase();
    const audit = createAuditLog(t.db, t.dialect, Date.now);
    await audit.append({ actorId: null, deviceId: null, action: 'first', target: null, outcome: 'ok' });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        audit.append({ actorId: null, deviceId: null, action: 'batch', target: String(i), outcome: (i === 5 ? 'bogus' : 'ok') as 'ok' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 12 }, (_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    expect(await verifyChain(t.db)).toEqual({ ok: true, checked: 12, firstBrokenSeq: null });
    const targets = (await t.db.selectFrom('audit_log').select('target').where('action', '=', 'batch').orderBy('seq').execute()).map((r) => r.target);
    expect(targets).toEqual(['0', '1', '2', '3', '4', '6', '7', '8', '9', '10', '11']);
  });

  it('names the first edited entry, whatever column was touched', async () => {
    const db = await appendSome(8);
    await db.db.updateTable('audit_log').set({ outcome: 'denied' }).where('seq', '=', 6).execute();
    expect(await verifyChain(db.db)).toMatchObject({ ok: false, firstBrokenSeq: 6 });
    await db.db.updateTable('audit_log').set({ details: '{"i":3,"nested":{"a":[3],"b":2}}' }).where('seq', '=', 4).execute();
    expect(await verifyChain(db.db)).toMatchObject({ ok: false, firstBrokenSeq: 4 });
  });

  it('detects a deleted entry in the middle', async () => {
    const db = await appendSome(6);
    await db.db.deleteFrom('audit_log').where('seq', '=', 3).execute();
    expect(await verifyChain(db.db)).toMatchObject({ ok: false, firstBrokenSeq: 4 });
  });

  it('`audit-verify` (the CLI) reports exactly the edited entry', async () => {
    const db = await appendSome(10);
    const ok = await cliOn(db, ['audit-verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('10 entries verified');

    await db.db.updateTable('audit_log').set({ target: 'someone-else' }).where('seq', '=', 7).execute();
    const broken = await cliOn(db, ['audit-verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at entry seq 7 \(7 entries checked\)/);
  });
});
