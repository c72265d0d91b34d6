// `npx tsx bench/compare.ts sqlite.json postgres.json [more.json …]`: the figures of several
// benchmark runs side by side as a Markdown table (what the README's table is made from), with
// each figure's goal and whether every run met it, and the one goal that compares two runs: the
// PostgreSQL server stage of the first sync within 1.5× of SQLite's (same scale, same machine).

import { readFileSync } from 'node:fs';
import type { BenchResult, Figure } from './report';

/** The cross-store goal: PostgreSQL's first-sync server stage over SQLite's. */
export const PG_SERVER_STAGE_GOAL = 1.5;

function format(f: Figure | undefined): string {
  if (!f || !Number.isFinite(f.value)) return '—';
  const v = f.value;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  const text = `${v.toLocaleString('en-US', { maximumFractionDigits: digits })} ${f.unit}`;
  return f.met === false ? `**${text}**` : text;
}

function runName(r: BenchResult): string {
  return `${r.db === 'postgres' ? 'PostgreSQL' : 'SQLite'} (${r.scale}, ${r.date.slice(0, 16).replace('T', ' ')})`;
}

/** The Markdown table of the runs' figures, in the first run's order, then any the others add. */
export function compareRuns(runs: BenchResult[]): string {
  const names: string[] = [];
  for (const run of runs) for (const name of Object.keys(run.figures)) if (!names.includes(name)) names.push(name);
  const header = ['figure', ...runs.map(runName), 'goal', 'met'];
  const rows = names.map((name) => {
    const figures = runs.map((r) => r.figures[name]);
    const goal = figures.find((f) => f?.goal)?.goal;
    const verdicts = figures.filter((f) => f?.met !== undefined).map((f) => f!.met);
    const met = verdicts.length === 0 ? '' : verdicts.every(Boolean) ? 'met' : verdicts.some(Boolean) ? 'partly' : 'missed';
    return [`\`${name}\``, ...figures.map(format), goal ? `${goal.op} ${goal.value.toLocaleString('en-US')}` : '', met];
  });
  const sqlite = runs.find((r) => r.db === 'sqlite')?.figures['firstSync.serverMs'];
  const pg = runs.find((r) => r.db === 'postgres')?.figures['firstSync.serverMs'];
  if (sqlite && pg && sqlite.value > 0) {
    const ratio = pg.value / sqlite.value;
    rows.push([
      '`firstSync.serverMs` PostgreSQL / SQLite',
      ...runs.map((r) => (r.db !== 'postgres' ? '' : ratio <= PG_SERVER_STAGE_GOAL ? `${ratio.toFixed(2)} ×` : `**${ratio.toFixed(2)} ×**`)),
      `<= ${PG_SERVER_STAGE_GOAL}`,
      ratio <= PG_SERVER_STAGE_GOAL ? 'met' : 'missed',
    ]);
  }
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

if (process.argv[1]?.endsWith('compare.ts')) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: npx tsx bench/compare.ts <result.json> [<result.json> …]\n');
    process.exit(2);
  }
  const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as BenchResult);
  process.stdout.write(`${compareRuns(runs)}\n`);
}
