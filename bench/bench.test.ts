// The benchmark at smoke scale, end to end (real server over HTTP, real vault, child client
// process, autocannon; the app stage through the real renderer in Chromium): every figure must
// be present and a finite number. No assertion is made on any time — timings are noise here;
// the point is that the benchmark cannot rot.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, runBench, STAGES } from './run';
import type { BenchResult } from './report';
import { GOALS } from './scale';

/** Every figure the run must produce (all stages, smoke scale). */
const EXPECTED_FIGURES = [
  'seed.recordsPerSec',
  'firstSync.endToEndMs', 'firstSync.records', 'firstSync.serverMs', 'firstSync.transferMs', 'firstSync.parseMs', 'firstSync.importMs',
  'firstSync.serverRecordsPerSec', 'firstSync.transferRecordsPerSec', 'firstSync.parseRecordsPerSec', 'firstSync.importRecordsPerSec', 'firstSync.clientCpuMs',
  'firstSync.importPercentOfRawSqlcipher', 'firstSync.endToEndVsRawInsert', 'vaultReplay.percentOfRawSqlcipher', 'client.peakRssMb', 'client.rssBeforeSyncMb',
  'baseline.rawSqlcipherRecordsPerSec', 'baseline.rawPlainRecordsPerSec', 'encryption.rawInsertOverhead',
  'vaultReplay.encryptedRecordsPerSec', 'vaultReplay.plainRecordsPerSec', 'encryption.vaultImportOverhead',
  'search.p50Ms', 'search.p95Ms', 'search.p99Ms', 'search.cjkP95Ms', 'search.latinP95Ms', 'search.pinyinP95Ms', 'dashboard.medianMs',
  'delta.syncOnceMs', 'delta.pullMs', 'purge.syncMs', 'purge.dropApplyMs', 'purge.removedCustomers',
  'wipe.cryptoShredMs', 'revoke.adminToWipedMs', 'integrity.checkAtOpenMs', 'integrity.vaultOpenMs',
  'load.p50Ms', 'load.p99Ms', 'load.throughputRps', 'load.requests', 'load.errors',
  'delta.serverMs', 'delta.importMs', 'delta.steadySyncOnceMs', 'delta.steadyServerMs', 'purge.serverMs',
  'exposure.ledgerRows', 'exposure.ledgerBytes', 'exposure.bytesPerRecord', 'exposure.firstSyncServerOffMs', 'exposure.firstSyncServerOnMs', 'exposure.overheadPercent',
  'fleet.streams', 'fleet.serverKbPerStream', 'fleet.revokeP50Ms', 'fleet.revokeP99Ms', 'fleet.rescopeMs', 'fleet.rescopeReceived', 'fleet.maxOpenLoopRps',
];

/** The app stage's figures (its own run: Chromium on the harness, the OS keychain). */
const APP_FIGURES = [
  'app.longestUiWaitMs', 'app.uiWaitP99Ms', 'app.lastRecordToListMs',
  'app.listFirstPageMs', 'app.listLastPageMs', 'app.listLastVsFirst', 'app.listPages', 'app.openBusyCustomerMs',
];

describe('npm run bench (smoke scale)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sv-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures every stage and writes every figure as a finite number, with its goal where the goals table names one', async () => {
    const out = join(dir, 'smoke.json');
    const returned = await runBench(parseArgs(['--scale', 'smoke', '--out', out]));
    const written = JSON.parse(readFileSync(out, 'utf8')) as BenchResult;

    expect(written.failures).toEqual({});
    expect(written.scale).toBe('smoke');
    expect(written.machine.cpus).toBeGreaterThan(0);
    expect(written.machine.node).toBe(process.version);
    expect(written.dataset).toEqual({ customers: 1000, contacts: 2000, opportunities: 1000, activities: 3000 });
    for (const name of EXPECTED_FIGURES) {
      const figure = written.figures[name];
      expect(figure, name).toBeDefined();
      expect(Number.isFinite(figure?.value), `${name} = ${figure?.value}`).toBe(true);
    }
    // Structural facts, not timings: the whole scope arrived, the shrink removed one team's half.
    expect(written.figures['firstSync.records']?.value).toBe(7000);
    expect(written.figures['purge.removedCustomers']?.value).toBe(500);
    expect(written.figures['exposure.ledgerRows']?.value).toBe(7000); // one ledger row per record the manager's vault holds
    expect(written.figures['fleet.streams']?.value).toBe(200);
    expect(written.figures['fleet.rescopeReceived']?.value).toBe(50);
    for (const [name, goal] of Object.entries(GOALS).filter(([name]) => !name.startsWith('app.'))) {
      expect(written.figures[name]?.goal, name).toEqual(goal);
      expect(typeof written.figures[name]?.met, name).toBe('boolean');
    }
    expect(returned.figures).toEqual(written.figures);
  }, 240_000);

  it('drives the real UI in Chromium through a first sync and writes the app stage\'s figures, with their goals', async () => {
    // Its own run: the stage adds a customer's 2,000 activities to the manager's scope.
    const out = join(dir, 'smoke-app.json');
    await runBench(parseArgs(['--scale', 'smoke', '--only', 'app', '--out', out]));
    const written = JSON.parse(readFileSync(out, 'utf8')) as BenchResult;
    expect(written.failures).toEqual({});
    for (const name of APP_FIGURES) {
      const figure = written.figures[name];
      expect(figure, name).toBeDefined();
      expect(Number.isFinite(figure?.value), `${name} = ${figure?.value}`).toBe(true);
    }
    // Structural facts: the poller saw many getState calls, and the list paged through all
    // 1,000 customers in 200-row pages.
    expect(written.figures['app.listPages']?.value).toBe(5);
    expect(written.figures['app.longestUiWaitMs']?.note).toMatch(/stages seen: /);
    for (const [name, goal] of Object.entries(GOALS).filter(([name]) => name.startsWith('app.'))) {
      expect(written.figures[name]?.goal, name).toEqual(goal);
      expect(typeof written.figures[name]?.met, name).toBe('boolean');
    }
  }, 240_000);

  it('refuses bad arguments with a clear message', () => {
    expect(() => parseArgs(['--scale', 'huge'])).toThrow(/--scale must be one of smoke, medium, full/);
    expect(() => parseArgs(['--only', 'firstSync,teleport'])).toThrow(/unknown: teleport/);
    expect(() => parseArgs(['--db', 'mysql'])).toThrow(/sqlite or postgres/);
    expect(() => parseArgs(['--out'])).toThrow(/--out needs a value/);
    expect(parseArgs(['--scale', 'smoke', '--only', 'search']).only).toEqual(['search']);
    expect(parseArgs([]).only).toEqual(STAGES.filter((s) => s !== 'app')); // the UI stage runs when asked for
  });
});
