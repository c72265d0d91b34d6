// `npm run bench -- --scale smoke|medium|full [--out file.json] [--only stage,stage] [--db sqlite|postgres]`
// (`--only app`: the figures a person feels, through the real UI in Chromium — bench/app.ts)
//
// Seeds a server with a generated organisation, then measures through the real code paths,
// each stage separately, ratio-first. The server runs in this process; the client
// (vault, sync engine, app service, load generator) in a child process.

import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../electron/core/contracts';
import { KeytarSecretStore } from '../electron/core/keychain';
import { updateRecord, inRecordTransaction } from '../server/records/repository';
import { DEMO_PASSWORD, demoTotpSecret } from '../server/seed/demo';
import { enrollTestDevice, type TestDevice } from '../server/test/client';
import { ClientProcess } from './client/rpc';
import type { BaselineTimes } from './client/baselines';
import type { StageTimes } from './client/instrumented-sync';
import type { LoadDevice, LoadResult } from './client/load';
import { ADMIN_USERNAME, IDLE_USERS, MANAGER, TEAM_REPS, TEAM_UNITS, customerId, opportunityId, searchQueries, seedBenchOrg } from './dataset';
import { Figures, describeMachine, percentile, progress, renderTable, writeResult, type BenchResult } from './report';
import { DELTA_RECORDS, SCALES, parseScale, type ScaleName } from './scale';
import { openBenchDatabase, startBenchServer, type BenchServer } from './server';
import { SqlTimingPlugin } from './sql-timing';
import { startDbCpu } from './db-cpu';
import { recordFleet } from './fleet/stage';
import { recordExposure } from './exposure';
import { recordApp } from './app';

export const STAGES = ['app', 'firstSync', 'exposure', 'search', 'dashboard', 'integrity', 'baselines', 'delta', 'purge', 'wipe', 'revoke', 'load', 'fleet'] as const;
export type StageName = (typeof STAGES)[number];
/** Stages that work on the manager's synced vault. */
const NEEDS_VAULT: readonly StageName[] = ['firstSync', 'exposure', 'search', 'dashboard', 'integrity', 'baselines', 'delta', 'purge', 'wipe'];

