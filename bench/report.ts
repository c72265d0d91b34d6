// Collects every figure of a run, prints the terminal table and writes the JSON file.
// Each figure carries its unit and, when the goals table (scale.ts) names one, its goal and ratio to it.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, platform, release, totalmem, arch } from 'node:os';
import { dirname } from 'node:path';
import { GOALS, type Goal, type ScaleName } from './scale';

export interface Figure {
  value: number;
  unit: string;
  /** what was measured, briefly */
  label: string;
  note?: string;
  goal?: Goal;
  /** value / goal (≤ goals: below 1 is met; ≥ goals: above 1 is met); absent for a 0 goal */
  ratioToGoal?: number;
  met?: boolean;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryTotalMb: number;
  memoryFreeMb: number;
  node: string;
  os: string;
  arch: string;
}

export interface BenchResult {
  date: string;
  scale: ScaleName;
  db: 'sqlite' | 'postgres';
  machine: MachineInfo;
  dataset: Record<string, number>;
  keychain: string;
  figures: Record<string, Figure>;
  /** stage name → error message for stages that failed (the run goes on) */
  failures: Record<string, string>;
  durationMs: number;
}

export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryTotalMb: Math.round(totalmem() / 2 ** 20),
    memoryFreeMb: Math.round(freemem() / 2 ** 20),
    node: process.version,
    os: `${platform()} ${release()}`,
    arch: arch(),
  };
}

export class Figures {
  readonly all: Record<string, Figure> = {};

  set(name: string, value: number, unit: string, label: string, note?: string): void {
    const figure: Figure = { value, unit, label };
    if (note) figure.note = note;
    const goal = GOALS[name];
    if (goal) {
      figure.goal = goal;
      figure.met = goal.op === '<=' ? value <= goal.value : value >= goal.value;
      if (goal.value !== 0) figure.ratioToGoal = value / goal.value;
    }
    this.all[name] = figure;
  }
}

/** Progress lines go to stderr so stdout stays the table. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function formatValue(f: Figure): string {
  const v = f.value;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return `${v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} ${f.unit}`;
}

export function renderTable(result: BenchResult): string {
  const rows = Object.entries(result.figures).map(([name, f]) => [
    name,
    formatValue(f),
    f.goal ? `${f.goal.op} ${f.goal.value.toLocaleString('en-US')}` : '',
    f.ratioToGoal !== undefined ? f.ratioToGoal.toFixed(2) : '',
    f.met === undefined ? '' : f.met ? 'met' : 'MISSED',
  ]);
  const header = ['figure', 'value', 'goal', 'ratio', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const m = result.machine;
  const out = [
    `SalesVault benchmark — scale ${result.scale} (${Object.entries(result.dataset).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ')}), server db ${result.db}`,
    `${m.cpus} × ${m.cpuModel}, ${m.memoryTotalMb} MB, node ${m.node}, ${m.os}; keychain: ${result.keychain}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  const failures = Object.entries(result.failures);
  if (failures.length) out.push('', 'FAILED stages:', ...failures.map(([s, e]) => `  ${s}: ${e}`));
  out.push('', `total ${(result.durationMs / 1000).toFixed(1)} s`);
  return out.join('\n');
}

export function writeResult(path: string, result: BenchResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(result, null, 2) + '\n');
}

/** Percentile by nearest rank over a copy (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
