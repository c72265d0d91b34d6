import { chmodSync, closeSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, openPrivateFile, prepareDatabaseFile, repairPrivateDir } from './private-files';

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe.skipIf(process.platform === 'win32')('private files', () => {
  let root: string;
  let umask: number;

  beforeEach(() => {
    umask = process.umask(0o000); // nothing may rely on the umask
    root = mkdtempSync(join(tmpdir(), 'sv-private-'));
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it('creates directories (and missing parents) 0700 and tightens an existing one', () => {
    ensurePrivateDir(join(root, 'a', 'b'));
    expect(modeOf(join(root, 'a'))).toBe('700');
    expect(modeOf(join(root, 'a', 'b'))).toBe('700');
    mkdirSync(join(root, 'open'), { mode: 0o755 });
    ensurePrivateDir(join(root, 'open'));
    expect(modeOf(join(root, 'open'))).toBe('700');
  });

  it('opens files 0600, also one left 0644 by a crash', () => {
    closeSync(openPrivateFile(join(root, 'new.json')));
    expect(modeOf(join(root, 'new.json'))).toBe('600');
    writeFileSync(join(root, 'old.tmp'), 'x', { mode: 0o644 });
    closeSync(openPrivateFile(join(root, 'old.tmp')));
    expect(modeOf(join(root, 'old.tmp'))).toBe('600');
  });

  it('creates a database file 0600 only when asked, and tightens its companions', () => {
    const db = join(root, 'vault.db');
    prepareDatabaseFile(db, { create: false });
    expect(() => statSync(db)).toThrow();
    prepareDatabaseFile(db, { create: true });
    expect(modeOf(db)).toBe('600');
    writeFileSync(`${db}-wal`, '', { mode: 0o644 });
    chmodSync(db, 0o640);
    prepareDatabaseFile(db, { create: false });
    expect(modeOf(db)).toBe('600');
    expect(modeOf(`${db}-wal`)).toBe('600');
  });

  it('repairs a whole tree but never follows a symbolic link out of it', () => {
    const data = join(root, 'data');
    mkdirSync(join(data, 'cache'), { recursive: true, mode: 0o755 });
    chmodSync(data, 0o755);
    writeFileSync(join(data, 'vault.db'), 'x', { mode: 0o644 });
    writeFileSync(join(data, 'cache', 'page'), 'x', { mode: 0o666 });
    writeFileSync(join(data, 'already'), 'x', { mode: 0o600 });
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'x', { mode: 0o644 });
    symlinkSync(outside, join(data, 'link'));

    const tightened = repairPrivateDir(data).map((p) => p.slice(data.length + 1)).sort();
    expect(tightened).toEqual(['cache', 'cache/page', 'vault.db']);
    expect(modeOf(data)).toBe('700');
    expect(modeOf(join(data, 'cache'))).toBe('700');
    expect(modeOf(join(data, 'cache', 'page'))).toBe('600');
    expect(modeOf(join(data, 'vault.db'))).toBe('600');
    expect(modeOf(outside)).toBe('644');
  });
});
