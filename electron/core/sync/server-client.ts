// A typed client for the server's HTTP API, driven by the ROUTES table (shared/protocol/routes.ts).
// It signs every `signed`/`token` request with the device key (proof of possession), attaches
// the short-lived access token, refreshes it once on token_expired, validates every response
// with the route's schema and turns failures into typed errors.
//
// Wipe directives are verified here and only here (`verifiedRevocation`, used for error bodies
// and for the event stream's `revoked` events): a directive becomes a RevokedError only when it
// verifies with the PINNED server key for this device. Grants are NOT verified here: a check-in's
// grant goes to the check-in listener (the session's `acceptGrant`, the one door for grants).

import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import {
  SIGNATURE_HEADERS,
  canonicalRequest,
  errorBodySchema,
  type ErrorBody,
} from '../../../shared/protocol/common';
import { checkServerUrl } from '../../../shared/protocol/server-url';
import { ROUTES, updateRequiredDetailsSchema, type RouteBody, type RouteName, type RouteResponse, type UpdateRequiredDetails } from '../../../shared/protocol/routes';
import type { DeviceKey } from '../device-key';
import { hostFacts } from '../host-facts';
import { nextTurn } from '../next-turn';
import { InsecureServerUrlError, RevokedError, ServerError, ServerUnreachableError, UntrustedTokenError } from './errors';
import { verifyWipeDirective, type PinnedKey } from './tokens';

export interface DeviceIdentity {
  deviceId: string;
  key: DeviceKey;
  /** The server key pinned at first enrollment (JWK). */
  pinnedKey: PinnedKey;
}

export interface ServerClientOptions {
  baseUrl: string;
  appVersion: string;
  fetch?: typeof fetch;
  /** Absent before enrollment: only `auth: 'none'` routes can be called. */
  identity?: DeviceIdentity;
}

/** Receives the grant of every check-in (unverified: the listener verifies it, and throws if it does not). */
export type CheckInListener = (grantJws: string) => Promise<void>;

/** Told when the server refuses this app's version (426 app_update_required, from any call). */
export type UpdateRequiredListener = (details: UpdateRequiredDetails) => void;

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

/** A signed request prepared now and sent later (wipe confirmation outlives the device key). */
export interface PreparedRequest {
  /** the exact request, so it can be stored and sent by a later process (see wipe/wipe-confirmation.ts) */
  signed: SignedRequest;
  send(): Promise<void>;
}

export interface SignedRequest {
  url: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  headers: Record<string, string>;
  body: string;
}

const REFRESH_MARGIN_MS = 30_000;

