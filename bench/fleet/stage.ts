// The `fleet` stage of `npm run bench`: the fleet benchmark on the chosen store, and on
// PostgreSQL also with two server processes sharing the database.

import type { Figures } from '../report';
import type { ScaleName } from '../scale';
import { runFleet, type FleetResult } from './fleet';
import { FLEET_SCALES } from './scale';
import { progress } from '../report';

function record(figures: Figures, prefix: string, what: string, r: FleetResult, rescope: number): void {
  const steps = r.steps.map((s) => `${s.rate}/s: p99 ${s.p99Ms.toFixed(0)} ms${s.errors ? `, ${s.errors} errors` : ''}`).join('; ');
  figures.set(`${prefix}.streams`, r.streams, 'streams', `event streams held (${what})`);
  figures.set(`${prefix}.serverKbPerStream`, r.serverRssPerStreamKb, 'KB', 'server resident memory per open stream (from /metrics)');
  figures.set(`${prefix}.revokeP50Ms`, r.revokeP50Ms, 'ms', `revocation → directive on the device's stream, p50 (${r.revokeReceived} revocations)`);
  figures.set(`${prefix}.revokeP99Ms`, r.revokeP99Ms, 'ms', 'revocation → directive, p99');
  figures.set(`${prefix}.rescopeMs`, r.rescopeMs, 'ms', `role change → all ${rescope} re-scoped devices told`);
  figures.set(`${prefix}.rescopeCpuMs`, r.rescopeCpuMs, 'ms', 'server CPU time spent on that role change (all server processes)');
  if (Number.isFinite(r.idleCpuMsPerS)) figures.set(`${prefix}.idleCpuMsPerS`, r.idleCpuMsPerS, 'ms/s', 'server CPU per second while holding the streams (pings and their re-checks)');
  figures.set(`${prefix}.rescopeReceived`, r.rescopeReceived, 'devices', 'devices that received scope-changed');
  figures.set(`${prefix}.maxOpenLoopRps`, r.maxRateAtP99, 'req/s', 'highest open-loop delta-sync rate with p99 ≤ 100 ms', steps);
}

export async function recordFleet(figures: Figures, db: 'sqlite' | 'postgres', scale: ScaleName): Promise<void> {
  const size = FLEET_SCALES[scale];
  const base = { ...size, db, progress };
  const one = await runFleet({ ...base, servers: 1 });
  const failures: string[] = [];
  const check = (prefix: string, r: FleetResult) => {
    if (r.streams !== size.streams) failures.push(`${prefix}: ${r.streams} of ${size.streams} streams held`);
    if (r.rescopeReceived !== size.rescope) failures.push(`${prefix}: ${r.rescopeReceived} of ${size.rescope} re-scoped devices told`);
  };
  record(figures, 'fleet', `one server process, ${db}`, one, size.rescope);
  check('fleet', one);
  if (db === 'postgres') {
    const two = await runFleet({ ...base, servers: 2 });
    record(figures, 'fleet2', 'two server processes sharing PostgreSQL; revoked through the first', two, size.rescope);
    check('fleet2', two);
  }
  if (failures.length) throw new Error(failures.join('; '));
}
