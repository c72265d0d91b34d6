// Failures the UI must name for what they are, not as "an unexpected error": the codes SQLite
// and the OS give for a damaged file and a full disk, and the vault's own errors.

import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { toApiError } from './api-errors';
import { ServerError } from './sync/errors';
import { VaultDamagedError, VaultError, VaultKeyMissingError } from './vault/errors';
import { deserializeError, serializeError } from './vault/worker-protocol';

/** A real SqliteError with the given code (as better-sqlite3 throws them). */
function sqliteError(code: string): Error {
  const SqliteError = (Database as unknown as { SqliteError: new (message: string, code: string) => Error }).SqliteError;
  return new SqliteError(code === 'SQLITE_FULL' ? 'database or disk is full' : 'database disk image is malformed', code);
}

describe('toApiError names vault and disk faults', () => {
  it('a damaged page read in use (SQLITE_CORRUPT, SQLITE_NOTADB) is vault_damaged', () => {
    expect(toApiError(sqliteError('SQLITE_CORRUPT')).code).toBe('vault_damaged');
    expect(toApiError(sqliteError('SQLITE_CORRUPT_INDEX')).code).toBe('vault_damaged');
    expect(toApiError(sqliteError('SQLITE_NOTADB')).code).toBe('vault_damaged');
    expect(toApiError(new VaultDamagedError('x')).code).toBe('vault_damaged');
  });

  it('keeps those meanings for an error that crossed from the import worker, and names a dead worker', () => {
    const crossed = (err: Error) => toApiError(deserializeError(serializeError(err))).code;
    expect(crossed(sqliteError('SQLITE_CORRUPT'))).toBe('vault_damaged');
    expect(crossed(sqliteError('SQLITE_FULL'))).toBe('disk_full');
    expect(crossed(new VaultDamagedError('x'))).toBe('vault_damaged');
    expect(crossed(new VaultError('invalid_input', 'x'))).toBe('validation_failed');
    expect(crossed(new VaultError('import_failed', 'the thread exited'))).toBe('vault_import_failed');
  });

  it('a full disk (SQLITE_FULL, ENOSPC) is disk_full', () => {
    expect(toApiError(sqliteError('SQLITE_FULL')).code).toBe('disk_full');
    expect(toApiError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })).code).toBe('disk_full');
  });

  it('a missing vault key is vault_key_missing; anything else stays internal', () => {
    expect(toApiError(new VaultKeyMissingError()).code).toBe('vault_key_missing');
    expect(toApiError(sqliteError('SQLITE_BUSY')).code).toBe('internal');
  });
});

describe('toApiError carries what the screen needs from a server refusal', () => {
  it('a lock: the seconds left as the server counted them; nonsense is dropped', () => {
    expect(toApiError(new ServerError('account_locked', 423, 'locked', { lockedUntil: 1, retryAfterSeconds: 660 }))).toEqual({
      code: 'account_locked', message: 'locked', retryAfterSeconds: 660,
    });
    expect(toApiError(new ServerError('account_locked', 423, 'locked', { retryAfterSeconds: 'soon' }))).toEqual({ code: 'account_locked', message: 'locked' });
    expect(toApiError(new ServerError('account_locked', 423, 'locked', { retryAfterSeconds: 1e12 })).retryAfterSeconds).toBeUndefined();
    expect(toApiError(new ServerError('invalid_credentials', 401, 'no', { retryAfterSeconds: 60 })).retryAfterSeconds).toBeUndefined();
  });
});
