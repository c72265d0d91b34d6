// What every server module receives: storage, keys, clock, audit and the event hub.
// CONTRACT between the server's parts (auth/admin, sync, events). Implementations live in
// server/db, server/keys, server/audit, server/events; server/app.ts assembles them.

import type { Kysely } from 'kysely';
import type { FastifyRequest } from 'fastify';
import type { Role, User } from '../shared/domain/model';
import type { ServerEvent } from '../shared/protocol/sync';
import type { Subject } from '../shared/permissions/engine';
import type { Database, DevicesTable } from './db/schema';

export type Dialect = 'sqlite' | 'postgres';

export interface ServerKeys {
  kid: string;
  publicJwk: Record<string, unknown>;
  /** Compact JWS (alg EdDSA) over `claims` with header typ `typ`. */
  sign(claims: Record<string, unknown>, typ: string): Promise<string>;
}

export interface AuditEntryInput {
  actorId: string | null;
  deviceId: string | null;
  action: string;
  target: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  details?: Record<string, unknown>;
  /** defaults to the server clock; offline reads uploaded later keep their original time */
  at?: number;
}

export interface AuditLog {
  append(entry: AuditEntryInput): Promise<void>;
}

/** Fan-out of server events to connected devices (SSE), across processes on PostgreSQL. */
export interface EventHub {
  publishToDevice(deviceId: string, event: ServerEvent): Promise<void>;
  publishToUser(userId: string, event: ServerEvent): Promise<void>;
  /** Each user its own event, as one fan-out (one cross-process message per batch, not per user). */
  publishToUsers(events: readonly { userId: string; event: ServerEvent }[]): Promise<void>;
  /** Everyone whose scope may include records owned by `ownerId` gets `data-changed`. */
  publishDataChanged(ownerIds: readonly string[]): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(deviceId: string, userId: string, listener: (event: ServerEvent) => void): () => void;
  close(): Promise<void>;
}

export interface ServerContext {
  db: Kysely<Database>;
  dialect: Dialect;
  keys: ServerKeys;
  /** epoch ms; injectable for tests */
  now(): number;
  audit: AuditLog;
  events: EventHub;
  /** record what each pull page sends in the exposure ledger (default on; the benchmark turns it off to compare) */
  exposureLedger?: boolean;
}

/** The authenticated caller of a `signed` or `token` route. Set by server/http/auth.ts. */
export interface Principal {
  user: User;
  role: Role;
  subject: Subject;
  device: DevicesTable;
}

export interface HttpErrorLike {
  statusCode: number;
  code: string;
  message: string;
}

/**
 * Route helpers (server/http/route.ts):
 *   route(app, ctx, name, handler) registers ROUTES[name]: validates body/query with its zod
 *   schemas (4xx with a clear message on failure), enforces its `auth` mode, and calls
 *   handler({ body, query, params, principal, request }). Throw DomainError(code, message)
 *   (server/domain-error.ts) for refusals; server/http/errors.ts maps the code to a status.
 *   authenticate(ctx, request, mode) is the same check for routes outside ROUTES (the SSE
 *   stream): resolves the Principal or throws HttpError (device_revoked errors carry a wipe
 *   directive in the response body).
 */
export type Authenticate = (ctx: ServerContext, request: FastifyRequest, mode: 'signed' | 'token') => Promise<Principal>;
