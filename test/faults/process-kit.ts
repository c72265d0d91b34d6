// Fault-injection kit: run the client core in a child process (test/support/children/app-child.ts)
// over a test app's data dir and REAL keychain service, and SIGKILL it at a known point.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import type { AppState } from '../../shared/api/desktop-api';
import type { RealServer } from '../support/real-server';
import { signInAndSync, waitFor, type TestApp } from '../support/test-app';

const ROOT = resolve(__dirname, '../..');
export const APP_CHILD = resolve(ROOT, 'test/support/children/app-child.ts');

export interface RunningChild {
  child: ChildProcess;
  output: () => string;
}

const running: ChildProcess[] = [];

export function runChild(t: Pick<TestApp, 'dataDir' | 'keychainService'>, env: Record<string, string>): RunningChild {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', APP_CHILD], {
    cwd: ROOT,
    env: { ...process.env, SV_CHILD_DATA_DIR: t.dataDir, SV_CHILD_KEYCHAIN: t.keychainService, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  running.push(child);
  return { child, output: () => output };
}

/** Wait until `ready()` holds, run `before` (a fault such as a deleted file), then SIGKILL the child and wait for it to be gone. */
export async function killWhen(
  { child, output }: RunningChild,
  ready: () => boolean,
  what: string,
  { timeoutMs = 45_000, before }: { timeoutMs?: number; before?: () => void } = {},
): Promise<void> {
  try {
    await waitFor(() => ready() || child.exitCode !== null, what, timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\nchild output:\n${output()}`);
  }
  if (!ready()) throw new Error(`child exited (${child.exitCode}) before ${what}:\n${output()}`);
  before?.();
  child.kill('SIGKILL');
  await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  expect(child.signalCode).toBe('SIGKILL');
}

/** For afterEach: no child outlives its test. */
export function killAllChildren(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  running.length = 0;
}

/** signInAndSync, waiting for a fresh TOTP step when earlier sign-ins used up the current ones. */
export async function signInFresh(t: TestApp, server: RealServer, user: RealServer['fixture']['users']['rep']): Promise<AppState> {
  for (let round = 0; ; round++) {
    try {
      return await signInAndSync(t.app, server, user);
    } catch (err) {
      if (round >= 3 || !/mfa_invalid/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 200));
    }
  }
}

/** A keychain entry that must still be there (read again: the keyring answers slowly under load). */
export async function expectKeyKept(t: TestApp, account: string): Promise<void> {
  expect(await waitFor(() => t.secrets.get(account), `keychain entry ${account}`, 10_000)).toBeTruthy();
}
