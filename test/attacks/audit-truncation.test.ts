// Finding 8 — deleting the newest audit entries was not detected: the hash chain of what is left
// is still a valid chain, and `audit-verify` said OK after the last 20 rows were deleted.
// Now the server signs checkpoints of the chain head (every N entries, after a quiet period at
// the next write, and at every `audit-verify`); verification requires every checkpoint to be
// covered and names the missing tail. The limit is tested too: someone able to delete the
// checkpoint rows as well is caught only by a checkpoint kept outside the database (--anchor).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog, verifyChain } from '../../server/audit/chain';
import { checkpointHead } from '../../server/audit/checkpoints';
import type { ServerKeys } from '../../server/context';
import { loadOrCreateServerKeys } from '../../server/keys';
import { cliOn } from '../../server/test/cli';
import { withTestDatabase, type TestDatabase } from '../../server/test/db';

/** `audit-verify` as IT runs it (the CLI's runCli, in-process: server/test/cli.ts). */
function auditVerify(t: TestDatabase, extra: string[] = []): Promise<{ code: number; stdout: string }> {
  return cliOn(t, ['audit-verify', ...extra]);
}

describe('attack: delete the newest audit entries (finding 8)', () => {
  let t: TestDatabase | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function trail(count: number, checkpointEveryEntries = 1_000_000): Promise<{ t: TestDatabase; keys: ServerKeys; append(n: number): Promise<void> }> {
    t = await withTestDatabase();
    const keys = await loadOrCreateServerKeys(t.db);
    let clock = 1_700_000_000_000;
    const audit = createAuditLog(t.db, t.dialect, () => clock++, { keys, checkpointEveryEntries, checkpointEveryMs: 3_600_000 });
    let i = 0;
    const append = async (n: number) => {
      for (const end = i + n; i < end; i++) {
        await audit.append({ actorId: 'user-x', deviceId: null, action: 'customer.view', target: `c${i}`, outcome: 'ok', details: { i } });
      }
    };
    await append(count);
    return { t, keys, append };
  }

  const deleteNewest = (db: TestDatabase, fromSeq: number) => db.db.deleteFrom('audit_log').where('seq', '>=', fromSeq).execute();

  it('`audit-verify` passes on an untouched trail, then names the missing tail when the last 20 rows are deleted', async () => {
    const { t } = await trail(50);
    const first = await auditVerify(t);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('audit chain OK: 50 entries verified');
    expect(first.stdout).toContain('new checkpoint: seq 50');
    // A second run checks the trail against the first run's checkpoint: still OK.
    const second = await auditVerify(t);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('covers the checkpoint of seq 50');

    await deleteNewest(t, 31);
    const truncated = await auditVerify(t);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(/TRUNCATED: 20 entries missing from the end, from seq 31 to seq 50/);
  }, 60_000);

  it('checkpoints signed while writing cover the tail without anyone running audit-verify', async () => {
    const { t } = await trail(35, 10);
    const stored = await t.db.selectFrom('audit_checkpoints').select('seq').orderBy('seq').execute();
    expect(stored.map((r) => Number(r.seq))).toEqual([10, 20, 30]);
    await deleteNewest(t, 16); // the last 20 entries
    const result = await verifyChain(t.db);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 16, missingTail: { fromSeq: 16, toSeq: 30, count: 15 } });
  });

  it('a deleted tail written over by new entries shows as a differing hash', async () => {
    const { t, append } = await trail(30, 10);
    await deleteNewest(t, 21);
    await append(15); // the server keeps writing after the cut
    const result = await verifyChain(t.db);
    expect(result.ok).toBe(false);
    expect(result.missingTail).toBeUndefined();
    if (t.dialect === 'postgres') {
      // PG hands out max(seq) + 1: seqs 21.. are re-used, and seq 30 no longer has the signed hash.
      expect(result).toMatchObject({ firstBrokenSeq: 30, checkpointMismatch: { seq: 30 } });
    } else {
      // SQLite's AUTOINCREMENT never re-uses a seq: the new entries start at 31, after a gap.
      expect(result).toMatchObject({ firstBrokenSeq: 21, missingEntries: { fromSeq: 21, toSeq: 30, count: 10 } });
    }
  });

  it('an edited or forged checkpoint row is reported, not trusted', async () => {
    const { t } = await trail(20, 10);
    // Hide a truncation by moving the newest checkpoint back to a seq that still exists.
    await deleteNewest(t, 15);
    await t.db.updateTable('audit_checkpoints').set({ seq: 14, hash: 'f'.repeat(64) }).where('seq', '=', 20).execute();
    const result = await verifyChain(t.db);
    expect(result.ok).toBe(false);
    expect(result.invalidCheckpoints).toEqual([14]);
  });

  it('deleting the checkpoints too defeats the in-database check, but not an anchored checkpoint', async () => {
    const { t } = await trail(40);
    dir = mkdtempSync(join(tmpdir(), 'sv-anchor-'));
    const anchor = join(dir, 'audit-anchors.jws');
    expect((await auditVerify(t, ['--anchor', anchor])).code).toBe(0);
    const anchored = readFileSync(anchor, 'utf8').trim().split('\n');
    expect(anchored).toHaveLength(1);

    await deleteNewest(t, 21);
    await t.db.deleteFrom('audit_checkpoints').execute();
    // What is NOT detected: with every covering checkpoint gone, the database alone looks whole.
    expect(await verifyChain(t.db)).toMatchObject({ ok: true, checked: 20 });
    // The checkpoint kept outside the database still names the missing tail.
    expect(await verifyChain(t.db, { anchors: anchored })).toMatchObject({
      ok: false, missingTail: { fromSeq: 21, toSeq: 40, count: 20 },
    });
    const cli = await auditVerify(t, ['--anchor', anchor]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/TRUNCATED: 20 entries missing from the end, from seq 21 to seq 40/);
  }, 60_000);

  it('an untouched trail with checkpoints verifies, and checkpointing an empty trail is a no-op', async () => {
    const { t, keys } = await trail(25, 10);
    expect(await verifyChain(t.db)).toMatchObject({ ok: true, checked: 25, firstBrokenSeq: null, latestCheckpoint: { seq: 20 } });
    const empty = await withTestDatabase();
    try {
      expect(await checkpointHead(empty.db, keys, Date.now())).toBeNull();
    } finally {
      await empty.cleanup();
    }
  });
});
