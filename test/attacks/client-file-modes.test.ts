// Finding 12a: the data directory was created 0755 and vault.db / settings.json 0644, so any
// other account on the machine could copy the vault, its WAL and the pinned server keys. The
// directory must be 0700 and every file the client writes there 0600 — from creation, whatever
// the umask — and anything looser on disk is tightened when the app starts.
//
// Real server on 127.0.0.1, real client core, real SQLCipher vault and OS keychain (run inside
// a keyring session). Unix only: on Windows access is governed by ACLs, not mode bits.

import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VAULT_FILE } from '../../electron/core/app-service';
import { newTestApp, signInAndSync, stateOf, type TestApp } from '../support/test-app';
import { startRealServer, type RealServer } from '../support/real-server';

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Every entry of the data directory with its mode, as octal strings for readable failures. */
function modes(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, modeOf(join(dir, name)).toString(8)]));
}

describe.skipIf(process.platform === 'win32')('attack: reading another user\'s vault files (finding 12a)', () => {
  let server: RealServer;
  let t: TestApp;
  let root: string;
  let dataDir: string;
  let umask: number;

  beforeAll(async () => {
    // The most permissive umask: nothing may depend on it to keep the files private.
    umask = process.umask(0o000);
    server = await startRealServer();
    root = mkdtempSync(join(tmpdir(), 'sv-modes-'));
    dataDir = join(root, 'profile', 'vault');
    t = await newTestApp('attack-modes', { dataDir });
  });
  afterAll(async () => {
    await t?.cleanup();
    await server?.cleanup();
    rmSync(root, { recursive: true, force: true });
    process.umask(umask);
  });

  it('creates the data directory 0700 and every file 0600 through enrollment and first sync', async () => {
    expect(existsSync(dataDir)).toBe(true);
    expect(modeOf(dataDir).toString(8)).toBe('700');
    expect(modeOf(join(root, 'profile')).toString(8)).toBe('700');

    const state = await signInAndSync(t.app, server, server.fixture.users.rep);
    expect(state.phase).toBe('ready');
    const files = modes(dataDir);
    // The vault is open in WAL mode: its companions exist now, next to the settings file.
    for (const name of [VAULT_FILE, `${VAULT_FILE}-wal`, `${VAULT_FILE}-shm`, 'settings.json']) expect(files).toHaveProperty(name);
    expect(Object.values(files).every((mode) => mode === '600'), JSON.stringify(files)).toBe(true);
    expect(modeOf(dataDir).toString(8)).toBe('700');
  });

  it('tightens a 0755 directory and 0644 files left on disk when the app opens', async () => {
    await t.app.close();
    chmodSync(dataDir, 0o755);
    for (const name of readdirSync(dataDir)) {
      try {
        chmodSync(join(dataDir, name), 0o644);
      } catch (err) {
        // A companion file SQLite removed after the listing is no longer there to loosen.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    expect(modeOf(join(dataDir, VAULT_FILE)).toString(8)).toBe('644');
    expect(modeOf(join(dataDir, 'settings.json')).toString(8)).toBe('644');

    await t.reopen();
    const reopened = await stateOf(t.app);
    expect(reopened.phase, `reason: ${reopened.reason}`).not.toBe('locked');
    expect(modeOf(dataDir).toString(8)).toBe('700');
    const files = modes(dataDir);
    expect(files).toHaveProperty(VAULT_FILE);
    expect(files).toHaveProperty('settings.json');
    expect(Object.values(files).every((mode) => mode === '600'), JSON.stringify(files)).toBe(true);
  });
});
