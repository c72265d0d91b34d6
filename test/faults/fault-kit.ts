// TEST SUPPORT for the fault-injection tests: a child process running the client core that can
// be SIGKILLed, and byte-level damage to a vault file.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { waitFor, type TestApp } from '../support/test-app';

const CHILD = resolve(__dirname, '../support/children/app-child.ts');
const PAGE = 4096;

export function runChild(t: TestApp, env: Record<string, string>, children: ChildProcess[]): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: resolve(__dirname, '../..'),
    env: { ...process.env, SV_CHILD_DATA_DIR: t.dataDir, SV_CHILD_KEYCHAIN: t.keychainService, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  children.push(child);
  return { child, output: () => output };
}

/** Wait for `ready`, run `before` (the fault), then SIGKILL the child. */
export async function killWhen(child: ChildProcess, output: () => string, ready: () => boolean, what: string, before?: () => void): Promise<void> {
  try {
    await waitFor(() => ready() || child.exitCode !== null, what, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\nchild output:\n${output()}`);
  }
  if (!ready()) throw new Error(`child exited (${child.exitCode}) before ${what}:\n${output()}`);
  before?.();
  child.kill('SIGKILL');
  await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
}

/** Flip 16 bytes in page `pageNo` (1-based) of a closed database file, at `offset` inside the page. */
export function flipBytes(path: string, pageNo: number, offset = 2048): void {
  const buf = readFileSync(path);
  const at = (pageNo - 1) * PAGE + offset;
  if (at + 16 > buf.length) throw new Error(`page ${pageNo} is beyond the file (${buf.length / PAGE} pages)`);
  for (let i = 0; i < 16; i++) buf[at + i] = (buf[at + i] as number) ^ 0xa5;
  writeFileSync(path, buf);
}


/**
 * The page in the middle of the pages that hold data (SQLite's dbstat over the decrypted file),
 * outside the outbox's own pages: a free page holds nothing, and damage to the outbox's pages is
 * the one case where unsent edits cannot be salvaged (they are then named as lost).
 */
export function middleDataPage(path: string, keyHex: string, table?: string): number {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(`key="x'${keyHex}'"`);
    const pages = (
      table
        ? db.prepare('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno').all(table)
        : db.prepare("SELECT pageno FROM dbstat WHERE name NOT LIKE '%outbox%' AND pageno > 1 ORDER BY pageno").all()
    ).map((r) => (r as { pageno: number }).pageno);
    const page = pages[Math.floor(pages.length / 2)];
    if (page === undefined) throw new Error('the vault holds no data pages');
    return page;
  } finally {
    db.close();
  }
}
