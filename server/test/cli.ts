// The IT command line in the test's own process: `runCli` from server/cli.ts with the given
// environment, its console output and stdout bytes captured. Each `tsx server/cli.ts` process
// costs seconds of CPU to load the server's modules; here a command costs what it does. That
// the bin (`npm run server -- …` → tsx server/cli.ts) maps runCli's result to the process's exit
// code and streams is proven by the few spawning tests in server/cli.test.ts.

import type { TestDatabase } from './db';
import { runCli } from '../cli';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The options and environment that point the CLI at `db`: --data for SQLite, DATABASE_URL for PostgreSQL. */
export function cliTarget(db: Pick<TestDatabase, 'location'>): { args: string[]; env: Record<string, string | undefined> } {
  return {
    args: db.location.sqlitePath ? ['--data', db.location.sqlitePath] : [],
    env: { DATABASE_URL: db.location.databaseUrl },
  };
}

let running = false;

/**
 * Runs one CLI command in-process. `env` entries are set for the command's duration (undefined
 * removes the variable) and restored afterwards. Commands run one at a time: the console and
 * the environment are the process's own.
 */
export async function runCliInProcess(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  if (running) throw new Error('runCliInProcess: a CLI command is already running in this process');
  running = true;
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(env)) {
    saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const out: string[] = [];
  const err: string[] = [];
  const line = (sink: string[]) => (...parts: unknown[]) => {
    sink.push(`${parts.map((p) => (typeof p === 'string' ? p : String(p))).join(' ')}\n`);
  };
  const original = { log: console.log, info: console.info, warn: console.warn, error: console.error, write: process.stdout.write };
  console.log = line(out);
  console.info = line(out);
  console.warn = line(err);
  console.error = line(err);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await runCli(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    Object.assign(console, { log: original.log, info: original.info, warn: original.warn, error: original.error });
    process.stdout.write = original.write;
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    running = false;
  }
}

/** `runCliInProcess` against a test database (its location appended as the options/environment). */
export function cliOn(db: Pick<TestDatabase, 'location'>, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const target = cliTarget(db);
  return runCliInProcess([...args, ...target.args], { ...target.env, ...env });
}