export interface BenchOptions {
  scale: ScaleName;
  out: string;
  only: StageName[];
  db: 'sqlite' | 'postgres';
  /** write a V8 CPU profile of the client process, and one of the server per stage, into this directory */
  cpuProfDir?: string;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  // `app` (Chromium on the harness) runs only when asked for: `--only app`.
  const opts: BenchOptions = { scale: 'full', out: 'bench/results/latest.json', only: STAGES.filter((s) => s !== 'app'), db: 'sqlite' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--scale') opts.scale = parseScale(value());
    else if (arg === '--out') opts.out = value();
    else if (arg === '--db') {
      const db = value();
      if (db !== 'sqlite' && db !== 'postgres') throw new Error('--db must be sqlite or postgres');
      opts.db = db;
    } else if (arg === '--only') {
      const names = value().split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !(STAGES as readonly string[]).includes(n));
      if (unknown.length || names.length === 0) throw new Error(`--only takes a comma-separated list of ${STAGES.join(', ')} (unknown: ${unknown.join(', ') || 'none given'})`);
      opts.only = names as StageName[];
    } else if (arg === '--cpu-prof') opts.cpuProfDir = value();
    else if (arg === '--help' || arg === '-h') {
      throw new Error(`usage: npm run bench -- [--scale smoke|medium|full] [--out file.json] [--only ${STAGES.join(',')}] [--db sqlite|postgres] [--cpu-prof dir]`);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  return opts;
}

const rate = (records: number, ms: number) => (ms > 0 ? records / (ms / 1000) : Number.NaN);

/** A keychain service no one else uses, if a Secret Service answers; null (noted) otherwise. */
async function probeKeychain(): Promise<{ service: string | null; note: string }> {
  const service = `SalesVault-bench-${process.pid}-${randomUUID().slice(0, 8)}`;
  const store = new KeytarSecretStore(service, 3_000);
  try {
    await store.set('probe', 'x');
    const ok = (await store.get('probe')) === 'x';
    await store.delete('probe');
    if (ok) return { service, note: 'OS keychain (keytar, Secret Service)' };
    return { service: null, note: 'in-memory (the OS keychain answered wrongly)' };
  } catch (err) {
    return { service: null, note: `in-memory: no OS keychain reachable (${err instanceof Error ? err.message.slice(0, 120) : String(err)})` };
  }
}

async function enrollLoadDevices(server: BenchServer, count: number): Promise<LoadDevice[]> {
  const devices: LoadDevice[] = [];
  for (const username of IDLE_USERS.slice(1, 1 + count)) {
    const device = await enrollTestDevice(server.baseUrl, username, DEMO_PASSWORD, demoTotpSecret(username), { name: `load ${username}` });
    // Two pulls: the first commits nothing, the second acknowledges it; its cursor is then a
    // steady delta cursor (what a synced client sends every minute).
    let cursor: string | null = null;
    for (let i = 0; i < 2; i++) {
      const res = await device.signedFetch('POST', '/v1/sync/pull', { cursor, limit: 2000 });
      if (res.status !== 200) throw new Error(`load device pull: ${res.status} ${await res.text()}`);
      cursor = ((await res.json()) as { cursor: string }).cursor;
    }
    devices.push({
      deviceId: device.deviceId,
      privateKey: device.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      accessToken: device.accessToken,
      cursor: cursor as string,
    });
  }
  return devices;
}

/** A CPU profile of this (the server's) process for one stage, through the inspector. */
async function startServerProfile(): Promise<{ stop(path: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(path) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(resolve(path, '..'), { recursive: true });
      writeFileSync(path, JSON.stringify(profile));
    },
  };
}

async function expectOk(res: Response, what: string): Promise<void> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
}

