// Typed failures of talking to the server. The app service maps them to ApiErrorCode.

import type { ErrorCode } from '../../../shared/protocol/common';
import type { WipeClaims } from '../../../shared/protocol/grant';
import type { ServerUrlRefusal } from '../../../shared/protocol/server-url';

/** The server could not be reached at all (network down, server stopped, DNS, TLS). */
export class ServerUnreachableError extends Error {
  readonly code = 'server_unreachable' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ServerUnreachableError';
  }
}

/**
 * The server address is not one the client may talk to (plain http to a non-loopback host, a
 * non-web scheme, credentials in the URL). Raised before any connection is opened.
 */
export class InsecureServerUrlError extends Error {
  readonly code = 'insecure_server_url' as const;
  constructor(readonly reason: ServerUrlRefusal) {
    super(`Refusing this server address (${reason}): use https://, or http:// only to this computer (127.0.0.1, localhost, [::1]).`);
    this.name = 'InsecureServerUrlError';
  }
}

/** The server answered with an error body (or a response that broke the contract). */
export class ServerError extends Error {
  constructor(
    readonly code: ErrorCode | 'bad_response',
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

/**
 * The server revoked this device or its user and sent a wipe directive that VERIFIED with the
 * pinned server key for this device. Only this error may lead to a crypto-shred.
 */
export class RevokedError extends Error {
  constructor(
    readonly claims: WipeClaims,
    readonly directive: string,
  ) {
    super(`This device's access was revoked (${claims.reason}).`);
    this.name = 'RevokedError';
  }
}

/** The server presents a different signing key than the one pinned at first enrollment. */
export class ServerKeyMismatchError extends Error {
  readonly code = 'server_key_mismatch' as const;
  constructor() {
    super('The server key differs from the key pinned at first enrollment; refusing to trust this server.');
    this.name = 'ServerKeyMismatchError';
  }
}

/** A grant or directive that does not verify with the pinned key (or is not for this device). */
export class UntrustedTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UntrustedTokenError';
  }
}
