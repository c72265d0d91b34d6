// `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`: the functions with the most
// self time in a V8 CPU profile (written by `npm run bench -- --cpu-prof <dir>`), to say where
// a stage's time goes without opening DevTools.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function frameKey(node: ProfileNode): string {
  const frame = node.callFrame;
  const where = frame.url ? relative(process.cwd(), frame.url.replace(/^file:\/\//, '')) : '(native)';
  return `${frame.functionName || '(anonymous)'}  ${where}`;
}

/**
 * Self time per function, and inclusive time (self + callees) per function of the project's
 * own code: native SQLite work shows up as the self time of the JS function that called it,
 * so the inclusive view says which step of e.g. applyPullPage the time belongs to.
 */
export function summarize(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    total += us;
    self.set(frameKey(node), (self.get(frameKey(node)) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (!n || n.callFrame.url.includes('node_modules') || !n.callFrame.url.startsWith('file://')) continue;
      const key = frameKey(n);
      if (seen.has(key)) continue; // recursion: count a sample once per function
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  });
  const fmt = (rows: [string, number][]) =>
    rows.map(([key, us]) => `${(us / 1e3).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
  return [
    `total sampled ${(total / 1e6).toFixed(2)} s`,
    'self time:',
    ...fmt([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)),
    'inclusive time (project code):',
    ...fmt([...inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)),
  ].join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top ? Number(top) : 25) + '\n');
}