export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const scale = SCALES[opts.scale];
  const figures = new Figures();
  const failures: Record<string, string> = {};
  const selected = new Set<StageName>(opts.only);
  if (NEEDS_VAULT.some((s) => s !== 'firstSync' && selected.has(s))) selected.add('firstSync');
  const workDir = mkdtempSync(join(tmpdir(), 'sv-bench-'));
  progress(`scale ${opts.scale}: ${scale.customers.toLocaleString('en-US')} customers; stages ${[...selected].join(', ')}; work dir ${workDir}`);

  const database = await openBenchDatabase(opts.db);
  let server: BenchServer | null = null;
  const client = new ClientProcess(
    (m) => progress(`client: ${m}`),
    opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opts.cpuProfDir)}`] : [],
  );
  const keychain = await probeKeychain();
  const dataset: Record<string, number> = {};
  try {
    // ---- 1. seed ------------------------------------------------------------------------------
    const seedStarted = performance.now();
    let lastShown = 0;
    const seeded = await seedBenchOrg(database, scale.customers, (done, total) => {
      if (done === total || performance.now() - lastShown > 5000) {
        lastShown = performance.now();
        progress(`seed ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} customers`);
      }
    });
    Object.assign(dataset, seeded);
    const totalRecords = seeded.customers + seeded.contacts + seeded.opportunities + seeded.activities;
    figures.set('seed.recordsPerSec', rate(totalRecords, performance.now() - seedStarted), 'rec/s', 'server bulk insert (seed)');

    const sqlTiming = opts.cpuProfDir ? new SqlTimingPlugin() : null;
    server = await startBenchServer(database, sqlTiming ? database.db.withPlugin(sqlTiming) : database.db);
    const srv = server;
    // Which devices have their event stream open (to start the revocation clock only then).
    const subscribed = new Set<string>();
    const subscribe = srv.ctx.events.subscribe.bind(srv.ctx.events);
    srv.ctx.events.subscribe = (deviceId, userId, listener) => {
      subscribed.add(deviceId);
      return subscribe(deviceId, userId, listener);
    };
    const admin: TestDevice = await enrollTestDevice(srv.baseUrl, ADMIN_USERNAME, DEMO_PASSWORD, demoTotpSecret(ADMIN_USERNAME), { name: 'bench admin' });
    progress(`server on ${srv.baseUrl} (${database.dialect}); keychain: ${keychain.note}`);

    const stage = async (name: StageName, run: () => Promise<void>): Promise<boolean> => {
      if (!selected.has(name)) return false;
      progress(`stage ${name} …`);
      const t = performance.now();
      const profiler = opts.cpuProfDir ? await startServerProfile() : null;
      sqlTiming?.report(); // start the stage's statement tally from zero
      // CPU, not wall time, for A/B comparisons on a shared machine: this process is the server
      // (the client runs in a child process); on PostgreSQL its backends' CPU is added separately.
      const dbName = database.location.databaseUrl ? new URL(database.location.databaseUrl).pathname.slice(1) : null;
      const dbCpu = dbName ? startDbCpu(dbName) : null;
      const cpuBefore = process.cpuUsage();
      try {
        await run();
        const cpu = process.cpuUsage(cpuBefore);
        figures.set(`${name}.serverCpuMs`, (cpu.user + cpu.system) / 1000, 'ms', 'CPU time of the server process during the stage (and of this benchmark driver)');
        if (dbCpu) figures.set(`${name}.dbCpuMs`, dbCpu.stop(), 'ms', 'CPU time of the PostgreSQL backends serving the database during the stage');
        progress(`stage ${name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
        return true;
      } catch (err) {
        failures[name] = err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err);
        progress(`stage ${name} FAILED: ${failures[name]}`);
        return false;
      } finally {
        if (profiler && opts.cpuProfDir) await profiler.stop(join(resolve(opts.cpuProfDir), `server-${name}.cpuprofile`));
        if (sqlTiming && opts.cpuProfDir) writeFileSync(join(resolve(opts.cpuProfDir), `server-sql-${name}.txt`), sqlTiming.report() + '\n');
      }
    };

    // ---- 1b. the app through its UI (Chromium on the harness): its own device of the manager --
    // It adds a customer's 2,000 activities to the manager's scope, which a first sync after it then holds.
    let scopeRecords = totalRecords;
    await stage('app', () => recordApp(figures, { srv, workDir, keychainService: keychain.service, cpuProfDir: opts.cpuProfDir ? resolve(opts.cpuProfDir) : undefined, onRecordsAdded: (n) => (scopeRecords += n) }));

    // ---- 2. first sync ---------------------------------------------------------------------
    let synced = false;
    let firstImportRate = Number.NaN;
    let firstSync = { records: 0, endToEndMs: Number.NaN };
    let managerDeviceId = '';
    synced = await stage('firstSync', async () => {
      const r = await client.call<{ totalMs: number; summary: { upserted: number; pages: number }; stages: StageTimes; peakRssMb: number; cpuMs: number; sampledPeakRssMb: number; rssBeforeMb: number; deviceId: string }>(
        'firstSync', { baseUrl: srv.baseUrl, username: MANAGER.username, dataDir: join(workDir, 'manager') },
      );
      managerDeviceId = r.deviceId;
      const n = r.summary.upserted;
      if (n !== scopeRecords) throw new Error(`first sync stored ${n} records, the scope holds ${scopeRecords}`);
      const s = r.stages;
      firstImportRate = rate(n, s.importMs);
      firstSync = { records: n, endToEndMs: r.totalMs };
      figures.set('firstSync.endToEndMs', r.totalMs, 'ms', `first sync of ${n.toLocaleString('en-US')} records, end to end`);
      figures.set('firstSync.records', n, 'records', 'records in the manager scope');
      figures.set('firstSync.pages', r.summary.pages, 'pages', 'pull pages');
      figures.set('firstSync.endToEndRecordsPerSec', rate(n, r.totalMs), 'rec/s', 'end to end');
      figures.set('firstSync.serverMs', s.serverMs, 'ms', 'server time (pull handler + serialisation, Server-Timing)');
      figures.set('firstSync.serverRecordsPerSec', rate(n, s.serverMs), 'rec/s', 'server stage');
      figures.set('firstSync.transferMs', s.transferMs, 'ms', 'transfer (request − server time, to the last body byte)');
      figures.set('firstSync.transferRecordsPerSec', rate(n, s.transferMs), 'rec/s', 'transfer stage');
      figures.set('firstSync.transferMB', s.bytes / 2 ** 20, 'MB', 'response bytes');
      figures.set('firstSync.parseMs', s.parseMs, 'ms', 'JSON parse + protocol validation + grant check');
      figures.set('firstSync.parseRecordsPerSec', rate(n, s.parseMs), 'rec/s', 'parse stage');
      figures.set('firstSync.importMs', s.importMs, 'ms', 'vault import (applyPullPage)');
      figures.set('firstSync.importRecordsPerSec', firstImportRate, 'rec/s', 'import stage');
      figures.set('firstSync.otherMs', r.totalMs - s.serverMs - s.transferMs - s.parseMs - s.importMs, 'ms', 'end to end − the stages: check-in, push, audit upload, bookkeeping; negative by the time the pipelined stages overlap');
      figures.set('firstSync.clientCpuMs', r.cpuMs, 'ms', 'CPU time of the client process during the first sync (main thread and import worker)');
      figures.set('client.peakRssMb', Number.isFinite(r.peakRssMb) ? r.peakRssMb : r.sampledPeakRssMb, 'MB', 'client process peak RSS during the first sync (VmHWM)');
      figures.set('client.rssBeforeSyncMb', r.rssBeforeMb, 'MB', 'client process RSS before enrolling (code loaded, no data)');
    });

    // ---- 7. search and dashboard (on the full vault, before the purge) --------------------
    if (synced) {
      // The exposure ledger: the manager's next sync acknowledges the first sync's last page.
      await stage('exposure', async () => {
        await client.call('sync');
        await recordExposure(figures, srv, admin, MANAGER, managerDeviceId);
      });

      await stage('search', async () => {
        const queries = searchQueries(scale.searchQueries);
        const r = await client.call<{ times: number[]; hits: number[] }>('search', { queries: queries.map((q) => q.query) });
        if (r.hits.every((h) => h === 0)) throw new Error('no search query found anything');
        const of = (kind: string) => r.times.filter((_, i) => queries[i]?.kind === kind);
        figures.set('search.p50Ms', percentile(r.times, 50), 'ms', `${queries.length} queries, CJK substring + Latin prefix + pinyin, first page of 100`);
        figures.set('search.p95Ms', percentile(r.times, 95), 'ms', 'search p95');
        figures.set('search.p99Ms', percentile(r.times, 99), 'ms', 'search p99');
        figures.set('search.cjkP95Ms', percentile(of('cjk'), 95), 'ms', 'CJK substring queries p95');
        figures.set('search.latinP95Ms', percentile(of('latin'), 95), 'ms', 'Latin prefix queries p95');
        figures.set('search.pinyinP95Ms', percentile(of('pinyin'), 95), 'ms', 'pinyin queries p95 (spellings, initials, first letters)');
        figures.set('search.medianHits', percentile(r.hits, 50), 'customers', 'matches per query (median); the list counts all and sorts by name');
      });
      await stage('dashboard', async () => {
        const r = await client.call<{ times: number[]; opportunities: number }>('dashboard', { runs: 20 });
        if (r.opportunities !== seeded.opportunities) throw new Error(`dashboard saw ${r.opportunities} opportunities, expected ${seeded.opportunities}`);
        figures.set('dashboard.medianMs', percentile(r.times, 50), 'ms', `team dashboard over ${r.opportunities.toLocaleString('en-US')} opportunities (median of 20)`);
        figures.set('dashboard.p95Ms', percentile(r.times, 95), 'ms', 'team dashboard p95');
      });

      // ---- integrity check at open (on the full vault, before the purge) ----------------------
      await stage('integrity', async () => {
        const r = await client.call<{ checkMs: number; openMs: number; vaultMB: number }>('integrity', { trials: 3 });
        figures.set('integrity.checkAtOpenMs', r.checkMs, 'ms', `integrity check (quick_check, every page's HMAC verified; runs on a worker right after open) on the ${r.vaultMB.toFixed(0)} MB vault, cold connection (best of 3)`);
        figures.set('integrity.vaultOpenMs', r.openMs, 'ms', 'Vault.open on the UI path (keying, pragmas, migrations; the check is not on it; best of 3)');
        figures.set('integrity.vaultMB', r.vaultMB, 'MB', 'vault file size');
      });

      // ---- 3. baselines ---------------------------------------------------------------------
      await stage('baselines', async () => {
        const b = await client.call<BaselineTimes>('baselines', { workDir: join(workDir, 'baselines'), trials: scale.baselineTrials });
        const best = `best of ${b.trials}, interleaved with the other side`;
        const rawEnc = rate(b.rows, b.rawSqlcipherMs);
        figures.set('baseline.rawSqlcipherRecordsPerSec', rawEnc, 'rec/s', `raw insert, SQLCipher, one transaction (physical limit; ${best})`);
        figures.set('baseline.rawPlainRecordsPerSec', rate(b.rows, b.rawPlainMs), 'rec/s', `raw insert, plain SQLite (${best})`);
        figures.set('encryption.rawInsertOverhead', 100 * (b.rawSqlcipherMs / b.rawPlainMs - 1), '%', 'raw insert: SQLCipher time over plain time');
        figures.set('vaultReplay.encryptedRecordsPerSec', rate(b.rows, b.replayEncryptedMs), 'rec/s', `same pages through Vault.applyPullPage, encrypted (${best})`);
        figures.set('vaultReplay.plainRecordsPerSec', rate(b.rows, b.replayPlainMs), 'rec/s', `same pages through Vault.applyPullPage, plain SQLite (${best})`);
        figures.set('encryption.vaultImportOverhead', 100 * (b.replayEncryptedMs / b.replayPlainMs - 1), '%', 'vault import: encrypted time over plain time');
        figures.set('vaultReplay.percentOfRawSqlcipher', (100 * rate(b.rows, b.replayEncryptedMs)) / rawEnc, '%', 'vault import replay throughput / raw SQLCipher insert');
        if (Number.isFinite(firstImportRate)) {
          figures.set('firstSync.importPercentOfRawSqlcipher', (100 * firstImportRate) / rawEnc, '%', 'first-sync import stage throughput / raw SQLCipher insert');
        }
        if (firstSync.records > 0) {
          const rawMs = (1000 * firstSync.records) / rawEnc;
          figures.set('firstSync.endToEndVsRawInsert', firstSync.endToEndMs / rawMs, '×', `first sync end to end / raw SQLCipher insert of the same ${firstSync.records.toLocaleString('en-US')} rows (${(rawMs / 1000).toFixed(1)} s)`);
        }
      });

      // ---- 4. delta sync of 100 changed records -----------------------------------------------
      await stage('delta', async () => {
        const store = { db: srv.database.db, dialect: srv.database.dialect };
        const half = DELTA_RECORDS / 2;
        let round = 0;
        const deltaSync = async (): Promise<{ totalMs: number; summary: { upserted: number }; stages: StageTimes }> => {
          const now = Date.now();
          round += 1; // each round changes every record again
          // Spread over the dropped team's customers too, so the purge later removes changed rows.
          await inRecordTransaction(store, async (trx) => {
            for (let i = 1; i <= half; i++) {
              await updateRecord(trx, { entity: 'customer', id: customerId(i * Math.max(1, Math.floor(seeded.customers / half))), fields: { notes: `bench delta ${now}` }, actorId: null, now });
              await updateRecord(trx, { entity: 'opportunity', id: opportunityId(i), fields: { stage: 'negotiation', probability: 70 + round }, actorId: null, now });
            }
          });
          await srv.ctx.events.publishDataChanged([...TEAM_REPS.kept, ...TEAM_REPS.dropped]);
          const r = await client.call<{ totalMs: number; summary: { upserted: number }; stages: StageTimes }>('sync');
          if (r.summary.upserted !== DELTA_RECORDS) throw new Error(`delta sync upserted ${r.summary.upserted}, expected ${DELTA_RECORDS}`);
          return r;
        };
        // The first delta after the first sync also acknowledges the first sync's last pages (a
        // finished sync sends no request after them), which the server then folds into the device's
        // exposure ledger; the second one is the steady state (it folds the first delta's page).
        const r = await deltaSync();
        figures.set('delta.syncOnceMs', r.totalMs, 'ms', `syncOnce with ${DELTA_RECORDS} changed records (check-in + push + pull), the first after the first sync`);
        figures.set('delta.pullMs', r.stages.serverMs + r.stages.transferMs + r.stages.parseMs + r.stages.importMs, 'ms', 'the pull alone (server + transfer + parse + import)');
        figures.set('delta.serverMs', r.stages.serverMs, 'ms', 'server time of the pull requests');
        figures.set('delta.importMs', r.stages.importMs, 'ms', 'vault import (applyPullPage)');
        const steady = await deltaSync();
        figures.set('delta.steadySyncOnceMs', steady.totalMs, 'ms', `the next syncOnce with ${DELTA_RECORDS} changed records (the steady state)`);
        figures.set('delta.steadyServerMs', steady.stages.serverMs, 'ms', 'server time of its pull requests');
      });

      // ---- 5. purge after a scope shrink ---------------------------------------------------
      await stage('purge', async () => {
        const before = await client.call<number>('countRecords');
        await expectOk(await admin.signedFetch('PATCH', `/v1/admin/users/${MANAGER.id}`, { managedUnitIds: [TEAM_UNITS.kept] }), 'shrink the manager scope');
        const r = await client.call<{ totalMs: number; summary: { removed: number }; stages: StageTimes }>('sync');
        const after = await client.call<number>('countRecords');
        if (after >= before) throw new Error(`the scope shrink removed no customers (${before} → ${after})`);
        figures.set('purge.syncMs', r.totalMs, 'ms', `syncOnce applying the scope shrink (${(before - after).toLocaleString('en-US')} customers dropped)`);
        figures.set('purge.dropApplyMs', r.stages.dropApplyMs, 'ms', 'vault transaction of the page with droppedBuckets');
        figures.set('purge.serverMs', r.stages.serverMs, 'ms', 'server time of the pull requests');
        figures.set('purge.removedCustomers', before - after, 'customers', 'customers removed from the vault');
        figures.set('purge.removedRecords', r.summary.removed, 'records', 'records removed (all entities)');
      });

      // ---- 6a. wipe ---------------------------------------------------------------------------
      await stage('wipe', async () => {
        const r = await client.call<{ ms: number; keychainMs: number; filesMs: number }>('wipe', { keychainService: keychain.service });
        figures.set('wipe.cryptoShredMs', r.ms, 'ms', `crypto-shred of the manager vault (${keychain.service ? 'OS keychain' : 'in-memory keychain'})`, keychain.note);
        figures.set('wipe.keychainMs', r.keychainMs, 'ms', 'deleting the keychain entries');
        figures.set('wipe.filesMs', r.filesMs, 'ms', 'removing the vault files');
      });
    }

    // ---- 6b. admin revoke → online client wiped ------------------------------------------
    await stage('revoke', async () => {
      const username = IDLE_USERS[0] as string;
      await client.call('appSignIn', { baseUrl: srv.baseUrl, username, dataDir: join(workDir, 'revoked-app'), keychainService: keychain.service });
      const device = await srv.database.db.selectFrom('devices').innerJoin('users', 'users.id', 'devices.user_id')
        .select('devices.id').where('users.username', '=', username).where('devices.status', '=', 'active').executeTakeFirstOrThrow();
      const deadline = Date.now() + 20_000;
      while (!subscribed.has(device.id)) {
        if (Date.now() > deadline) throw new Error('the app never opened its event stream');
        await new Promise((r) => setTimeout(r, 20));
      }
      const waiting = client.call<{ wipedAt: number }>('waitRevoked', { timeoutMs: 30_000 });
      const clickedAt = Date.now();
      const t = performance.now();
      await expectOk(await admin.signedFetch('POST', `/v1/admin/devices/${device.id}/revoke`), 'revoke');
      const httpMs = performance.now() - t;
      const { wipedAt } = await waiting;
      figures.set('revoke.adminToWipedMs', wipedAt - clickedAt, 'ms', "admin's revoke call → client crypto-shred complete (event stream)");
      figures.set('revoke.adminCallMs', httpMs, 'ms', "the admin's revoke HTTP call");
    });

    // ---- 8. server load -------------------------------------------------------------------
    await stage('load', async () => {
      const devices = await enrollLoadDevices(srv, Math.min(20, IDLE_USERS.length - 1));
      // Closed loop: every connection sends its next delta sync as soon as the last returns.
      // (autocannon's paced modes cap connections at the rate and fire each second's quota in
      // one burst, so they cannot model 500 clients syncing now and then.)
      const r = await client.call<LoadResult>('load', { baseUrl: srv.baseUrl, devices, connections: scale.loadConnections, durationS: scale.loadDurationS });
      const note = `${r.connections} connections over ${r.devices} devices, ${r.durationS} s; statuses ${JSON.stringify(r.statusCounts)}${r.sampleError ? `; first error: ${r.sampleError}` : ''}`;
      figures.set('load.p50Ms', r.p50Ms, 'ms', `signed delta syncs, ${r.connections} concurrent clients back to back, p50`, note);
      figures.set('load.p99Ms', r.p99Ms, 'ms', 'p99 (closed loop: ≈ connections / throughput once saturated)');
      figures.set('load.throughputRps', r.throughputRps, 'req/s', 'throughput (the server’s delta-sync capacity)');
      figures.set('load.requests', r.requests, 'requests', 'requests completed');
      figures.set('load.errors', r.errors + r.timeouts + r.non2xx, 'requests', 'errors + timeouts + non-2xx');
    });

    // ---- 9. fleet: thousands of devices holding event streams (own database and processes) --
    await stage('fleet', () => recordFleet(figures, opts.db, opts.scale));
  } finally {
    await client.stop();
    await server?.close();
    await database.cleanup();
    if (keychain.service) {
      // Normally the wipes removed them; a failed stage must not leave keys in the keychain.
      const store = new KeytarSecretStore(keychain.service, 3_000);
      for (const account of [VAULT_KEY_ACCOUNT, DEVICE_KEY_ACCOUNT]) await store.delete(account).catch(() => false);
    }
    rmSync(workDir, { recursive: true, force: true });
  }

  const result: BenchResult = {
    date: new Date().toISOString(),
    scale: opts.scale,
    db: opts.db,
    machine: describeMachine(),
    dataset,
    keychain: keychain.note,
    figures: figures.all,
    failures,
    durationMs: performance.now() - started,
  };
  writeResult(resolve(opts.out), result);
  return result;
}

async function main(): Promise<void> {
  let opts: BenchOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const result = await runBench(opts);
  process.stdout.write(renderTable(result) + '\n');
  progress(`wrote ${resolve(opts.out)}`);
  // A failed stage fails the command, so CI notices a benchmark that rotted.
  process.exit(Object.keys(result.failures).length > 0 ? 1 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
