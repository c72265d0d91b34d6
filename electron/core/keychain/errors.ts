/**
 * The OS keychain could not be reached (no Secret Service, locked keyring, missing native
 * module). Typed so callers can show a recovery screen instead of crashing. The message never
 * contains a secret: only the operation, the account name and the underlying cause.
 */
export class KeychainUnavailableError extends Error {
  readonly code = 'keychain_unavailable' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeychainUnavailableError';
  }
}
