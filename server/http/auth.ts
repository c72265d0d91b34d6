// Zero-trust request authentication: nothing is trusted for being earlier authenticated. Every
// request after enrollment is signed by the device key over canonicalRequest(...) (a stolen
// access token without the device key is useless), and `token` routes also carry a short-lived
// access token bound to that device. Device status is read from storage on every request; user
// status and the current role come from the permission scope cache, which re-checks the scope
// epoch on every request (server/org/permission-scope.ts), so a revocation takes effect on the
// very next request. Whether the device is revoked, and its wipe directive, is decided by
// server/devices/revocation.ts.

import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { canonicalRequest, SIGNATURE_HEADERS, SIGNATURE_MAX_SKEW_MS } from '../../shared/protocol/common';
import { ACCESS_TYP } from '../../shared/protocol/grant';
import type { Authenticate, Principal, ServerContext } from '../context';
import { createBatcher } from '../db/batcher';
import { revocationOf } from '../devices/revocation';
import { TokenExpiredError, verifyServerToken } from '../keys';
import type { Selectable } from 'kysely';
import type { DevicesTable } from '../db/schema';
import { SCOPE_EPOCH_KEY } from '../db/migrations/0004_sync_performance';
import { currentSubject, readScopeEpoch } from '../org/permission-scope';
import { HttpError } from './errors';

const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const TIMESTAMP_PATTERN = /^\d{1,16}$/;
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{86}$/;
// Expired nonces are purged at most this often per process (a delete per request would be waste).
const NONCE_PURGE_INTERVAL_MS = 60_000;
const lastNoncePurge = new WeakMap<ServerContext, number>();
// Public keys are immutable per device; parsing them once saves work on every request.
const publicKeyCache = new Map<string, KeyObject>();

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function devicePublicKey(rawBase64Url: string): KeyObject | undefined {
  let key = publicKeyCache.get(rawBase64Url);
  if (!key) {
    try {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: rawBase64Url }, format: 'jwk' });
    } catch {
      return undefined;
    }
    if (publicKeyCache.size > 10_000) publicKeyCache.clear();
    publicKeyCache.set(rawBase64Url, key);
  }
  return key;
}

export const authenticate: Authenticate = (ctx, request, mode) => authenticateRequest(ctx, request, mode);

/**
 * `allowRevoked`: let a revoked device (or a deactivated user's device) through with a valid
 * signature — only for the wipe confirmation, which such a device must still be able to send.
 */
export async function authenticateRequest(
  ctx: ServerContext,
  request: FastifyRequest,
  mode: 'signed' | 'token',
  options: { allowRevoked?: boolean } = {},
): Promise<Principal> {
  const deviceId = header(request, SIGNATURE_HEADERS.device);
  const timestamp = header(request, SIGNATURE_HEADERS.timestamp);
  const nonce = header(request, SIGNATURE_HEADERS.nonce);
  const signature = header(request, SIGNATURE_HEADERS.signature);
  if (!deviceId || !timestamp || !nonce || !signature) {
    throw new HttpError(401, 'unauthorized', 'this request must be signed by an enrolled device');
  }
  if (deviceId.length > 64 || !TIMESTAMP_PATTERN.test(timestamp) || !NONCE_PATTERN.test(nonce) || !SIGNATURE_PATTERN.test(signature)) {
    throw new HttpError(401, 'signature_invalid', 'malformed signature headers');
  }

  const { device, scopeEpoch } = await deviceReader(ctx)(deviceId);
  if (!device) throw new HttpError(401, 'unknown_device', 'this device is not enrolled');

  const publicKey = devicePublicKey(device.public_key);
  const signed = canonicalRequest({
    method: request.method,
    pathWithQuery: request.url,
    bodySha256Hex: sha256Hex(request.rawBody ?? ''),
    timestamp,
    nonce,
    deviceId,
  });
  if (!publicKey || !verifySignature(null, Buffer.from(signed), publicKey, Buffer.from(signature, 'base64url'))) {
    throw new HttpError(401, 'signature_invalid', 'the request signature does not match this device key');
  }

  const now = ctx.now();
  // A revoked device's wipe confirmation is signed before its key is destroyed and may be sent
  // at a later start (after a kill or while offline): on the routes a revoked device may call,
  // an old timestamp is accepted; a timestamp from the future never is. Replaying such a request
  // changes nothing (the first accepted confirmation is kept, and it counts only after the
  // revocation: devices/revocation.ts).
  const skew = now - Number(timestamp);
  if (options.allowRevoked ? skew < -SIGNATURE_MAX_SKEW_MS : Math.abs(skew) > SIGNATURE_MAX_SKEW_MS) {
    throw new HttpError(401, 'stale_timestamp', 'the request timestamp is too far from the server clock');
  }
  await rememberNonce(ctx, deviceId, nonce, now);

  const subject = await currentSubject(ctx.db, device.user_id, scopeEpoch);
  if (!subject) throw new HttpError(401, 'unknown_device', 'this device has no user');
  if (options.allowRevoked) return { user: subject.user, role: subject.role, subject, device };

  const revocation = await revocationOf(ctx, device, subject.user);
  if (revocation) throw new HttpError(403, revocation.reason, revocation.message, { wipe: revocation.directive });

  if (mode === 'token') await checkAccessToken(ctx, request, device.id, device.user_id, now);
  return { user: subject.user, role: subject.role, subject, device };
}

