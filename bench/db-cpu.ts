// CPU time of the PostgreSQL backends serving one database, for per-stage A/B figures: the
// server's own process.cpuUsage() misses the work PostgreSQL does for it in other processes.
// Reads pg_stat_activity for the backends' pids and /proc/<pid>/stat for their user + system
// ticks (Linux, server on this machine). Backends that end during a stage lose what they used
// since the stage began (the pool keeps its connections while it is busy, so this is small).

import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../server/db/schema';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function ticksOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null; // not on this machine (or already gone)
  }
}

export type DbCpuSnapshot = Map<number, number>;

/** Ticks per backend of the current database; null when they cannot be read (remote server, not Linux). */
export async function dbCpuSnapshot(db: Kysely<Database>): Promise<DbCpuSnapshot | null> {
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(db);
  const snapshot: DbCpuSnapshot = new Map();
  for (const { pid } of rows) {
    const ticks = ticksOf(Number(pid));
    if (ticks === null) return null;
    snapshot.set(Number(pid), ticks);
  }
  return snapshot;
}

/** CPU milliseconds the database's backends used between two snapshots (new backends from zero). */
export function dbCpuMsBetween(before: DbCpuSnapshot, after: DbCpuSnapshot): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}
