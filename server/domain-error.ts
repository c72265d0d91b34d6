// Refusals raised by the server's domain services (admin, reviews, identity, devices, sync,
// ownership). They carry a protocol error code and say nothing about HTTP: the HTTP layer maps
// each code to a status once (server/http/errors.ts), and the CLI prints the message.

import type { ErrorCode } from '../shared/protocol/common';

/** The error codes a domain service may raise (each has exactly one HTTP status). */
export const DOMAIN_ERROR_CODES = [
  'validation_failed',
  'not_found',
  'forbidden',
  'conflict',
  'invalid_credentials',
  'account_locked',
  'mfa_invalid',
  'token_expired',
  'user_deactivated',
  'device_limit',
  'device_key_invalid',
  'wipe_not_allowed',
  'self_change',
  'own_request',
  'separation_of_duties',
  'provider_unavailable',
  'app_update_required',
] as const satisfies readonly ErrorCode[];

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

