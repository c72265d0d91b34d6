// CPU time of the PostgreSQL backends serving one database, for per-stage A/B figures: the
// server's own process.cpuUsage() misses the work PostgreSQL does for it in other processes.
// Samples /proc every SAMPLE_MS for the backends whose title names the database
// ("postgres: … <user> <database> <client> …") and keeps each one's latest user + system ticks,
// so backends the pool opens and closes during the stage are counted too (a backend loses at
// most its last SAMPLE_MS). Linux with the server on this machine; null elsewhere.

import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const SAMPLE_MS = 250;

function backendTicks(database: string): Map<number, number> {
  const found = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!title.startsWith('postgres:') || !title.split(' ').includes(database)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name start at field 3 (state); utime is 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended while being read
    }
  }
  return found;
}

/** Starts sampling the backends of `database`; stop() returns the CPU ms they used since. */
export function startDbCpu(database: string): { stop(): number } | null {
  try {
    readdirSync('/proc');
  } catch {
    return null;
  }
  const start = backendTicks(database);
  const latest = new Map(start);
  const sample = () => {
    for (const [pid, ticks] of backendTicks(database)) latest.set(pid, ticks);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      let ticks = 0;
      for (const [pid, t] of latest) ticks += t - (start.get(pid) ?? 0);
      return (ticks * 1000) / TICKS_PER_SECOND;
    },
  };
}