interface DeviceRead {
  device: Selectable<DevicesTable> | undefined;
  /** meta.scope_epoch, read in the same statement (permission-scope.ts re-checks its cache with it) */
  scopeEpoch: string;
}

// Device rows are read fresh on every request (status is never cached), together with the scope
// epoch, and concurrent requests share the statement: N requests arriving together cost one round
// trip (and one pooled connection) instead of 2N. A request never sees a row older than its own
// arrival: the batch carrying it starts after it was queued.
const deviceReaders = new WeakMap<ServerContext, (deviceId: string) => Promise<DeviceRead>>();

function deviceReader(ctx: ServerContext): (deviceId: string) => Promise<DeviceRead> {
  let read = deviceReaders.get(ctx);
  if (!read) {
    read = createBatcher(async (ids: readonly string[]) => {
      const rows = await ctx.db
        .selectFrom('devices')
        .selectAll('devices')
        .select((eb) => eb.selectFrom('meta').select('value').where('key', '=', SCOPE_EPOCH_KEY).as('sv_scope_epoch'))
        .where('id', 'in', [...new Set(ids)])
        .execute();
      // Unknown ids only: the epoch still has to be read (in the same statement when any row exists).
      const epoch = rows[0]?.sv_scope_epoch ?? await readScopeEpoch(ctx.db);
      if (epoch === null) throw new Error('meta.scope_epoch is missing: the database is not migrated to 0004');
      const byId = new Map(rows.map(({ sv_scope_epoch: _, ...device }) => [device.id, device]));
      return ids.map((id) => ({ device: byId.get(id), scopeEpoch: epoch }));
    });
    deviceReaders.set(ctx, read);
  }
  return read;
}

interface NonceUse {
  deviceId: string;
  nonce: string;
  expiresAt: number;
}

// Group commit of nonce inserts, per server context: concurrent requests share one INSERT.
const nonceWriters = new WeakMap<ServerContext, (use: NonceUse) => Promise<boolean>>();

function nonceWriter(ctx: ServerContext): (use: NonceUse) => Promise<boolean> {
  let write = nonceWriters.get(ctx);
  if (!write) {
    write = createBatcher(async (uses: readonly NonceUse[]) => {
      // The same nonce twice in one batch: only its first use may pass.
      const firstUse = new Map<string, NonceUse>();
      for (const use of uses) if (!firstUse.has(nonceKey(use))) firstUse.set(nonceKey(use), use);
      const inserted = await ctx.db
        .insertInto('used_nonces')
        .values([...firstUse.values()].map((u) => ({ device_id: u.deviceId, nonce: u.nonce, expires_at: u.expiresAt })))
        .onConflict((oc) => oc.columns(['device_id', 'nonce']).doNothing())
        .returning(['device_id', 'nonce'])
        .execute();
      const fresh = new Set(inserted.map((r) => nonceKey({ deviceId: r.device_id, nonce: r.nonce })));
      return uses.map((use) => firstUse.get(nonceKey(use)) === use && fresh.has(nonceKey(use)));
    });
    nonceWriters.set(ctx, write);
  }
  return write;
}

function nonceKey(use: Pick<NonceUse, 'deviceId' | 'nonce'>): string {
  return `${use.deviceId}\n${use.nonce}`;
}

async function rememberNonce(ctx: ServerContext, deviceId: string, nonce: string, now: number): Promise<void> {
  if (now - (lastNoncePurge.get(ctx) ?? 0) > NONCE_PURGE_INTERVAL_MS) {
    lastNoncePurge.set(ctx, now);
    await ctx.db.deleteFrom('used_nonces').where('expires_at', '<', now).execute();
  }
  // A nonce must be remembered as long as a request carrying it could still pass the skew check.
  const fresh = await nonceWriter(ctx)({ deviceId, nonce, expiresAt: now + 2 * SIGNATURE_MAX_SKEW_MS });
  if (!fresh) {
    throw new HttpError(401, 'replayed_request', 'this request was already received (nonce reused)');
  }
}

async function checkAccessToken(ctx: ServerContext, request: FastifyRequest, deviceId: string, userId: string, now: number) {
  const authorization = header(request, 'authorization');
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
  if (!token) throw new HttpError(401, 'unauthorized', 'an access token is required (Authorization: Bearer …)');
  let claims;
  try {
    claims = await verifyServerToken(ctx.keys, token, ACCESS_TYP, now);
  } catch (err) {
    if (err instanceof TokenExpiredError) throw new HttpError(401, 'token_expired', 'the access token has expired; refresh it');
    throw new HttpError(401, 'unauthorized', 'the access token is invalid');
  }
  if (claims.did !== deviceId || claims.sub !== userId) {
    throw new HttpError(401, 'unauthorized', 'the access token belongs to another device');
  }
}
