import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createAuditLog, verifyChain } from './chain';
import { withTestDatabase, type TestDatabase } from '../test/db';

const run = promisify(execFile);

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run('npx', ['tsx', 'server/cli.ts', ...args], { env: { ...process.env, ...env }, cwd: process.cwd() });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

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

  it('`audit-verify` (the CLI, as a child process) reports exactly the edited entry', async () => {
    const db = await appendSome(10);
    const env = db.location.databaseUrl ? { DATABASE_URL: db.location.databaseUrl } : { DATABASE_URL: '' };
    const args = db.location.sqlitePath ? ['audit-verify', '--data', db.location.sqlitePath] : ['audit-verify'];
    const ok = await cli(args, env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('10 entries verified');

    await db.db.updateTable('audit_log').set({ target: 'someone-else' }).where('seq', '=', 7).execute();
    const broken = await cli(args, env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at entry seq 7 \(7 entries checked\)/);
  });
});
