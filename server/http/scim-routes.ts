// The SCIM 2.0 service at /scim/v2 (the protocol and resources live in server/scim), in its own
// Fastify scope: SCIM's media type
// (application/scim+json), SCIM's error body for every refusal (never the API's), and a bearer
// token per identity provider (only its SHA-256 is stored; a revoked or rotated token is 401).
// Each provider sees and changes only the users and groups it provisioned.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Selectable } from 'kysely';
import type { ServerContext } from '../context';
import { DomainError } from '../domain-error';
import { DOMAIN_ERROR_STATUS, HttpError } from './errors';
import { SCIM_BASE_PATH, scimTokenDigest } from '../sso/providers';
import { identityDb, type IdentityProvidersTable } from '../sso/tables';
import { resourceTypes, schemas, serviceProviderConfig } from '../scim/discovery';
import { createScimGroup, deleteScimGroup, findGroup, groupResource, listGroups, patchScimGroup, replaceScimGroup } from '../scim/groups';
import { listResponse, pagination, parseEqFilter, parsePatch, ScimError, scimErrorBody } from '../scim/protocol';
import { createScimUser, deleteScimUser, findUser, listUsers, patchScimUser, replaceScimUser, userResource } from '../scim/users';

type Provider = Selectable<IdentityProvidersTable>;
const MEDIA_TYPE = 'application/scim+json';

