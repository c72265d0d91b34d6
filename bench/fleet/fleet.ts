// The fleet benchmark: N devices holding event streams on the server, the streams held by other
// processes (bench/fleet/holder.ts, at most STREAMS_PER_HOLDER each: a process may hold only so
// many open files), the server in its own process(es) (bench/fleet/server-process.ts). Measured:
//   - memory per stream: the server's resident memory (read from its /metrics) before and after;
//   - revocation → the device's stream receiving the directive (p50/p99, sequential revocations,
//     with two servers half of them reach a stream held by the OTHER process than the one called);
//   - a role change re-scoping `rescope` devices → the last of them receiving `scope-changed`, and
//     the CPU time the servers spent on it (their own process_cpu_seconds from /metrics: on a
//     loaded machine wall time mostly measures waiting for a core, CPU time does not);
//   - the servers' CPU per second while the streams are merely held (pings and their re-checks),
//     over `idleS` seconds (a whole ping round at 15);
//   - open-loop delta syncs at fixed rates (bench/fleet/open-loop.ts): the highest rate whose p99 ≤ 100 ms.
// Bounded: every wait has a deadline, and every child is stopped at the end.

import { fileURLToPath } from 'node:url';
import { percentileOf, sample, scrapeAll } from './prom';
import { Child, type ChildMessage } from './ipc';
import { FLEET_ROLE_ID, seedFleet } from './seed';
import { signedHeaders, type FleetDevice } from './sign';
import type { LoadStep } from './open-loop';
import { openBenchDatabase } from '../server';
import { enrollTestDevice } from '../../server/test/client';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
export const STREAMS_PER_HOLDER = 4_000;
export const P99_GOAL_MS = 100;
const LOAD_DEVICES = 50;

export interface FleetOptions {
  db: 'sqlite' | 'postgres';
  /** two server processes sharing the database (PostgreSQL only) */
  servers: 1 | 2;
  streams: number;
  rescope: number;
  revocations: number;
  loadRates: readonly number[];
  loadStepS: number;
  /** seconds of merely holding the streams over which the servers' CPU is measured (0: skipped) */
  idleS?: number;
  progress(message: string): void;
}

