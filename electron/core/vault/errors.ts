// Typed vault failures. Messages never contain the key or record content.

export type VaultErrorCode =
  | 'keychain_key_missing'
  | 'vault_corrupt'
  | 'vault_exists'
  | 'vault_missing'
  | 'invalid_input'
  | 'record_missing';

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