declare module 'fastify' {
  interface FastifyRequest {
    scimProvider?: Provider;
  }
}

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${SCIM_BASE_PATH}`;
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).header('content-type', `${MEDIA_TYPE}; charset=utf-8`).send(JSON.stringify(body));
}

async function authenticate(ctx: ServerContext, request: FastifyRequest): Promise<Provider> {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S{20,512})$/i.exec(header);
  if (!match) throw new ScimError(401, 'a bearer token is required');
  const row = await identityDb(ctx.db).selectFrom('scim_tokens')
    .innerJoin('identity_providers', 'identity_providers.id', 'scim_tokens.provider_id')
    .selectAll('identity_providers')
    .where('scim_tokens.token_hash', '=', scimTokenDigest(match[1]!))
    .where('scim_tokens.revoked_at', 'is', null)
    .where('identity_providers.enabled', '=', 1)
    .executeTakeFirst();
  if (!row) {
    await ctx.audit.append({
      actorId: null, deviceId: null, action: 'scim.auth', target: null, outcome: 'denied',
      details: { reason: 'unknown_or_revoked_token', ip: request.ip },
    });
    throw new ScimError(401, 'the bearer token is not valid (unknown, rotated or revoked)');
  }
  return row;
}

export function registerScimRoutes(app: FastifyInstance, ctx: ServerContext): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser(MEDIA_TYPE, { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
      if (body.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(body.toString('utf8')) as unknown);
      } catch {
        done(new ScimError(400, 'the body is not valid JSON', 'invalidSyntax'), undefined);
      }
    });
    scope.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
      if (err instanceof ScimError) return send(reply, err.status, scimErrorBody(err.status, err.message, err.scimType));
      if (err instanceof DomainError) {
        const status = DOMAIN_ERROR_STATUS[err.code] >= 500 ? 400 : DOMAIN_ERROR_STATUS[err.code];
        return send(reply, status, scimErrorBody(status, err.message, status === 400 ? 'invalidValue' : status === 409 ? 'uniqueness' : undefined));
      }
      if (err instanceof HttpError) {
        const status = err.statusCode >= 500 ? 400 : err.statusCode;
        return send(reply, status, scimErrorBody(status, err.message, status === 400 ? 'invalidSyntax' : undefined));
      }
      const status = err.statusCode ?? 500;
      if (status === 413) return send(reply, 413, scimErrorBody(413, 'the request body is too large', 'tooMany'));
      if (status >= 400 && status < 500) return send(reply, status, scimErrorBody(status, err.message, status === 400 ? 'invalidSyntax' : undefined));
      request.log.error({ err }, 'scim: unhandled error');
      return send(reply, 500, scimErrorBody(500, 'internal server error'));
    });
    scope.setNotFoundHandler((request, reply) => send(reply, 404, scimErrorBody(404, `no SCIM endpoint ${request.method} ${request.url.split('?')[0]}`)));
    scope.addHook('preHandler', async (request) => {
      request.scimProvider = await authenticate(ctx, request);
    });

    const provider = (request: FastifyRequest) => request.scimProvider!;
    const id = (request: FastifyRequest) => {
      const value = (request.params as { id?: string }).id ?? '';
      if (value.length === 0 || value.length > 64) throw new ScimError(404, 'no such resource');
      return value;
    };
    const query = (request: FastifyRequest) => (request.query ?? {}) as Record<string, unknown>;
    const excludesMembers = (request: FastifyRequest) => String(query(request).excludedAttributes ?? '').toLowerCase().split(',').includes('members');

    // ---- discovery
    scope.get('/ServiceProviderConfig', async (request, reply) => send(reply, 200, serviceProviderConfig(baseUrl(request))));
    scope.get('/ResourceTypes', async (request, reply) => {
      const list = resourceTypes(baseUrl(request));
      return send(reply, 200, listResponse(list, list.length, 1));
    });
    scope.get('/Schemas', async (request, reply) => {
      const list = schemas(baseUrl(request));
      return send(reply, 200, listResponse(list, list.length, 1));
    });

    // ---- users
    const userOut = async (request: FastifyRequest, userId: string) =>
      userResource(ctx, await findUser(ctx, provider(request), userId), `${baseUrl(request)}/Users/${userId}`);
    scope.get('/Users', async (request, reply) => {
      const page = pagination(query(request));
      const filter = parseEqFilter(query(request).filter, ['userName', 'externalId']);
      const { rows, total } = await listUsers(ctx, provider(request), filter, page);
      const resources = await Promise.all(rows.map((r) => userResource(ctx, r, `${baseUrl(request)}/Users/${r.id}`)));
      return send(reply, 200, listResponse(resources, total, page.startIndex));
    });
    scope.get('/Users/:id', async (request, reply) => send(reply, 200, await userOut(request, id(request))));
    scope.post('/Users', async (request, reply) => {
      const userId = await createScimUser(ctx, provider(request), request.body);
      return send(reply, 201, await userOut(request, userId));
    });
    scope.put('/Users/:id', async (request, reply) => {
      await replaceScimUser(ctx, provider(request), id(request), request.body);
      return send(reply, 200, await userOut(request, id(request)));
    });
    scope.patch('/Users/:id', async (request, reply) => {
      await patchScimUser(ctx, provider(request), id(request), parsePatch(request.body));
      return send(reply, 200, await userOut(request, id(request)));
    });
    scope.delete('/Users/:id', async (request, reply) => {
      await deleteScimUser(ctx, provider(request), id(request));
      return reply.status(204).send();
    });

    // ---- groups
    const groupOut = async (request: FastifyRequest, groupId: string) =>
      groupResource(ctx, await findGroup(ctx, provider(request), groupId), `${baseUrl(request)}/Groups/${groupId}`, !excludesMembers(request));
    scope.get('/Groups', async (request, reply) => {
      const page = pagination(query(request));
      const filter = parseEqFilter(query(request).filter, ['displayName', 'externalId']);
      const { rows, total } = await listGroups(ctx, provider(request), filter, page);
      const resources = await Promise.all(rows.map((g) => groupResource(ctx, g, `${baseUrl(request)}/Groups/${g.id}`, !excludesMembers(request))));
      return send(reply, 200, listResponse(resources, total, page.startIndex));
    });
    scope.get('/Groups/:id', async (request, reply) => send(reply, 200, await groupOut(request, id(request))));
    scope.post('/Groups', async (request, reply) => {
      const groupId = await createScimGroup(ctx, provider(request), request.body);
      return send(reply, 201, await groupOut(request, groupId));
    });
    scope.put('/Groups/:id', async (request, reply) => {
      await replaceScimGroup(ctx, provider(request), id(request), request.body);
      return send(reply, 200, await groupOut(request, id(request)));
    });
    scope.patch('/Groups/:id', async (request, reply) => {
      await patchScimGroup(ctx, provider(request), id(request), parsePatch(request.body));
      // Entra accepts 204 for a group PATCH; a body is equally valid and lets a client see the result.
      return send(reply, 200, await groupOut(request, id(request)));
    });
    scope.delete('/Groups/:id', async (request, reply) => {
      await deleteScimGroup(ctx, provider(request), id(request));
      return reply.status(204).send();
    });
  }, { prefix: SCIM_BASE_PATH });
}