export class ServerClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private identity: DeviceIdentity | undefined;
  private accessToken: { token: string; expiresAt: number } | null = null;
  private refreshing: Promise<void> | null = null;
  private checkInListener: CheckInListener | null = null;
  private updateRequiredListener: UpdateRequiredListener | null = null;
  /** The server's clock (HTTP Date header, 1 s resolution) at the last response, if any. */
  lastServerDate: number | null = null;

  constructor(private readonly options: ServerClientOptions) {
    // Every request of the client (sign-in, enrollment, key pinning, sync, admin) goes through
    // a ServerClient: refusing an insecure address here means nothing is ever sent to it.
    const checked = checkServerUrl(options.baseUrl);
    if (!checked.ok) throw new InsecureServerUrlError(checked.reason);
    this.baseUrl = checked.url;
    this.fetchImpl = options.fetch ?? fetch;
    this.identity = options.identity;
  }

  /** Where the grants of check-ins go (the session: verify, store, trusted time, lease). */
  setCheckInListener(listener: CheckInListener): void {
    this.checkInListener = listener;
  }

  /** Where the server's refusals of this app's version go (the session: lock until updated). */
  setUpdateRequiredListener(listener: UpdateRequiredListener): void {
    this.updateRequiredListener = listener;
  }

  setIdentity(identity: DeviceIdentity): void {
    this.identity = identity;
  }

  /** Seed the access token received at enrollment. */
  setAccessToken(token: string, expiresAt: number): void {
    this.accessToken = { token, expiresAt };
  }

  get deviceId(): string | null {
    return this.identity?.deviceId ?? null;
  }

  /** Call a route. Resolves with the schema-validated response or rejects with a typed error. */
  async call<R extends RouteName>(name: R, body?: RouteBody<R>, opts: CallOptions = {}): Promise<RouteResponse<R>> {
    const route = ROUTES[name];
    if (route.auth === 'token') await this.ensureAccessToken();
    try {
      return await this.callOnce(name, body, opts);
    } catch (err) {
      // The token may expire between our check and the server's: refresh and retry once.
      if (route.auth === 'token' && err instanceof ServerError && err.code === 'token_expired') {
        this.accessToken = null;
        await this.ensureAccessToken();
        return await this.callOnce(name, body, opts);
      }
      throw err;
    }
  }

  /**
   * Check in: a fresh access token and grant. The grant goes to the check-in listener (the
   * session) first; the token is used only once the listener accepted the grant (a grant that
   * does not verify fails the check-in).
   */
  async refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        const res = await this.callOnce('refresh', { appVersion: this.options.appVersion, ...hostFacts() }, {});
        this.requireIdentity();
        // Without a listener (no session) the grant is not used at all: nothing stores or trusts it.
        await this.checkInListener?.(res.grant);
        this.accessToken = { token: res.accessToken, expiresAt: res.accessExpiresAt };
      })().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /**
   * Sign a request now and send it later. Used for the wipe confirmation: the signature must be
   * made while the device key still exists, the request is sent after the shred.
   */
  prepareSigned<R extends RouteName>(name: R, body: RouteBody<R>): PreparedRequest {
    const route = ROUTES[name];
    const bytes = body === undefined ? '' : JSON.stringify(body);
    const headers = this.signatureHeaders(route.method, route.path, bytes);
    if (bytes) headers['content-type'] = 'application/json';
    return {
      signed: { url: this.baseUrl + route.path, method: route.method, headers: { ...headers }, body: bytes },
      send: async () => {
        const res = await this.rawFetch(this.baseUrl + route.path, { method: route.method, headers, body: bytes || undefined });
        if (!res.ok) await this.throwForResponse(res);
      },
    };
  }

  /**
   * Open a long-lived GET with signed + token headers (the SSE event stream). Returns the
   * response when 2xx; error responses become typed errors like any call (incl. RevokedError).
   */
  async openStream(path: string, signal: AbortSignal): Promise<Response> {
    await this.ensureAccessToken();
    const attempt = async () => {
      const headers = this.signatureHeaders('GET', path, '');
      headers.authorization = `Bearer ${this.accessToken?.token ?? ''}`;
      headers.accept = 'text/event-stream';
      const res = await this.rawFetch(this.baseUrl + path, { method: 'GET', headers, signal });
      if (!res.ok) await this.throwForResponse(res);
      return res;
    };
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof ServerError && err.code === 'token_expired') {
        this.accessToken = null;
        await this.ensureAccessToken();
        return await attempt();
      }
      throw err;
    }
  }

  /**
   * The one wipe-directive check of the client: a RevokedError when `directive` verifies with the
   * pinned server key for this device, null otherwise. An unverifiable directive is ignored: a
   * forged wipe must never wipe.
   */
  async verifiedRevocation(directive: string): Promise<RevokedError | null> {
    if (!this.identity) return null;
    try {
      const claims = await verifyWipeDirective(directive, this.identity.pinnedKey, this.identity.deviceId);
      return new RevokedError(claims, directive);
    } catch (err) {
      if (err instanceof UntrustedTokenError) return null;
      throw err;
    }
  }

  // ---- internals ---------------------------------------------------------------------------

  private async ensureAccessToken(): Promise<void> {
    if (this.accessToken && this.accessToken.expiresAt - REFRESH_MARGIN_MS > Date.now()) return;
    await this.refresh();
  }

  private requireIdentity(): DeviceIdentity {
    if (!this.identity) throw new ServerError('unauthorized', 0, 'this device is not enrolled');
    return this.identity;
  }

  private async callOnce<R extends RouteName>(name: R, body: RouteBody<R> | undefined, opts: CallOptions): Promise<RouteResponse<R>> {
    const route = ROUTES[name];
    let path: string = route.path.replace(/:([A-Za-z]+)/g, (_m, key: string) => {
      const value = opts.params?.[key];
      if (value === undefined) throw new ServerError('validation_failed', 0, `missing path parameter ${key} for ${name}`);
      return encodeURIComponent(value);
    });
    if (opts.query) {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) if (v !== undefined) search.set(k, String(v));
      const qs = search.toString();
      if (qs) path += `?${qs}`;
    }
    // Sign exactly the bytes that go on the wire.
    const bytes = 'body' in route && body !== undefined ? JSON.stringify(body) : '';
    const headers: Record<string, string> = route.auth === 'none' ? {} : this.signatureHeaders(route.method, path, bytes);
    if (bytes) headers['content-type'] = 'application/json';
    if (route.auth === 'token') headers.authorization = `Bearer ${this.accessToken?.token ?? ''}`;
    const res = await this.rawFetch(this.baseUrl + path, {
      method: route.method,
      headers,
      body: bytes || undefined,
      signal: opts.signal,
    });
    if (!res.ok) await this.throwForResponse(res);
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new ServerError('bad_response', res.status, `${name}: the server's answer is not JSON`);
    }
    await nextTurn(); // parsing and validating a large answer are two long steps, not one
    const parsed = (route.response as z.ZodType).safeParse(json);
    if (!parsed.success) {
      throw new ServerError('bad_response', res.status, `${name}: the server's answer does not match the protocol: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    return parsed.data as RouteResponse<R>;
  }

  private signatureHeaders(method: string, pathWithQuery: string, bytes: string): Record<string, string> {
    const identity = this.requireIdentity();
    const timestamp = String(Date.now());
    const nonce = randomBytes(16).toString('base64url');
    const message = canonicalRequest({
      method,
      pathWithQuery,
      bodySha256Hex: createHash('sha256').update(bytes, 'utf8').digest('hex'),
      timestamp,
      nonce,
      deviceId: identity.deviceId,
    });
    return {
      [SIGNATURE_HEADERS.device]: identity.deviceId,
      [SIGNATURE_HEADERS.timestamp]: timestamp,
      [SIGNATURE_HEADERS.nonce]: nonce,
      [SIGNATURE_HEADERS.signature]: identity.key.sign(message),
    };
  }

  private async rawFetch(url: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(url, init);
    } catch (err) {
      if (init.signal?.aborted) throw err;
      throw new ServerUnreachableError(`cannot reach ${this.baseUrl}: ${(err as Error).message}${process.env.SV_DEBUG_FETCH ? ` (${String((err as { cause?: unknown }).cause)})` : ''}`);
    }
    const date = Date.parse(res.headers.get('date') ?? '');
    if (Number.isFinite(date)) this.lastServerDate = date;
    return res;
  }

  /** Map an error response to a typed error; a VERIFIED wipe directive becomes RevokedError. */
  private async throwForResponse(res: Response): Promise<never> {
    let body: ErrorBody | null = null;
    try {
      const parsed = errorBodySchema.safeParse(await res.json());
      if (parsed.success) body = parsed.data;
    } catch {
      // not JSON: fall through to a generic error
    }
    if (body?.wipe) {
      const revoked = await this.verifiedRevocation(body.wipe);
      if (revoked) throw revoked;
    }
    if (body?.error.code === 'app_update_required') {
      const details = updateRequiredDetailsSchema.safeParse(body.error.details);
      if (details.success) this.updateRequiredListener?.(details.data);
    }
    if (body) throw new ServerError(body.error.code, res.status, body.error.message, body.error.details);
    if (res.status === 429) throw new ServerError('rate_limited', res.status, 'too many requests');
    throw new ServerError('bad_response', res.status, `unexpected HTTP ${res.status} from the server`);
  }
}
