// Errors as the renderer sees them: every failure becomes an ApiError code it localizes (zh-CN
// and English). Decided here once for the whole core.

import type { ApiError, ApiErrorCode } from '../../shared/api/desktop-api';
import { DeviceKeyMissingError } from './device-key';
import { KeychainUnavailableError } from './keychain';
import { InsecureServerUrlError, RevokedError, ServerError, ServerKeyMismatchError, ServerUnreachableError, UntrustedTokenError } from './sync/errors';
import { isDiskFull, isVaultDamage, VaultError } from './vault/errors';

/** A refusal decided locally, with the API code the renderer localizes. */
export class AppError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Server error codes → what the renderer shows. */
function apiCodeForServer(code: ServerError['code']): ApiErrorCode {
  switch (code) {
    case 'invalid_credentials':
    case 'account_locked':
    case 'mfa_invalid':
    case 'rate_limited':
    case 'forbidden':
    case 'self_change':
    case 'separation_of_duties':
    case 'own_request':
    case 'device_limit':
    case 'not_found':
    case 'validation_failed':
    case 'app_update_required':
      return code;
    case 'mfa_required':
      return 'mfa_invalid';
    // A VERIFIED revocation arrives as RevokedError; a bare refusal without a directive that
    // verifies is only a refusal (a forged or broken directive must not look like a wipe).
    case 'device_revoked':
    case 'user_deactivated':
    case 'offline_not_allowed':
      return 'forbidden';
    case 'payload_too_large':
    case 'conflict':
      return 'validation_failed';
    case 'unauthorized':
    case 'token_expired':
    case 'unknown_device':
      return 'not_signed_in';
    default:
      return 'internal';
  }
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  if (err instanceof InsecureServerUrlError) return { code: 'insecure_server_url', message: err.message };
  if (err instanceof ServerUnreachableError) return { code: 'server_unreachable', message: err.message };
  if (err instanceof ServerKeyMismatchError) return { code: 'server_key_mismatch', message: err.message };
  if (err instanceof UntrustedTokenError) return { code: 'server_key_mismatch', message: err.message };
  if (err instanceof RevokedError) return { code: 'revoked', message: err.message };
  if (err instanceof ServerError) {
    const code = apiCodeForServer(err.code);
    const wait = code === 'account_locked' ? retryAfterSecondsOf(err.details) : undefined;
    return { code, message: err.message, ...(wait !== undefined ? { retryAfterSeconds: wait } : {}) };
  }
  if (err instanceof KeychainUnavailableError) return { code: 'keychain_unavailable', message: err.message };
  if (err instanceof DeviceKeyMissingError) return { code: 'vault_corrupt', message: err.message };
  if (isDiskFull(err)) return { code: 'disk_full', message: `the disk holding the vault is full; nothing was saved (${(err as Error).message})` };
  if (isVaultDamage(err)) return { code: 'vault_damaged', message: 'the vault is damaged; it is being repaired (unsent edits kept, the rest synced again)' };
  if (err instanceof VaultError) {
    if (err.code === 'keychain_key_missing') return { code: 'vault_key_missing', message: err.message };
    if (err.code === 'vault_corrupt') return { code: 'vault_corrupt', message: err.message };
    if (err.code === 'invalid_input') return { code: 'validation_failed', message: err.message };
    if (err.code === 'record_missing') return { code: 'not_found', message: err.message };
    if (err.code === 'import_failed') return { code: 'vault_import_failed', message: err.message };
  }
  // Unknown failures: a generic message (no internals, no record content, never a key).
  return { code: 'internal', message: 'an unexpected error occurred' };
}

/** A lock's remaining seconds as the server sent them (details.retryAfterSeconds), when well-formed. */
function retryAfterSecondsOf(details: unknown): number | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const value = (details as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 86_400 ? Math.ceil(value) : undefined;
}
