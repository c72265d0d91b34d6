// Faults that must be named for what they are (not "an unexpected error" / vault_corrupt): the
// vault key gone from the real OS keychain while the vault file stays, and a full disk — a real,
// small tmpfs the test mounts (needs root or CAP_SYS_ADMIN; skipped with a message otherwise).

import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../shared/api/desktop-api';
import { VAULT_KEY_ACCOUNT } from '../../electron/core/contracts';
import { newTestApp, signInAndSync, stateOf, unwrap, type TestApp } from '../support/test-app';
import { startRealServer, type RealServer } from '../support/real-server';

/** Mount a tmpfs of `size` at a new directory; null when this machine does not allow it. */
function mountSmallDisk(size: string): { dir: string; unmount: () => void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'sv-fulldisk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fill the filesystem at `dir` to the last byte. */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      try {
        writeSync(fd, chunk);
      } catch {
        break;
      }
    }
    for (;;) {
      try {
        writeSync(fd, Buffer.alloc(512, 1));
      } catch {
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('named errors: missing vault key, full disk', () => {
  let server: RealServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    server = await startRealServer();
  });
  afterAll(async () => {
    for (const t of apps) await t.cleanup();
    await server?.cleanup();
  });

  it('the vault key deleted from the keychain: locked with vault_key_missing (not vault_corrupt)', async () => {
    const t = await newTestApp('key-missing');
    apps.push(t);
    await signInAndSync(t.app, server, server.fixture.users.rep2);
    await t.app.close();
    expect(await t.secrets.delete(VAULT_KEY_ACCOUNT)).toBe(true);
    const app = await t.reopen();
    const state = await stateOf(app);
    expect(state.phase).toBe('locked');
    expect(state.reason).toBe('vault_key_missing');
    expect(state.sync.lastError).toBe('vault_key_missing');
  });

  it('a full disk: the edit fails with disk_full, nothing half-written, and works once space is freed', async (ctx) => {
    const disk = mountSmallDisk('4m');
    if (!disk) {
      console.warn('SKIPPED disk-full test: this machine does not allow mounting a tmpfs (needs root or CAP_SYS_ADMIN)');
      ctx.skip();
      return;
    }
    const t = await newTestApp('disk-full', { dataDir: join(disk.dir, 'data') });
    try {
      await signInAndSync(t.app, server, server.fixture.users.rep2);
      await server.stop();
      const customer = server.customers.otherRep;
      const filler = fillDisk(disk.dir);
      let failed: ApiError | null = null;
      for (let i = 0; i < 200 && !failed; i++) {
        const res = await t.app.updateCustomer({ id: customer.id, fields: { notes: `edit ${i} ${'x'.repeat(2000)}` } });
        if (!res.ok) failed = res.error;
      }
      expect(failed?.code).toBe('disk_full');
      // The drive's own figures come with it: nearly nothing free on the 4 MB disk, the vault's need.
      expect(failed?.space?.freeBytes).toBeLessThan(1_000_000);
      expect(failed?.space?.neededBytes).toBeGreaterThanOrEqual(50_000_000);
      const before = (await stateOf(t.app)).outboxCount;
      rmSync(filler);
      unwrap(await t.app.updateCustomer({ id: customer.id, fields: { notes: 'after freeing space' } }));
      expect((await stateOf(t.app)).outboxCount).toBe(before + 1);
      await server.restart();
      unwrap(await t.app.syncNow());
      expect((await server.customerRow(customer.id))?.notes).toBe('after freeing space');
    } finally {
      await t.cleanup().catch(() => undefined);
      disk.unmount();
    }
  });
});
