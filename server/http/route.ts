// Registers the routes of ROUTES (shared/protocol/routes.ts): one place validates input with the
// route's zod schemas, enforces its auth mode and turns refusals into error bodies.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { idSchema } from '../../shared/protocol/common';
import { ROUTES, type RouteName, type RouteResponse, type Routes } from '../../shared/protocol/routes';
import type { Principal, ServerContext } from '../context';
import { authenticateRequest } from './auth';
import { HttpError, validationError } from './errors';

export { authenticate } from './auth';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body bytes exactly as received: the device signature covers these, not re-serialised JSON. */
    rawBody?: Buffer;
  }
}

type BodyOf<R extends RouteName> = Routes[R] extends { body: z.ZodType } ? z.output<Routes[R]['body']> : undefined;
type QueryOf<R extends RouteName> = Routes[R] extends { query: z.ZodType } ? z.output<Routes[R]['query']> : undefined;
type PrincipalOf<R extends RouteName> = Routes[R]['auth'] extends 'none' ? null : Principal;

export interface RouteInput<R extends RouteName> {
  body: BodyOf<R>;
  query: QueryOf<R>;
  params: Record<string, string>;
  principal: PrincipalOf<R>;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteOptions {
  /** per-IP limit for this route (@fastify/rate-limit must be registered) */
  rateLimit?: { max: number; timeWindowMs: number };
  /** accept a correctly signed request from a revoked device (wipe confirmation only) */
  allowRevoked?: boolean;
}

/**
 * Accepts only JSON bodies and keeps their raw bytes. Everything else is 415; an empty JSON body
 * is treated as no body (routes without a body schema ignore it, routes with one reject it).
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')) as unknown);
    } catch {
      done(new HttpError(400, 'validation_failed', 'the body is not valid JSON'), undefined);
    }
  });
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query'): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

export function route<R extends RouteName>(
  app: FastifyInstance,
  ctx: ServerContext,
  name: R,
  handler: (input: RouteInput<R>) => Promise<RouteResponse<R>>,
  options: RouteOptions = {},
): void {
  const def = ROUTES[name] as Routes[RouteName];
  const bodySchema = 'body' in def ? (def.body as z.ZodType) : undefined;
  const querySchema = 'query' in def ? (def.query as z.ZodType) : undefined;
  app.route({
    method: def.method,
    url: def.path,
    ...(options.rateLimit
      ? { config: { rateLimit: { max: options.rateLimit.max, timeWindow: options.rateLimit.timeWindowMs } } }
      : {}),
    handler: async (request, reply) => {
      const params = (request.params ?? {}) as Record<string, string>;
      for (const [key, value] of Object.entries(params)) {
        const parsed = idSchema.safeParse(value);
        if (!parsed.success) {
          const message = `params.${key}: ${parsed.error.issues[0]?.message ?? 'invalid id'}`;
          throw new HttpError(400, 'validation_failed', message);
        }
      }
      // Authenticate before validating the body: an unauthenticated caller learns nothing of the schema.
      const principal = def.auth === 'none' ? null : await authenticateRequest(ctx, request, def.auth, { allowRevoked: options.allowRevoked ?? false });
      const body = bodySchema ? parseOrThrow(bodySchema, request.body, 'body') : undefined;
      const query = querySchema ? parseOrThrow(querySchema, request.query ?? {}, 'query') : undefined;
      const result = await handler({
        body: body as BodyOf<R>,
        query: query as QueryOf<R>,
        params,
        principal: principal as PrincipalOf<R>,
        request,
        reply,
      });
      return reply.send(result);
    },
  });
}
