import { afterEach, describe, expect, it } from 'vitest';
import { execFile, spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliOn, cliTarget, runCliInProcess } from './test/cli';
import { withTestDatabase, type TestDatabase } from './test/db';
import { createFixtureOrg } from './test/fixtures';

const run = promisify(execFile);

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('server CLI', () => {
  let t: TestDatabase | undefined;
  let tmp: string | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  // The CLI addresses the same database as the test: --data for SQLite, DATABASE_URL for PG.
  // Commands run in-process (server/test/cli.ts); the tests under "the bin" start real processes.
  const cli = (db: TestDatabase, args: string[]) => cliOn(db, args);

  it('create-admin prints a TOTP URI; revoke-device and deactivate-user act on the database and are audited', async () => {
    t = await withTestDatabase();
    const fixture = await createFixtureOrg(t.db);
    const created = await cli(t, ['create-admin', '--username', 'root.admin', '--password', 'a long password']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/otpauth:\/\/totp\/SalesVault:root\.admin\?.*secret=[A-Z2-7]+/);
    const admin = await t.db.selectFrom('users').selectAll().where('username', '=', 'root.admin').executeTakeFirstOrThrow();
    expect(admin.role_id).toBe('role-it-admin');

    const device = (id: string, userId: string) => ({
      id, user_id: userId, public_key: 'k', name: 'laptop', platform: 'linux', app_version: '1', status: 'active' as const,
      enrolled_at: 1, last_check_in_at: null, revoked_at: null, revoke_reason: null, wipe_confirmed_at: null,
      synced_buckets: '[]', synced_read_clearance: null, synced_classification: null,
    });
    await t.db.insertInto('devices').values([device('dev-1', fixture.users.manager.id), device('dev-2', fixture.users.rep.id), device('dev-3', fixture.users.rep.id)]).execute();

    const revoked = await cli(t, ['revoke-device', 'dev-1']);
    expect(revoked.code).toBe(0);
    const deactivated = await cli(t, ['deactivate-user', fixture.users.rep.username]);
    expect(deactivated.stdout).toContain('2 device(s) revoked');
    const rows = await t.db.selectFrom('devices').select(['id', 'status']).orderBy('id').execute();
    expect(rows.map((r) => r.status)).toEqual(['revoked', 'revoked', 'revoked']);
    const actions = (await t.db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map((r) => r.action);
    expect(actions).toEqual(['admin.user.create', 'admin.device.revoke', 'admin.user.deactivate', 'admin.device.revoke', 'admin.device.revoke']);

    expect((await cli(t, ['revoke-device', 'nope'])).code).toBe(1);
    const unknown = await cli(t, ['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
    expect((await cli(t, ['audit-verify'])).stdout).toContain('5 entries verified');
  });

  it('unlock-user, reset-mfa and sign-out-everywhere act on the named user and are audited', async () => {
    t = await withTestDatabase();
    const fixture = await createFixtureOrg(t.db);
    const { rep } = fixture.users;
    await t.db.updateTable('users').set({ locked_until: Date.now() + 600_000 }).where('id', '=', rep.id).execute();
    await t.db.insertInto('sign_in_throttle').values({ username: rep.username, ip: '10.0.0.9', failures: 0, last_failure_at: Date.now(), locked_until: Date.now() + 600_000 }).execute();
    await t.db.insertInto('devices').values({
      id: 'dev-9', user_id: rep.id, public_key: 'k', name: 'laptop', platform: 'linux', app_version: '1', status: 'active',
      enrolled_at: 1, last_check_in_at: null, revoked_at: null, revoke_reason: null, wipe_confirmed_at: null,
      synced_buckets: '[]', synced_read_clearance: null, synced_classification: null,
    }).execute();
    expect((await cli(t, ['unlock-user', rep.username])).stdout).toContain('is unlocked');
    expect((await cli(t, ['reset-mfa', rep.username])).code).toBe(0);
    expect((await cli(t, ['sign-out-everywhere', rep.username])).stdout).toContain('signed out on 1 device(s)');
    expect((await cli(t, ['unlock-user', 'nobody.here'])).code).toBe(1);
    const user = await t.db.selectFrom('users').selectAll().where('id', '=', rep.id).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ locked_until: null, totp_secret: null });
    expect(await t.db.selectFrom('sign_in_throttle').selectAll().where('username', '=', rep.username).execute()).toEqual([]);
    const device = await t.db.selectFrom('devices').selectAll().where('id', '=', 'dev-9').executeTakeFirstOrThrow();
    expect(device).toMatchObject({ status: 'revoked', revoke_reason: 'signed_out_by_it' });
    const actions = (await t.db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map((r) => r.action);
    expect(actions).toEqual(['admin.user.unlock', 'admin.user.mfa_reset', 'admin.user.sign_out_everywhere']);
  });

  it('incident user / incident device print the timeline', async () => {
    t = await withTestDatabase();
    const fixture = await createFixtureOrg(t.db);
    const { rep } = fixture.users;
    await t.db.insertInto('devices').values({
      id: 'dev-7', user_id: rep.id, public_key: 'k', name: 'laptop', platform: 'linux', app_version: '1', status: 'active',
      enrolled_at: 1, last_check_in_at: null, revoked_at: null, revoke_reason: null, wipe_confirmed_at: null,
      synced_buckets: '[]', synced_read_clearance: null, synced_classification: null,
    }).execute();
    expect((await cli(t, ['revoke-device', 'dev-7'])).code).toBe(0);
    const user = await cli(t, ['incident', 'user', rep.username]);
    expect(user.code).toBe(0);
    expect(user.stdout).toContain(`(${rep.username}, ${rep.id})`);
    expect(user.stdout).toMatch(/device dev-7 .*revoked/);
    expect(user.stdout).toMatch(/revocation\s+admin\.device\.revoke ok .*target=dev-7/);
    const device = await cli(t, ['incident', 'device', 'dev-7']);
    expect(device.stdout).toMatch(/revocation\s+admin\.device\.revoke ok/);
    expect((await cli(t, ['incident', 'device', 'nope'])).code).toBe(1);
    expect((await cli(t, ['incident', 'someone'])).code).toBe(2);
  });

  // The bin itself (what `npm run server -- …` starts): a real process whose exit code and
  // streams carry runCli's result. The TLS test below starts one more, serving.
  it('the bin: a command prints on stdout and exits 0; an unknown command prints the usage on stderr and exits 2', async () => {
    t = await withTestDatabase();
    await createFixtureOrg(t.db);
    const { args: where, env } = cliTarget(t);
    const spawnCli = async (args: string[]) => {
      try {
        const { stdout, stderr } = await run('npx', ['tsx', 'server/cli.ts', ...args], { env: { ...process.env, DATABASE_URL: env.DATABASE_URL ?? '' } });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };
    const verified = await spawnCli(['audit-verify', ...where]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/audit chain OK: \d+ entries verified/);
    const unknown = await spawnCli(['frobnicate', ...where]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command: frobnicate');
    expect(unknown.stderr).toContain('usage: npm run server -- <command> [options]');
    expect(unknown.stdout).toBe('');
  }, 120_000); // two processes (tsx), slow on a busy machine

  it.skipIf(!hasOpenssl())('start --tls-cert/--tls-key serves HTTPS', async () => {
    t = await withTestDatabase();
    tmp = mkdtempSync(join(tmpdir(), 'sv-tls-'));
    const cert = join(tmp, 'cert.pem');
    const key = join(tmp, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });

    const { args: where, env } = cliTarget(t);
    const child = spawn('npx', ['tsx', 'server/cli.ts', 'start', '--port', '0', '--tls-cert', cert, '--tls-key', key, ...where], {
      env: { ...process.env, DATABASE_URL: env.DATABASE_URL ?? '', LOG_LEVEL: 'warn' },
      detached: true,
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /listening on (https:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
      });
      const body = await new Promise<string>((resolve, reject) => {
        get(`${url}/v1/server-key`, { ca: readFileSync(cert) }, (res) => {
          let data = '';
          res.on('data', (c: Buffer) => (data += c.toString()));
          res.on('end', () => resolve(data));
        }).on('error', reject);
      });
      expect(JSON.parse(body)).toMatchObject({ jwk: { kty: 'OKP', crv: 'Ed25519' } });
    } finally {
      // npx → tsx → node: signal the whole process group this test started.
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid, 'SIGTERM');
        await exited;
      }
    }
  });
});

// One data directory setting for every command (server/data-dir.ts). SQLite only: on
// PostgreSQL (DATABASE_URL) there is no file to find.
describe.skipIf(process.env.SV_TEST_DB === 'postgres')('server CLI: the data directory', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  // In-process, without DATABASE_URL (the directory settings are what is tested); the first
  // refusal runs as a real process, so the bin's exit code 1 and its stderr are proven too.
  const cliIn = (args: string[], extraEnv: Record<string, string | undefined>) => runCliInProcess(args, { DATABASE_URL: undefined, ...extraEnv });
  async function spawnCliIn(args: string[], extraEnv: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
    delete env.DATABASE_URL;
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('a directory without a server database is refused (totp, start, alerts) and nothing is created there', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sv-data-'));
    const db = join(dir, 'server.db');
    const totp = await spawnCliIn(['totp', 'rep.sh1.1'], { SV_DATA_DIR: dir });
    expect(totp.code).toBe(1);
    expect(totp.stderr).toContain(`no SalesVault server database at ${db}`);
    expect(totp.stderr).toContain('SV_DATA_DIR');
    // start too: a server never comes up on an empty database by accident.
    const start = await cliIn(['start', '--port', '0', '--data-dir', dir], {});
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(`no SalesVault server database at ${db}`);
    // A file that is not a server database is refused too, and left as it was.
    writeFileSync(db, 'not a database');
    expect((await cliIn(['alerts'], { SV_DATA_DIR: dir })).stderr).toContain(`no SalesVault server database at ${db}`);
    expect(readFileSync(db, 'utf8')).toBe('not a database');
    rmSync(db);
    expect(existsSync(db)).toBe(false);
  }, 120_000); // the first step is its own process (tsx): slow on a busy machine

  it('seed creates the database where SV_DATA_DIR says; totp and demo-info then read it with SV_DATA_DIR or --data-dir', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sv-data-'));
    const seeded = await cliIn(['seed', '--customers', '3'], { SV_DATA_DIR: dir });
    expect(seeded.code).toBe(0);
    expect(seeded.stderr).toContain(`creating a new server database at ${join(dir, 'server.db')}`);
    expect(existsSync(join(dir, 'server.db'))).toBe(true);

    const totp = await cliIn(['totp', 'rep.sh1.1'], { SV_DATA_DIR: dir });
    expect(totp.code).toBe(0);
    expect(totp.stdout.trim()).toMatch(/^\d{6}$/);

    const info = await cliIn(['demo-info', '--data-dir', dir, '--server-url', 'http://127.0.0.1:9', '--harness-url', 'http://127.0.0.1:5174'], {});
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('password for all: demo-pass-2026');
    expect(info.stdout).toMatch(/director\.east\s+Sales director/);
    expect(info.stdout).toContain('npm run server -- totp <username>');
    expect(info.stdout).toContain('http://127.0.0.1:9  (not answering now');
    expect(info.stdout).toContain('App:      http://127.0.0.1:5174');
    expect(info.stdout).toContain(`Data:     ${dir}`);
  });
});
