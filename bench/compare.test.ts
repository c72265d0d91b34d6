import { describe, expect, it } from 'vitest';
import { compareRuns } from './compare';
import { Figures, type BenchResult } from './report';

function run(db: 'sqlite' | 'postgres', serverMs: number, endToEndMs: number): BenchResult {
  const figures = new Figures();
  figures.set('firstSync.serverMs', serverMs, 'ms', 'server stage');
  figures.set('firstSync.endToEndMs', endToEndMs, 'ms', 'end to end');
  return {
    date: '2026-11-30T03:00:00.000Z', scale: 'full', db,
    machine: { cpus: 2, cpuModel: 'x', memoryTotalMb: 1, memoryFreeMb: 1, node: 'v20', os: 'linux', arch: 'x64' },
    dataset: {}, keychain: 'OS keychain', figures: figures.all, failures: {}, durationMs: 1,
  };
}

describe('bench/compare', () => {
  it('puts the stores side by side, marks a missed goal in bold and judges the PostgreSQL server stage against SQLite', () => {
    const table = compareRuns([run('sqlite', 8_000, 9_000), run('postgres', 14_000, 20_000)]).split('\n');
    expect(table[0]).toBe('| figure | SQLite (full, 2026-11-30 03:00) | PostgreSQL (full, 2026-11-30 03:00) | goal | met |');
    expect(table).toContain('| `firstSync.endToEndMs` | 9,000 ms | **20,000 ms** | <= 10,000 | partly |');
    expect(table).toContain('| `firstSync.serverMs` PostgreSQL / SQLite |  | **1.75 ×** | <= 1.5 | missed |');
    const within = compareRuns([run('sqlite', 8_000, 9_000), run('postgres', 10_000, 9_500)]);
    expect(within).toContain('| `firstSync.serverMs` PostgreSQL / SQLite |  | 1.25 × | <= 1.5 | met |');
  });
});
