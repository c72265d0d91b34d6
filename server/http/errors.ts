// Refusals as values: every non-2xx response is { error: { code, message, details? }, wipe? }
// (errorBodySchema in shared/protocol/common.ts), produced by one error handler.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodError } from 'zod';
import type { ErrorBody, ErrorCode } from '../../shared/protocol/common';
import type { HttpErrorLike } from '../context';
import { DomainError, type DomainErrorCode } from '../domain-error';

export class HttpError extends Error implements HttpErrorLike {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: { details?: unknown; wipe?: string } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The one place a domain refusal becomes an HTTP status. */
export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorCode, number>> = {
  validation_failed: 400,
  device_key_invalid: 400,
  separation_of_duties: 400,
  invalid_credentials: 401,
  mfa_invalid: 401,
  token_expired: 401,
  forbidden: 403,
  user_deactivated: 403,
  self_change: 403,
  own_request: 403,
  not_found: 404,
  conflict: 409,
  device_limit: 409,
  wipe_not_allowed: 409,
  account_locked: 423,
  // the request depended on the identity provider, which failed (domain refusals stay 4xx)
  provider_unavailable: 424,
  // the client must update before it may check in or sync (body: details.minimum)
  app_update_required: 426,
};

export function fromDomainError(error: DomainError): HttpError {
  return new HttpError(DOMAIN_ERROR_STATUS[error.code], error.code, error.message,
    error.details !== undefined ? { details: error.details } : {});
}

/** A zod failure as a 400 naming each bad field ("body.tags.3: too long"). */
export function validationError(where: 'body' | 'query' | 'params', error: ZodError): HttpError {
  const issues = error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const message = issues.slice(0, 5).map((i) => `${i.field}: ${i.message}`).join('; ');
  return new HttpError(400, 'validation_failed', message || `${where} is invalid`, { details: issues });
}

function errorBody(code: ErrorCode, message: string, extra: { details?: unknown; wipe?: string } = {}): ErrorBody {
  const body: ErrorBody = { error: { code, message } };
  if (extra.details !== undefined) body.error.details = extra.details;
  if (extra.wipe !== undefined) body.wipe = extra.wipe;
  return body;
}

export function sendError(reply: FastifyReply, error: HttpError): FastifyReply {
  return reply.status(error.statusCode).send(errorBody(error.code, error.message, error.extra));
}

/** Maps Fastify's own errors (body too large, bad JSON, wrong content type, rate limit) to our codes. */
function fromFastifyError(err: FastifyError): HttpError | undefined {
  const status = err.statusCode ?? 0;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'payload_too_large', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(415, 'validation_failed', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'validation_failed', 'the body is not valid JSON');
  }
  if (status === 413) return new HttpError(413, 'payload_too_large', err.message);
  if (status === 415) return new HttpError(415, 'validation_failed', 'send the body as application/json');
  if (status === 429) return new HttpError(429, 'rate_limited', 'too many requests; try again later');
  if (status >= 400 && status < 500) return new HttpError(status, 'validation_failed', err.message);
  return undefined;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
  app.setErrorHandler((err: FastifyError | HttpError | DomainError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof HttpError) return sendError(reply, err);
    if (err instanceof DomainError) return sendError(reply, fromDomainError(err));
    const mapped = fromFastifyError(err);
    if (mapped) return sendError(reply, mapped);
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('internal', 'internal server error'));
  });
}
