// The fleet benchmark at a small size, so it cannot rot: every stream is held (the server's own
// /metrics count agrees), every revocation reaches its device's stream — on PostgreSQL with two
// server processes, so half of them cross from the process that revoked to the one holding the
// stream —, the role change reaches exactly the devices of that role, and the open loop runs.
// No assertion on any time: timings are noise on a shared machine.

import { describe, expect, it } from 'vitest';
import { runFleet } from './fleet';

const dialect = process.env.SV_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

describe(`fleet benchmark, small (${dialect})`, () => {
  it(`holds every stream and delivers every revocation and re-scope${dialect === 'postgres' ? ' across two server processes' : ''}`, async () => {
    const r = await runFleet({
      db: dialect, servers: dialect === 'postgres' ? 2 : 1, streams: 60, rescope: 20, revocations: 10,
      loadRates: [20], loadStepS: 1, progress: () => undefined,
    });
    expect(r.streams).toBe(60);
    expect(r.revokeReceived).toBe(10);
    expect(r.rescopeReceived).toBe(20);
    expect(r.rescopeOutside).toBe(0);
    expect(Number.isFinite(r.revokeP99Ms) && r.revokeP99Ms >= 0).toBe(true);
    expect(Number.isFinite(r.serverRssPerStreamKb)).toBe(true);
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]?.sent).toBe(20);
    expect(r.steps[0]?.ok).toBe(20);
  }, 180_000);
});
