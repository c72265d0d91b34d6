import { afterEach, describe, expect, it } from 'vitest';
import { execFile, spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
  const target = (db: TestDatabase) => ({
    args: db.location.sqlitePath ? ['--data', db.location.sqlitePath] : [],
    env: { ...process.env, DATABASE_URL: db.location.databaseUrl ?? '' },
  });

  async function cli(db: TestDatabase, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { args: where, env } = target(db);
    try {
      const { stdout, stderr } = await run('npx', ['tsx', 'server/cli.ts', ...args, ...where], { env });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

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
  }, 180_000); // each step starts the CLI as its own process (tsx), slow on a busy machine

  it.skipIf(!hasOpenssl())('start --tls-cert/--tls-key serves HTTPS', async () => {
    t = await withTestDatabase();
    tmp = mkdtempSync(join(tmpdir(), 'sv-tls-'));
    const cert = join(tmp, 'cert.pem');
    const key = join(tmp, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });

    const { args: where, env } = target(t);
    const child = spawn('npx', ['tsx', 'server/cli.ts', 'start', '--port', '0', '--tls-cert', cert, '--tls-key', key, ...where], {
      env: { ...env, LOG_LEVEL: 'warn' },
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
