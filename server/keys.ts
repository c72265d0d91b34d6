// The server's Ed25519 signing key: generated once, persisted in the `meta` table, and loaded by
// every server process (several processes on one PostgreSQL must sign with the same key, or
// clients that pinned it would refuse grants from the others). Its public JWK is served at
// GET /v1/server-key and pinned by the client at first enrollment.

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, jwtVerify, errors as joseErrors, type JWK, type JWTPayload } from 'jose';
import type { Kysely } from 'kysely';
import { ISSUER } from '../shared/protocol/grant';
import type { ServerKeys } from './context';
import type { Database } from './db/schema';

const META_KEY = 'server_signing_key';

interface StoredKey {
  kid: string;
  privateJwk: JWK;
}


export class TokenInvalidError extends Error {}
export class TokenExpiredError extends Error {}

export async function loadOrCreateServerKeys(db: Kysely<Database>): Promise<ServerKeys> {
  let stored = await readStoredKey(db);
  if (!stored) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(publicJwkOf(privateJwk));
    // Two processes starting at once may both generate: the first insert wins, both re-read it.
    await db
      .insertInto('meta')
      .values({ key: META_KEY, value: JSON.stringify({ kid, privateJwk } satisfies StoredKey) })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    stored = await readStoredKey(db);
    if (!stored) throw new Error('server key could not be stored in the meta table');
  }
  return keyPairFrom(stored);
}

/** The stored server key, or undefined when none was created yet (never creates one). */
export async function loadServerKeys(db: Kysely<Database>): Promise<ServerKeys | undefined> {
  const stored = await readStoredKey(db);
  return stored ? keyPairFrom(stored) : undefined;
}

async function readStoredKey(db: Kysely<Database>): Promise<StoredKey | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', META_KEY).executeTakeFirst();
  return row ? (JSON.parse(row.value) as StoredKey) : undefined;
}

function publicJwkOf(privateJwk: JWK): JWK {
  return { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x };
}

function keyPairFrom(stored: StoredKey): ServerKeys {
  const privateKey = createPrivateKey({ key: stored.privateJwk as never, format: 'jwk' });
  const publicJwk = { ...publicJwkOf(stored.privateJwk), kid: stored.kid, alg: 'EdDSA', use: 'sig' };
  return {
    kid: stored.kid,
    publicJwk,
    async sign(claims, typ) {
      return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ, kid: stored.kid }).sign(privateKey);
    },
  };
}

const verificationKeys = new Map<string, KeyObject>();

// Tokens whose signature, type and issuer were verified, by kid + typ + token: a signature
// check costs about as much as the rest of a delta sync, and a token is presented on every
// request. Time claims are still judged against `now` on every use (see verifyServerToken).
const verifiedTokens = new Map<string, JWTPayload>();
const VERIFIED_TOKENS_MAX = 20_000;

/**
 * Verifies a JWS issued by this server (header typ `typ`) at `nowMs` on the server clock.
 * Throws TokenExpiredError when only the expiry is wrong, TokenInvalidError otherwise.
 */
export async function verifyServerToken(keys: ServerKeys, token: string, typ: string, nowMs: number): Promise<JWTPayload> {
  const cacheKey = `${keys.kid}\n${typ}\n${token}`;
  const known = verifiedTokens.get(cacheKey);
  const nowS = Math.floor(nowMs / 1000);
  if (known && (typeof known.nbf !== 'number' || known.nbf <= nowS)) {
    // Same rule as jose's (no clock tolerance): expired once exp <= now.
    if (typeof known.exp === 'number' && known.exp <= nowS) throw new TokenExpiredError('token expired');
    return known;
  }
  const payload = await verifyServerTokenSignature(keys, token, typ, nowMs);
  if (verifiedTokens.size >= VERIFIED_TOKENS_MAX) verifiedTokens.clear();
  verifiedTokens.set(cacheKey, payload);
  return payload;
}

async function verifyServerTokenSignature(keys: ServerKeys, token: string, typ: string, nowMs: number): Promise<JWTPayload> {
  let publicKey = verificationKeys.get(keys.kid);
  if (!publicKey) {
    publicKey = createPublicKey({ key: keys.publicJwk as never, format: 'jwk' });
    verificationKeys.set(keys.kid, publicKey);
  }
  try {
    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: ['EdDSA'],
      typ,
      issuer: ISSUER,
      currentDate: new Date(nowMs),
    });
    return payload;
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new TokenExpiredError('token expired');
    throw new TokenInvalidError('token invalid');
  }
}