export interface FleetResult {
  streams: number;
  serverRssPerStreamKb: number;
  holderRssPerStreamKb: number;
  openMs: number;
  revokeP50Ms: number;
  revokeP99Ms: number;
  revokeReceived: number;
  rescopeMs: number;
  /** CPU the servers spent from the role change until the last re-scoped device was told */
  rescopeCpuMs: number;
  /** the servers' CPU per second of wall time while holding the streams (NaN when not measured) */
  idleCpuMsPerS: number;
  rescopeReceived: number;
  /** devices outside the changed role that were told anyway (should be none) */
  rescopeOutside: number;
  maxRateAtP99: number;
  steps: LoadStep[];
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function runFleet(opts: FleetOptions): Promise<FleetResult> {
  if (opts.servers === 2 && opts.db !== 'postgres') throw new Error('two server processes need PostgreSQL');
  const database = await openBenchDatabase(opts.db);
  const children: Child[] = [];
  try {
    opts.progress(`fleet: seeding ${opts.streams} devices (${opts.db}, ${opts.servers} server process${opts.servers > 1 ? 'es' : ''})`);
    const seed = await seedFleet(database.db, opts.streams, opts.rescope);
    const location = database.location.databaseUrl ?? (database.location.sqlitePath as string);
    const baseUrls: string[] = [];
    for (let i = 0; i < opts.servers; i++) {
      // SV_FLEET_CPU_PROF=<dir>: a V8 CPU profile of each server process (written when it stops).
      const prof = process.env.SV_FLEET_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SV_FLEET_CPU_PROF}`] : [];
      const server = new Child(here('./server-process.ts'), [opts.db, location], prof);
      children.push(server);
      baseUrls.push((await server.next<ChildMessage & { baseUrl: string }>('listening', 60_000)).baseUrl);
    }
    const rssBefore = (await scrapeAll(baseUrls)).reduce((sum, text) => sum + sample(text, 'sv_process_resident_memory_bytes'), 0);

    // ---- hold the streams ------------------------------------------------------------------
    const arrivals = new Map<string, number>();
    const withUrl = seed.devices.map((d, i) => ({ id: d.id, key: d.key, token: d.token, url: baseUrls[i % baseUrls.length] as string }));
    const holders: Child[] = [];
    const openStarted = performance.now();
    for (let start = 0; start < withUrl.length; start += STREAMS_PER_HOLDER) {
      const holder = new Child(here('./holder.ts'));
      children.push(holder);
      holders.push(holder);
      holder.onMessage = (m) => {
        if (m.type === 'event') arrivals.set(`${String(m.event)}:${String(m.deviceId)}`, m.at as number);
      };
      holder.send({ type: 'open', devices: withUrl.slice(start, start + STREAMS_PER_HOLDER), concurrency: 32 });
    }
    let held = 0;
    let holderRss = 0;
    for (const holder of holders) {
      const r = await holder.next<ChildMessage & { count: number; failed: number; firstError?: string; rssMb: number }>('opened', 900_000);
      if (r.failed > 0) throw new Error(`${r.failed} streams failed to open (${r.firstError})`);
      held += r.count;
      holderRss += r.rssMb;
    }
    const openMs = performance.now() - openStarted;
    opts.progress(`fleet: ${held} streams open in ${(openMs / 1000).toFixed(1)} s`);
    const after = await scrapeAll(baseUrls);
    const openOnServers = after.reduce((sum, text) => sum + sample(text, 'sv_event_streams_open'), 0);
    if (openOnServers !== opts.streams) throw new Error(`the servers count ${openOnServers} open streams, expected ${opts.streams}`);
    const rssAfter = after.reduce((sum, text) => sum + sample(text, 'sv_process_resident_memory_bytes'), 0);
    const cpuSeconds = async () => (await scrapeAll(baseUrls)).reduce((sum, text) => sum + sample(text, 'sv_process_cpu_seconds_total'), 0);
    let idleCpuMsPerS = Number.NaN;
    if (opts.idleS) {
      const [cpu0, w0] = [await cpuSeconds(), performance.now()];
      await new Promise((r) => setTimeout(r, (opts.idleS as number) * 1000));
      idleCpuMsPerS = ((await cpuSeconds()) - cpu0) * 1000 / ((performance.now() - w0) / 1000);
      opts.progress(`fleet: holding ${held} streams costs the servers ${idleCpuMsPerS.toFixed(1)} ms CPU per second`);
    }

    // ---- revocations -------------------------------------------------------------------------
    const admin = await enrollTestDevice(baseUrls[0] as string, seed.fixture.users.itAdmin.username, seed.fixture.users.itAdmin.password, seed.fixture.users.itAdmin.totpSecret, { name: 'fleet admin' });
    const candidates = withUrl.filter((d) => !seed.rescoped.has(d.id));
    const revoked = candidates.slice(-opts.revocations);
    const revokeMs: number[] = [];
    for (const device of revoked) {
      const t0 = performance.timeOrigin + performance.now();
      const res = await admin.signedFetch('POST', `/v1/admin/devices/${device.id}/revoke`);
      if (res.status !== 200) throw new Error(`revoke: HTTP ${res.status} ${await res.text()}`);
      await waitFor(() => arrivals.has(`revoked:${device.id}`), 10_000, `the revocation of ${device.id} to reach its stream`);
      revokeMs.push((arrivals.get(`revoked:${device.id}`) as number) - t0);
    }

    // ---- a role change re-scoping `rescope` devices ----------------------------------------
    const cpuBeforeRescope = await cpuSeconds();
    const t0 = performance.timeOrigin + performance.now();
    const patch = await admin.signedFetch('PATCH', `/v1/admin/roles/${FLEET_ROLE_ID}`, { dataScope: 'own' });
    if (patch.status !== 200) throw new Error(`role change: HTTP ${patch.status} ${await patch.text()}`);
    const targets = [...seed.rescoped];
    const got = () => targets.filter((id) => arrivals.has(`scope-changed:${id}`));
    await waitFor(() => got().length === targets.length, 30_000, `scope-changed to reach ${targets.length} devices (got ${got().length})`).catch(() => undefined);
    const received = got();
    // Give stray notifications a moment to arrive before counting them.
    await new Promise((r) => setTimeout(r, 200));
    const rescopeOutside = withUrl.filter((d) => !seed.rescoped.has(d.id) && arrivals.has(`scope-changed:${d.id}`)).length;
    const rescopeMs = received.length ? Math.max(...received.map((id) => arrivals.get(`scope-changed:${id}`) as number)) - t0 : Number.NaN;
    const rescopeCpuMs = ((await cpuSeconds()) - cpuBeforeRescope) * 1000;
    opts.progress(`fleet: role change → ${received.length} devices told in ${rescopeMs.toFixed(0)} ms, ${rescopeCpuMs.toFixed(0)} ms server CPU`);

    // ---- open-loop delta syncs -------------------------------------------------------------
    const revokedIds = new Set(revoked.map((d) => d.id));
    const loadDevices = candidates.filter((d) => !revokedIds.has(d.id)).slice(0, LOAD_DEVICES);
    const steady: (FleetDevice & { cursor: string })[] = [];
    for (const device of loadDevices) {
      let cursor: string | null = null;
      for (let i = 0; i < 2; i++) {
        const body: string = JSON.stringify({ cursor, limit: 500 });
        const res: Response = await fetch(`${baseUrls[0]}/v1/sync/pull`, { method: 'POST', headers: signedHeaders(device, 'POST', '/v1/sync/pull', body), body });
        if (res.status !== 200) throw new Error(`load device pull: HTTP ${res.status} ${await res.text()}`);
        cursor = ((await res.json()) as { cursor: string }).cursor;
      }
      steady.push({ ...device, cursor: cursor as string });
    }
    const generator = new Child(here('./open-loop.ts'));
    children.push(generator);
    const steps: LoadStep[] = [];
    for (const rate of opts.loadRates) {
      generator.send({ type: 'step', baseUrl: baseUrls[0] as string, devices: steady, rate, durationS: opts.loadStepS, sockets: 256 });
      const { result } = await generator.next<ChildMessage & { result: LoadStep }>('step', 120_000);
      steps.push(result);
      opts.progress(`fleet: open loop ${rate} req/s → p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors`);
      if (result.p99Ms > P99_GOAL_MS * 3 || result.errors > 0) break;
    }
    const passing = steps.filter((s) => s.p99Ms <= P99_GOAL_MS && s.errors === 0);

    return {
      streams: held,
      serverRssPerStreamKb: (rssAfter - rssBefore) / 1024 / opts.streams,
      holderRssPerStreamKb: (holderRss * 1024) / opts.streams,
      openMs,
      revokeP50Ms: percentileOf(revokeMs, 50),
      revokeP99Ms: percentileOf(revokeMs, 99),
      revokeReceived: revokeMs.length,
      rescopeMs,
      rescopeCpuMs,
      idleCpuMsPerS,
      rescopeReceived: received.length,
      rescopeOutside,
      maxRateAtP99: passing.length ? Math.max(...passing.map((s) => s.rate)) : 0,
      steps,
    };
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    await database.cleanup();
  }
}

