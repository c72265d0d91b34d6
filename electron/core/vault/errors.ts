// Typed vault failures. Messages never contain the key or record content.

export type VaultErrorCode =
  | 'keychain_key_missing'
  | 'vault_corrupt'
  | 'vault_damaged'
  | 'vault_exists'
  | 'vault_missing'
  | 'invalid_input'
  | 'record_missing'
  /** The import worker died or could not start (vault/off-thread.ts): the page was not applied. */
  | 'import_failed';

export class VaultError extends Error {
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VaultError';
  }
}

/** The key in the keychain does not open the file, or the file was damaged/tampered with. */
export class VaultCorruptError extends VaultError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('vault_corrupt', message, options);
    this.name = 'VaultCorruptError';
  }
}

/** The vault file exists but the keychain has no key for it (keychain reset, or a wipe half done). */
export class VaultKeyMissingError extends VaultError {
  constructor() {
    super('keychain_key_missing', 'The vault key is missing from the OS keychain; the local vault cannot be opened and must be re-synced.');
    this.name = 'VaultKeyMissingError';
  }
}

/** A page of the vault failed its checksum or structure check (at open, or on a read in use). */
export class VaultDamagedError extends VaultError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('vault_damaged', message, options);
    this.name = 'VaultDamagedError';
  }
}

function sqliteCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** SQLite says the file is damaged (SQLITE_CORRUPT*, SQLITE_NOTADB), or the vault found it so. */
export function isVaultDamage(err: unknown): boolean {
  if (err instanceof VaultDamagedError) return true;
  const code = sqliteCode(err);
  return code !== null && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** The disk is full: SQLite's SQLITE_FULL or the OS's ENOSPC (on the vault or any file we write). */
export function isDiskFull(err: unknown): boolean {
  const code = sqliteCode(err);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  // SQLite reports a failed write under a full disk as an I/O error whose message says so.
  return code !== null && code.startsWith('SQLITE_IOERR') && /full|space/i.test((err as Error).message);
}
