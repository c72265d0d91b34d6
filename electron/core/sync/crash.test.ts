// Crash safety (an acknowledged edit survives a crash; a sync resumes where it stopped): a child process running the client core is SIGKILLed in the middle
// of a pull, of a push and of a wipe, at deterministic pause points; a restart in this process
// (same data dir, same REAL keychain entries, same REAL server) loses nothing acknowledged.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_FILE } from '../app-service';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT, type PageImporter } from '../contracts';
import { Vault } from '../vault';
import { wipeMarkerPath } from '../wipe';
import { newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../../../test/support/test-app';
import { startRealServer, totpFor, type RealServer } from '../../../test/support/real-server';

const CHILD = resolve(__dirname, '../../../test/support/children/app-child.ts');

describe('SIGKILL mid-pull, mid-push and mid-wipe, then restart (real server, vault, keychain)', () => {
  let server: RealServer;
  const apps: TestApp[] = [];
  const children: ChildProcess[] = [];

  function runChild(t: TestApp, env: Record<string, string>): { child: ChildProcess; output: () => string } {
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      cwd: resolve(__dirname, '../../..'),
      env: { ...process.env, SV_CHILD_DATA_DIR: t.dataDir, SV_CHILD_KEYCHAIN: t.keychainService, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    children.push(child);
    return { child, output: () => output };
  }

  async function killWhen(child: ChildProcess, output: () => string, ready: () => boolean, what: string): Promise<void> {
    try {
      await waitFor(() => ready() || child.exitCode !== null, what, 45_000);
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\nchild output:\n${output()}`);
    }
    if (!ready()) throw new Error(`child exited (${child.exitCode}) before ${what}:\n${output()}`);
    child.kill('SIGKILL');
    await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
    expect(child.signalCode).toBe('SIGKILL');
  }

  beforeAll(async () => {
    server = await startRealServer();
  });
  afterEach(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => {
    for (const t of apps) await t.cleanup();
    await server?.cleanup();
  });

  it('killed mid-pull (first sync): the vault opens, resumes from its cursor and completes', async () => {
    const t = await newTestApp('crash-pull');
    await t.app.close();
    apps.push(t);
    const rep = server.fixture.users.rep;
    const pauseFile = join(t.dataDir, 'paused');
    const { child, output } = runChild(t, {
      SV_CHILD_ENROLL: JSON.stringify({ serverUrl: server.url, username: rep.username, password: rep.password, totpSecret: rep.totpSecret }),
      SV_CHILD_PAUSE: 'after-pull-page',
      SV_CHILD_PAUSE_FILE: pauseFile,
      SV_CHILD_PULL_PAGE_SIZE: '3',
    });
    // The pull is pipelined: at this pause the request for the second page is already in flight
    // (sent before the first page was imported), so the kill also drops a prefetched page.
    await killWhen(child, output, () => existsSync(pauseFile), 'the first pull page applied');

    // After the kill: the vault opens with the key from the keychain, holds the first page and its cursor.
    const vault = await Vault.open(join(t.dataDir, VAULT_FILE), t.secrets);
    const cursor = vault.getMeta('cursor');
    const partial = vault.recordCounts();
    vault.close();
    expect(cursor).toBeTruthy();
    const partialTotal = Object.values(partial).reduce((a, b) => a + b, 0);
    expect(partialTotal).toBeGreaterThan(0);
    expect(partialTotal).toBeLessThan(12);

    const app = await t.reopen({ pullPageSize: 3 });
    expect((await stateOf(app)).phase).toBe('first-sync');
    unwrap(await app.syncNow());
    expect((await stateOf(app)).phase).toBe('ready');
    const ids = unwrap(await app.searchCustomers({ query: '' })).rows.map((r) => r.id).sort();
    expect(ids).toEqual([server.customers.repOwn.id, server.customers.repOwn2.id, server.customers.sharedWithRep.id].sort());
    for (const id of ids) {
      const detail = unwrap(await app.getCustomer({ id }));
      expect(detail.contacts).toHaveLength(1);
      expect(detail.opportunities).toHaveLength(1);
      expect(detail.activities).toHaveLength(1);
    }
  });

  it('the import worker dies mid-sync: the sync fails with vault_import_failed, the vault is intact, the next sync resumes and completes', async () => {
    let killed = false;
    let importer: PageImporter | null = null;
    const t = await newTestApp('crash-worker', {
      pullPageSize: 3,
      syncHooks: {
        importer: (i) => (importer = i),
        // After the first page: the worker ends while the next page is on its way to it.
        pause: async (point) => {
          if (point !== 'after-pull-page' || killed) return;
          killed = true;
          await importer?.kill();
        },
      },
    });
    apps.push(t);
    const rep = server.fixture.users.rep;
    unwrap(await t.app.signIn({ serverUrl: server.url, username: rep.username, password: rep.password }));
    const totp = (offset: number) => totpFor(rep, offset);
    let enrolled = await t.app.verifyMfa({ code: totp(0) });
    if (!enrolled.ok && enrolled.error.code === 'mfa_invalid') enrolled = await t.app.verifyMfa({ code: totp(1) });
    unwrap(enrolled);
    const failed = await waitFor(async () => {
      const s = await stateOf(t.app);
      return s.sync.status === 'error' ? s : null;
    }, 'the first sync failed');
    expect(killed).toBe(true);
    expect(failed.sync.lastError).toBe('vault_import_failed');
    expect(failed.phase).toBe('first-sync');

    // The next sync (a new worker) resumes from the stored cursor: everything, once.
    unwrap(await t.app.syncNow());
    expect((await stateOf(t.app)).phase).toBe('ready');
    const ids = unwrap(await t.app.searchCustomers({ query: '' })).rows.map((r) => r.id).sort();
    expect(ids).toEqual([server.customers.repOwn.id, server.customers.repOwn2.id, server.customers.sharedWithRep.id].sort());
    for (const id of ids) {
      const detail = unwrap(await t.app.getCustomer({ id }));
      expect([detail.contacts.length, detail.opportunities.length, detail.activities.length]).toEqual([1, 1, 1]);
    }
    await t.app.close();
    const vault = await Vault.open(join(t.dataDir, VAULT_FILE), t.secrets);
    try {
      expect((vault as unknown as { db: { raw: { pragma(s: string): unknown } } }).db.raw.pragma('quick_check')).toEqual([{ quick_check: 'ok' }]);
    } finally {
      vault.close();
    }
  });

  it('killed mid-push (sent, not settled): the outbox is intact and re-sending applies each edit once', async () => {
    const t = await newTestApp('crash-push');
    apps.push(t);
    const rep2 = server.fixture.users.rep2;
    await signInAndSync(t.app, server, rep2);
    const customer = server.customers.otherRep;
    const versionBefore = Number((await server.customerRow(customer.id))?.version);

    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    unwrap(await t.app.updateCustomer({ id: customer.id, fields: { notes: 'edit acknowledged before the crash' } }));
    const visit = unwrap(await t.app.logActivity({ customerId: customer.id, kind: 'call', text: '电话 before the crash' }));
    expect((await stateOf(t.app)).outboxCount).toBe(2);
    await t.app.close();
    await server.restart();

    const pauseFile = join(t.dataDir, 'paused');
    const { child, output } = runChild(t, { SV_CHILD_PAUSE: 'after-push-sent', SV_CHILD_PAUSE_FILE: pauseFile });
    await killWhen(child, output, () => existsSync(pauseFile), 'the push sent');

    // The server applied the batch, the device never settled it: the outbox must still hold it.
    expect((await server.customerRow(customer.id))?.notes).toBe('edit acknowledged before the crash');
    const vault = await Vault.open(join(t.dataDir, VAULT_FILE), t.secrets);
    expect(vault.outboxCount()).toBe(2);
    vault.close();

    const app = await t.reopen();
    unwrap(await app.syncNow());
    const state = await stateOf(app);
    expect(state.outboxCount).toBe(0);
    expect(state.issueCount).toBe(0);
    // Applied exactly once: one version step, one activity row.
    expect(Number((await server.customerRow(customer.id))?.version)).toBe(versionBefore + 1);
    const activities = await server.db.selectFrom('activities').select('id').where('id', '=', visit.id).execute();
    expect(activities).toHaveLength(1);
    expect(unwrap(await app.getCustomer({ id: customer.id })).customer.notes).toBe('edit acknowledged before the crash');
  });

  it('killed mid-wipe (keychain gone, files not yet): the next start completes the wipe', async () => {
    const t = await newTestApp('crash-wipe');
    apps.push(t);
    const manager = server.fixture.users.manager;
    await signInAndSync(t.app, server, manager);
    await t.app.close();
    const device = (await server.devicesOf(manager.id)).find((d) => d.status === 'active')!;
    await server.revokeDevice(device.id);

    const vaultPath = join(t.dataDir, VAULT_FILE);
    const { child, output } = runChild(t, { SV_TEST_WIPE_PAUSE_AFTER: 'keychain' });
    await killWhen(child, output, () => existsSync(`${vaultPath}.wipe-paused`), 'the wipe paused after the keychain step');

    // Keys first: already gone; the files are still there with the wipe marker.
    expect(await t.secrets.get(VAULT_KEY_ACCOUNT)).toBeNull();
    expect(await t.secrets.get(DEVICE_KEY_ACCOUNT)).toBeNull();
    expect(existsSync(vaultPath)).toBe(true);
    expect(existsSync(wipeMarkerPath(vaultPath))).toBe(true);

    const app = await t.reopen();
    const state = await stateOf(app);
    expect(state.phase).toBe('revoked');
    expect(readdirSync(t.dataDir).filter((f) => f.startsWith(VAULT_FILE) && !f.endsWith('.wipe-paused'))).toEqual([]);
  });
});
