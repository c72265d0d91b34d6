// The desktop API handlers (shared/api/desktop-api.ts): one implementation used by Electron main
// over IPC and by the browser harness over local HTTP. Plain Node, never `electron`.
//
// Every method validates its input with desktopInputs[method] and returns a Result (never
// throws). The service owns the vault's lifecycle: open at start, lock on lease expiry,
// crypto-shred on revocation or after the wipe-after period, and the sync engine + event stream
// while a vault is open.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { z } from 'zod';
import {
  desktopInputs,
  DESKTOP_METHODS,
  type ApiError,
  type ApiErrorCode,
  type AppState,
  type AppStateReason,
  type CustomerDetail,
  type DesktopApi,
  type DesktopMethod,
  type DesktopOutputs,
  type Locale,
  type Result,
  type SessionUser,
} from '../../shared/api/desktop-api';
import { ENTITY_TYPES, type Action, type EntityType } from '../../shared/domain/model';
import type { GrantClaims } from '../../shared/protocol/grant';
import type { AuditEntryView } from '../../shared/protocol/routes';
import type { Mutation } from '../../shared/protocol/sync';
import type { Clock, SecretStore, StateListener, VaultStore } from './contracts';
import { DeviceKey, DeviceKeyMissingError } from './device-key';
import { KeychainUnavailableError } from './keychain';
import { CLOCK_ROLLBACK_TOLERANCE_MS, evaluateLease, LeaseWatcher } from './lease';
import { beginSignIn, completeEnrollment, type PendingSignIn } from './sync/enroll';
import { SyncEngine, type SyncTestHooks } from './sync/engine';
import { RevokedError, ServerError, ServerKeyMismatchError, ServerUnreachableError, UntrustedTokenError } from './sync/errors';
import { EventStream } from './sync/events';
import { authorizeAction, authorizeLocalEdit, writableFieldsFor, type EditTarget } from './local-authz';
import { LocalSettingsFile } from './sync/local-settings';
import { alertAndReviewHandlers } from './admin-reviews';
import { ssoHandlers } from './sso/handlers';
import type { OpenExternal } from './sso/oidc-flow';
import { ServerClient } from './sync/server-client';
import { verifyGrant, type PinnedKey } from './sync/tokens';
import { Vault } from './vault';
import { VaultError } from './vault/errors';
import { cryptoShred, resumeInterruptedWipe } from './wipe';

export type AppService = DesktopApi & { close(): Promise<void> };

export interface AppServiceOptions {
  dataDir: string;
  secrets: SecretStore;
  appVersion: string;
  clock?: Clock;
  defaultServerUrl?: string;
  fetch?: typeof fetch;
  /** Sync cadence while a vault is open (default 60 s). */
  syncIntervalMs?: number;
  /** Crash-test pause points (tests only). */
  syncHooks?: SyncTestHooks;
  /** Records per pull page (tests use small pages to stop mid-pull). */
  pullPageSize?: number;
  /** Event-stream reconnect backoff floor (tests shorten it). */
  eventsMinBackoffMs?: number;
  /** Opens a URL in the system browser (single sign-on). Electron passes shell.openExternal. */
  openExternal?: OpenExternal;
}

export const VAULT_FILE = 'vault.db';

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

const systemClock: Clock = { now: () => Date.now() };
const AUDIT_EXPORT_MAX = 50_000;

/** Server error codes → what the renderer shows. */
function apiCodeForServer(code: ServerError['code']): ApiErrorCode {
  switch (code) {
    case 'invalid_credentials':
    case 'account_locked':
    case 'mfa_invalid':
    case 'rate_limited':
    case 'forbidden':
    case 'not_found':
    case 'validation_failed':
      return code;
    case 'mfa_required':
      return 'mfa_invalid';
    // A VERIFIED revocation arrives as RevokedError; a bare refusal without a directive that
    // verifies is only a refusal (a forged or broken directive must not look like a wipe).
    case 'device_revoked':
    case 'user_deactivated':
    case 'offline_not_allowed':
    case 'device_limit':
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
  if (err instanceof ServerUnreachableError) return { code: 'server_unreachable', message: err.message };
  if (err instanceof ServerKeyMismatchError) return { code: 'server_key_mismatch', message: err.message };
  if (err instanceof UntrustedTokenError) return { code: 'server_key_mismatch', message: err.message };
  if (err instanceof RevokedError) return { code: 'revoked', message: err.message };
  if (err instanceof ServerError) return { code: apiCodeForServer(err.code), message: err.message };
  if (err instanceof KeychainUnavailableError) return { code: 'keychain_unavailable', message: err.message };
  if (err instanceof DeviceKeyMissingError) return { code: 'vault_corrupt', message: err.message };
  if (err instanceof VaultError) {
    if (err.code === 'vault_corrupt' || err.code === 'keychain_key_missing') return { code: 'vault_corrupt', message: err.message };
    if (err.code === 'invalid_input') return { code: 'validation_failed', message: err.message };
    if (err.code === 'record_missing') return { code: 'not_found', message: err.message };
  }
  // Unknown failures: a generic message (no internals, no record content, never a key).
  return { code: 'internal', message: 'an unexpected error occurred' };
}

type Handler<M extends DesktopMethod> = (input: z.output<(typeof desktopInputs)[M]>) => Promise<DesktopOutputs[M]>;

interface Session {
  vault: VaultStore;
  client: ServerClient;
  engine: SyncEngine;
  events: EventStream;
  deviceId: string;
  serverUrl: string;
  pinnedKey: PinnedKey;
  grantJws: string;
  grant: GrantClaims;
}

class DesktopCore {
  private readonly clock: Clock;
  private readonly settings: LocalSettingsFile;
  private readonly vaultPath: string;
  private readonly listeners = new Set<StateListener>();
  private session: Session | null = null;
  private pendingSignIn: PendingSignIn | null = null;
  private leaseWatcher: LeaseWatcher | null = null;
  private periodic: NodeJS.Timeout | null = null;
  private wiping: Promise<void> | null = null;
  private closed = false;
  private lastEmitted = '';

  private phase: AppState['phase'] = 'signed-out';
  private reason: string | null = null;
  private online = false;
  private progress: AppState['progress'] = null;
  private sync: AppState['sync'] = { status: 'idle', lastError: null };
  private locale: Locale = 'zh-CN';

  constructor(private readonly options: AppServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.settings = new LocalSettingsFile(options.dataDir);
    this.vaultPath = join(options.dataDir, VAULT_FILE);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async start(): Promise<void> {
    mkdirSync(this.options.dataDir, { recursive: true });
    // A wipe interrupted by a crash (or a kill) finishes before anything else reads the disk.
    await resumeInterruptedWipe(this.options.dataDir, this.options.secrets);
    const settings = this.settings.read();
    this.locale = settings.locale ?? 'zh-CN';
    if (settings.lastWipe && !existsSync(this.vaultPath)) {
      this.phase = settings.lastWipe.phase;
      this.reason = settings.lastWipe.reason;
    }
    if (existsSync(this.vaultPath)) await this.openExistingVault();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopSession();
    this.listeners.clear();
  }

  private async openExistingVault(): Promise<void> {
    let vault: VaultStore;
    try {
      vault = await Vault.open(this.vaultPath, this.options.secrets, { clock: this.clock });
    } catch (err) {
      // The data stays on disk (encrypted); the UI says why and offers retry or sign-out.
      const apiError = toApiError(err);
      this.phase = 'locked';
      this.reason = apiError.code; // AppState.reason is a code; the renderer translates it
      this.sync = { status: 'error', lastError: apiError.code };
      return;
    }
    try {
      const deviceId = vault.getMeta('deviceId');
      const serverUrl = vault.getMeta('serverUrl');
      const serverKey = vault.getMeta('serverKey');
      const grantJws = vault.getMeta('grant');
      if (!deviceId || !serverUrl || !serverKey || !grantJws) throw new AppError('vault_corrupt', 'the vault is missing its enrollment data');
      const pinnedKey = JSON.parse(serverKey) as PinnedKey;
      // Re-verify what we stored: a grant is trusted only under the pinned key.
      const grant = await verifyGrant(grantJws, pinnedKey, deviceId);
      const key = await DeviceKey.load(this.options.secrets);
      this.locale = (vault.getMeta('locale') as Locale | null) ?? this.locale;
      this.attachSession(vault, { deviceId, serverUrl, pinnedKey, grantJws, grant, key });
    } catch (err) {
      vault.close();
      const apiError = toApiError(err);
      this.phase = 'locked';
      this.reason = apiError.code; // AppState.reason is a code; the renderer translates it
      this.sync = { status: 'error', lastError: apiError.code };
      return;
    }
    const session = this.session as Session | null;
    if (!session) return;
    this.phase = session.vault.getMeta('lastSyncAt') ? 'ready' : 'first-sync';
    this.reason = null;
    if (await this.applyLease()) this.startBackground();
  }

  private attachSession(
    vault: VaultStore,
    s: { deviceId: string; serverUrl: string; pinnedKey: PinnedKey; grantJws: string; grant: GrantClaims; key: DeviceKey },
    client?: ServerClient,
  ): void {
    const serverClient =
      client ??
      new ServerClient({
        baseUrl: s.serverUrl,
        appVersion: this.options.appVersion,
        fetch: this.options.fetch,
        identity: { deviceId: s.deviceId, key: s.key, pinnedKey: s.pinnedKey },
      });
    // Grants from refresh (check-ins) go through the same door as grants from pull pages.
    serverClient.setGrantListener((jws, claims) => this.acceptGrant(jws, claims));
    const engine = new SyncEngine({
      vault,
      client: serverClient,
      clock: this.clock,
      deviceId: s.deviceId,
      pinnedKey: s.pinnedKey,
      acceptGrant: (jws, claims) => this.acceptGrant(jws, claims),
      currentGrant: () => this.session?.grant ?? null,
      onProgress: (p) => {
        this.progress = p;
        this.emit();
      },
      hooks: this.options.syncHooks,
      pullPageSize: this.options.pullPageSize,
    });
    const events = new EventStream({
      client: serverClient,
      deviceId: s.deviceId,
      pinnedKey: s.pinnedKey,
      minBackoffMs: this.options.eventsMinBackoffMs,
      onRevoked: (err) => void this.handleRevoked(err),
      onChange: () => void this.runSync().catch(() => undefined),
      onOnline: (online) => {
        this.online = online;
        this.emit();
      },
    });
    this.session = { vault, client: serverClient, engine, events, ...s };
  }

  private startBackground(): void {
    const session = this.session;
    if (!session || this.closed) return;
    session.events.start();
    if (!this.periodic) {
      this.periodic = setInterval(() => void this.runSync().catch(() => undefined), this.options.syncIntervalMs ?? 60_000);
      this.periodic.unref?.();
    }
    this.restartLeaseWatcher();
    void this.runSync().catch(() => undefined);
  }

  private async stopSession(): Promise<void> {
    if (this.periodic) clearInterval(this.periodic);
    this.periodic = null;
    this.leaseWatcher?.stop();
    this.leaseWatcher = null;
    const session = this.session;
    this.session = null;
    if (!session) return;
    await session.events.stop();
    // Let a running sync finish its current step before the database closes under it — bounded,
    // because the caller may be that very sync (a revocation it met): it then fails on a closed
    // vault, harmlessly (every vault write is one transaction).
    for (let waited = 0; session.engine.isRunning && waited < 3000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    session.vault.close();
  }

  // ---- grant, lease, wipe ------------------------------------------------------------------

  private acceptGrant(jws: string, claims: GrantClaims): void {
    const session = this.session;
    if (!session) return;
    session.vault.setMeta('grant', jws);
    session.grantJws = jws;
    session.grant = claims;
    // A check-in the server just answered: when our clock agrees with the server's, that is
    // attested time, and it replaces the high-water mark (so a clock that once ran ahead and
    // was corrected does not stay "rolled back" forever). Otherwise only move it forward.
    const serverDate = session.client.lastServerDate;
    const now = this.clock.now();
    if (serverDate !== null && Math.abs(now - serverDate) < CLOCK_ROLLBACK_TOLERANCE_MS) {
      session.vault.setMeta('lastTrustedTime', String(now));
    } else {
      this.touchTrustedTime();
    }
    void this.applyLease().then((alive) => {
      if (alive) this.restartLeaseWatcher();
    });
  }

  /** The highest clock value ever seen (a later, lower reading means the clock went back). */
  private touchTrustedTime(): number {
    const session = this.session;
    const now = this.clock.now();
    if (!session) return now;
    const stored = Number(session.vault.getMeta('lastTrustedTime') ?? 0);
    if (now > stored) session.vault.setMeta('lastTrustedTime', String(now));
    return Math.max(now, stored);
  }

  /** Apply the lease to the phase (one decision: evaluateLease). Returns false when it wiped. */
  private async applyLease(): Promise<boolean> {
    const session = this.session;
    if (!session) return false;
    const lastTrusted = Number(session.vault.getMeta('lastTrustedTime') ?? 0);
    const lease = evaluateLease(session.grant, lastTrusted, this.clock.now());
    if (lease.state === 'wipe') {
      await this.wipe('wiped', 'wipe_after_expired', null);
      return false;
    }
    if (lease.state === 'locked') {
      this.phase = 'locked';
      this.reason = lease.clockRolledBack ? 'clock_rolled_back' : 'lease_expired';
    } else {
      this.touchTrustedTime();
      if (this.phase === 'locked') {
        this.phase = session.vault.getMeta('lastSyncAt') ? 'ready' : 'first-sync';
        this.reason = null;
      }
    }
    this.emit();
    return true;
  }

  /** A new grant (or a new session) gets a new watcher firing at its lock and wipe moments. */
  private restartLeaseWatcher(): void {
    const session = this.session;
    this.leaseWatcher?.stop();
    this.leaseWatcher = null;
    if (!session || this.closed) return;
    this.leaseWatcher = new LeaseWatcher({
      clock: this.clock,
      grant: session.grant,
      lastTrustedTime: () => Number(this.session?.vault.getMeta('lastTrustedTime') ?? 0),
      onLock: () => void this.applyLease(),
      onWipe: () => void this.applyLease(),
    });
    this.leaseWatcher.start();
  }

  private handleRevoked(err: RevokedError): Promise<void> {
    return this.wipe('revoked', err.claims.reason === 'user_deactivated' ? 'user_deactivated' : 'device_revoked', err);
  }

  /**
   * Crypto-shred (keychain entries first, then the files). Idempotent; concurrent triggers
   * (event stream + a failing call) share one wipe. For a revocation the wipe confirmation is
   * signed BEFORE the device key is shredded and sent after.
   */
  private wipe(phase: 'revoked' | 'wiped', reason: AppStateReason, revoked: RevokedError | null): Promise<void> {
    if (!this.wiping) {
      this.wiping = (async () => {
        const client = this.session?.client;
        const confirmation = revoked && client ? client.prepareSigned('confirmWipe', { directiveIat: revoked.claims.iat }) : null;
        // Record why first: if we crash mid-wipe the next start still shows the right screen.
        this.settings.update((s) => ({ ...s, lastWipe: { phase, reason, at: this.clock.now() }, locale: this.locale }));
        await this.stopSession();
        await cryptoShred({ vaultPath: this.vaultPath, secrets: this.options.secrets });
        this.phase = phase;
        this.reason = reason;
        this.online = false;
        this.progress = null;
        this.sync = { status: 'idle', lastError: null };
        this.emit();
        await confirmation?.send().catch(() => undefined);
      })().finally(() => {
        this.wiping = null;
      });
    }
    return this.wiping;
  }

  // ---- sync ----------------------------------------------------------------------------------

  /** One sync with its effects on the state. Throws the sync's error (after handling it). */
  private async runSync(): Promise<void> {
    const session = this.session;
    if (!session || this.closed) throw new AppError('not_signed_in', 'no vault is open');
    this.sync = { status: 'syncing', lastError: this.sync.lastError };
    this.emit();
    try {
      await session.engine.syncOnce();
      this.online = true;
      this.sync = { status: 'idle', lastError: null };
      if (this.phase === 'first-sync') this.phase = 'ready';
      this.emit();
    } catch (err) {
      if (err instanceof RevokedError) {
        await this.handleRevoked(err);
        throw err;
      }
      if (err instanceof ServerUnreachableError) this.online = false;
      else if (err instanceof ServerError) this.online = true;
      this.sync = { status: 'error', lastError: toApiError(err).code };
      this.emit();
      throw err;
    } finally {
      if (this.session === session) session.events.kick();
    }
  }

  /** Server calls outside sync (admin, audit): a revocation seen here wipes like anywhere else. */
  private async callServer<T>(fn: (client: ServerClient) => Promise<T>): Promise<T> {
    const session = this.requireSession();
    try {
      const value = await fn(session.client);
      this.online = true;
      return value;
    } catch (err) {
      if (err instanceof RevokedError) await this.handleRevoked(err);
      if (err instanceof ServerUnreachableError) {
        this.online = false;
        this.emit();
      }
      throw err;
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  snapshot(): AppState {
    const session = this.session;
    const grant = session?.grant ?? null;
    const lastSync = session?.vault.getMeta('lastSyncAt');
    return {
      phase: this.phase,
      serverUrl: session?.serverUrl ?? this.pendingSignIn?.serverUrl ?? this.settings.read().lastServerUrl ?? this.options.defaultServerUrl ?? null,
      user: grant ? sessionUser(grant) : null,
      online: this.online,
      lastSyncAt: lastSync ? Number(lastSync) : null,
      outboxCount: session ? session.vault.outboxCount() : 0,
      issueCount: session ? session.vault.listIssues().length : 0,
      leaseUntil: grant?.leaseUntil ?? null,
      wipeAfter: grant?.wipeAfter ?? null,
      progress: this.progress,
      reason: this.reason,
      locale: this.locale,
      sync: { ...this.sync },
    };
  }

  emit(): void {
    if (this.closed) return;
    let state: AppState;
    try {
      state = this.snapshot();
    } catch {
      return; // the vault is closing under us; the next change emits again
    }
    const json = JSON.stringify(state);
    if (json === this.lastEmitted) return;
    this.lastEmitted = json;
    for (const listener of this.listeners) {
      try {
        listener(state);
      } catch {
        // a failing listener must not break the core
      }
    }
  }

  onStateChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- guards --------------------------------------------------------------------------------

  private requireSession(): Session {
    if (this.session) return this.session;
    if (this.phase === 'revoked' || this.phase === 'wiped') throw new AppError('revoked', `this device was wiped (${this.reason ?? 'unknown reason'})`);
    throw new AppError('not_signed_in', 'sign in first');
  }

  /** Customer data is readable only in the ready phase (not locked, not mid-first-sync). */
  private requireUnlocked(): Session & { now: number } {
    const session = this.requireSession();
    const now = this.clock.now();
    const lease = evaluateLease(session.grant, Number(session.vault.getMeta('lastTrustedTime') ?? 0), now);
    if (lease.state !== 'ok' || this.phase === 'locked') {
      if (lease.state !== 'ok') void this.applyLease();
      throw new AppError('locked', `the app is locked (${this.reason ?? 'lease_expired'}); reconnect to the server`);
    }
    return { ...session, now };
  }

  private requireAction(grant: GrantClaims, action: Action): void {
    const decision = authorizeAction(grant, action);
    if (!decision.allowed) throw new AppError('forbidden', `your role does not allow ${action}`);
  }

  // ---- handlers ------------------------------------------------------------------------------

  readonly handlers: { [M in DesktopMethod]: Handler<M> } = {
    getState: async () => {
      // Lease moments pass while nobody calls: evaluate on every look at the state too.
      if (this.session) await this.applyLease();
      return this.snapshot();
    },

    signIn: async (input) => {
      if (this.session || existsSync(this.vaultPath)) {
        // Includes a vault that could not be opened: it may hold unpushed edits, so it is
        // never replaced silently. Signing out is the explicit way to discard it.
        throw new AppError('validation_failed', 'this device already has a vault; sign out first');
      }
      this.pendingSignIn = await beginSignIn({
        serverUrl: input.serverUrl,
        username: input.username,
        password: input.password,
        appVersion: this.options.appVersion,
        fetch: this.options.fetch,
      });
      this.emit();
      return { mfaSetupRequired: this.pendingSignIn.mfaSetupRequired, otpauthUri: this.pendingSignIn.otpauthUri };
    },

    verifyMfa: async (input) => {
      const pending = this.pendingSignIn;
      if (!pending) throw new AppError('not_signed_in', 'enter your password first');
      if (this.session) throw new AppError('validation_failed', 'already signed in on this device');
      let enrollment;
      const vaultExisted = existsSync(this.vaultPath);
      try {
        enrollment = await completeEnrollment({
          pending,
          code: input.code,
          secrets: this.options.secrets,
          settings: this.settings,
          vaultPath: this.vaultPath,
          createVault: (path, secrets) => Vault.create(path, secrets, { clock: this.clock }),
          appVersion: this.options.appVersion,
          now: this.clock.now(),
          fetch: this.options.fetch,
        });
      } catch (err) {
        // A wrong code can be retried with the same MFA token; anything else starts over.
        if (!(err instanceof ServerError && err.code === 'mfa_invalid')) this.pendingSignIn = null;
        // Only a vault this attempt created is discarded (a half-written enrollment).
        if (!vaultExisted && existsSync(this.vaultPath)) await cryptoShred({ vaultPath: this.vaultPath, secrets: this.options.secrets }).catch(() => undefined);
        throw err;
      }
      this.pendingSignIn = null;
      const key = await DeviceKey.load(this.options.secrets);
      enrollment.vault.setMeta('locale', this.locale);
      this.attachSession(
        enrollment.vault,
        {
          deviceId: enrollment.deviceId,
          serverUrl: pending.serverUrl,
          pinnedKey: enrollment.pinnedKey,
          grantJws: enrollment.grant,
          grant: enrollment.claims,
          key,
        },
        enrollment.client,
      );
      this.phase = 'first-sync';
      this.reason = null;
      this.online = true;
      // First sync runs in the background; progress arrives through onStateChange.
      if (await this.applyLease()) this.startBackground();
      return this.snapshot();
    },

    syncNow: async () => {
      if (!this.session && existsSync(this.vaultPath)) {
        // Locked because the keychain/vault could not be opened at start: try again.
        await this.openExistingVault();
        if (!this.session) throw new AppError(this.sync.lastError ?? 'internal', `the vault cannot be opened (${this.reason ?? 'unknown reason'})`);
        return this.snapshot();
      }
      await this.runSync();
      return this.snapshot();
    },

    setLocale: async (input) => {
      this.locale = input.locale;
      if (this.session) this.session.vault.setMeta('locale', input.locale);
      else this.settings.update((s) => ({ ...s, locale: input.locale }));
      this.emit();
      return this.snapshot();
    },

    signOut: async () => {
      const session = this.session;
      if (session) {
        // Never drop unpushed edits: push first, refuse to sign out while they cannot be sent.
        if (session.vault.outboxCount() > 0) await this.runSync().catch(() => undefined);
        if (this.session && this.session.vault.outboxCount() > 0) {
          throw new AppError('server_unreachable', 'edits are waiting to be sent; reconnect before signing out');
        }
      }
      if (this.session || existsSync(this.vaultPath)) {
        await this.stopSession();
        await cryptoShred({ vaultPath: this.vaultPath, secrets: this.options.secrets });
      }
      // The language outlives the vault.
      this.settings.update((s) => ({ ...s, lastWipe: null, locale: this.locale }));
      this.pendingSignIn = null;
      this.phase = 'signed-out';
      this.reason = null;
      this.online = false;
      this.progress = null;
      this.sync = { status: 'idle', lastError: null };
      this.emit();
      return this.snapshot();
    },

    searchCustomers: async (input) => {
      const s = this.requireUnlocked();
      this.requireAction(s.grant, 'customer.read');
      const result = s.vault.searchCustomers(input);
      const query = input.query.trim();
      if (query) s.vault.recordAudit({ at: s.now, action: 'search', entity: 'customer', query: query.slice(0, 200), count: result.total });
      return result;
    },

    getCustomer: async (input) => {
      const s = this.requireUnlocked();
      this.requireAction(s.grant, 'customer.read');
      const detail = s.vault.getCustomer(input.id, s.grant);
      if (!detail) throw new AppError('not_found', 'no such customer on this device');
      s.vault.recordAudit({ at: s.now, action: 'view', entity: 'customer', recordId: input.id });
      return detail;
    },

    createCustomer: async (input) => {
      const s = this.requireUnlocked();
      const id = randomUUID();
      const fields = withDefaults(s.grant, 'customer', input, {
        industry: '', city: '', address: '', tags: [], creditLimit: null, paymentTerms: null, taxId: null, notes: '',
      });
      this.checkEdit(s, 'customer.create', 'customer', { kind: 'new-customer', customerId: id }, fields);
      this.recordEdit(s, { entity: 'customer', op: 'create', recordId: id, baseVersion: null, fields, baseValues: {} });
      return { id };
    },

    updateCustomer: async (input) => {
      const s = this.requireUnlocked();
      const fields = definedOnly(input.fields);
      const { target, base } = this.editTarget(s, 'customer', input.id);
      this.checkEdit(s, 'customer.update', 'customer', target, fields);
      this.recordUpdate(s, 'customer', input.id, base, fields);
      return this.detailOf(s, input.id);
    },

    createContact: async (input) => {
      const s = this.requireUnlocked();
      const fields = withDefaults(s.grant, 'contact', input, { title: '', phone: null, email: null, wechat: null });
      const target = this.customerTarget(s, input.customerId);
      this.checkEdit(s, 'contact.create', 'contact', target, fields);
      const id = randomUUID();
      this.recordEdit(s, { entity: 'contact', op: 'create', recordId: id, baseVersion: null, fields, baseValues: {} });
      return { id };
    },

    updateContact: async (input) => {
      const s = this.requireUnlocked();
      const fields = definedOnly(input.fields);
      const { target, base } = this.editTarget(s, 'contact', input.id);
      this.checkEdit(s, 'contact.update', 'contact', target, fields);
      this.recordUpdate(s, 'contact', input.id, base, fields);
      return this.detailOf(s, target.customerId);
    },

    createOpportunity: async (input) => {
      const s = this.requireUnlocked();
      const in30Days = new Date(s.now + 30 * 86_400_000).toISOString().slice(0, 10);
      const fields = withDefaults(s.grant, 'opportunity', input, {
        amount: null, expectedCloseDate: in30Days, probability: 10, ownerId: s.grant.sub,
      });
      const target = this.customerTarget(s, input.customerId);
      this.checkEdit(s, 'opportunity.create', 'opportunity', target, fields);
      const id = randomUUID();
      this.recordEdit(s, { entity: 'opportunity', op: 'create', recordId: id, baseVersion: null, fields, baseValues: {} });
      return { id };
    },

    updateOpportunity: async (input) => {
      const s = this.requireUnlocked();
      const fields = definedOnly(input.fields);
      const { target, base } = this.editTarget(s, 'opportunity', input.id);
      this.checkEdit(s, 'opportunity.update', 'opportunity', target, fields);
      this.recordUpdate(s, 'opportunity', input.id, base, fields);
      return this.detailOf(s, target.customerId);
    },

    logActivity: async (input) => {
      const s = this.requireUnlocked();
      const fields: Record<string, unknown> = { customerId: input.customerId, kind: input.kind, at: input.at ?? s.now, text: input.text };
      const target = this.customerTarget(s, input.customerId);
      this.checkEdit(s, 'activity.create', 'activity', target, fields);
      const id = randomUUID();
      this.recordEdit(s, { entity: 'activity', op: 'create', recordId: id, baseVersion: null, fields, baseValues: {} });
      return { id };
    },

    listFacets: async () => {
      const s = this.requireUnlocked();
      return s.vault.facets();
    },

    exportCustomers: async (input) => {
      const s = this.requireUnlocked();
      if (!s.grant.offline.exportAllowed) throw new AppError('forbidden', "your role's offline policy does not allow exports");
      this.requireAction(s.grant, 'customer.export');
      const rows: Record<string, unknown>[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = s.vault.searchCustomers({ query: '', offset, limit: 500 });
        this.progress = { task: 'export', done: offset + page.rows.length, total: page.total };
        this.emit();
        for (const r of page.rows) {
          rows.push({ id: r.id, name: r.name, type: r.type ?? '', industry: r.industry ?? '', city: r.city ?? '', owner: r.ownerName ?? r.ownerId, tags: (r.tags ?? []).join(';'), updatedAt: new Date(r.updatedAt).toISOString() });
        }
        if (page.rows.length < 500) break;
      }
      this.progress = null;
      this.emit();
      s.vault.recordAudit({ at: s.now, action: 'export', entity: 'customer', count: rows.length });
      void this.runSync().catch(() => undefined);
      return renderExport('customers', input.format, rows, s.now);
    },

    // Outbox labels and issue values are customer data: hidden while locked like the rest.
    listOutbox: async () => this.requireUnlocked().vault.listOutbox(),
    listIssues: async () => this.requireUnlocked().vault.listIssues(),
    dismissIssue: async (input) => {
      const s = this.requireUnlocked();
      s.vault.dismissIssue(input.id);
      this.emit();
      return { ok: true as const };
    },

    teamDashboard: async () => {
      const s = this.requireUnlocked();
      this.requireAction(s.grant, 'dashboard.team');
      return s.vault.teamDashboard(s.now);
    },

    adminListUsers: async () => (await this.callServer((c) => c.call('listUsers'))).users,
    adminCreateUser: async (input) => (await this.callServer((c) => c.call('createUser', input))).user,
    adminUpdateUser: async (input) => (await this.callServer((c) => c.call('updateUser', input.patch, { params: { id: input.id } }))).user,
    adminDeactivateUser: async (input) => this.callServer((c) => c.call('deactivateUser', undefined, { params: { id: input.id } })),
    adminListRoles: async () => (await this.callServer((c) => c.call('listRoles'))).roles,
    adminUpdateRole: async (input) => (await this.callServer((c) => c.call('updateRole', input.patch, { params: { id: input.id } }))).role,
    adminCreateRole: async (input) => (await this.callServer((c) => c.call('createRole', input))).role,
    adminListUnits: async () => (await this.callServer((c) => c.call('listUnits'))).units,
    adminListDevices: async () => (await this.callServer((c) => c.call('listDevices'))).devices,
    adminRevokeDevice: async (input) => (await this.callServer((c) => c.call('revokeDevice', undefined, { params: { id: input.id } }))).device,
    auditList: async (input) => (await this.callServer((c) => c.call('listAudit', undefined, { query: auditQuery(input) }))).entries,
    auditVerify: async () => this.callServer((c) => c.call('verifyAudit')),
    auditExport: async (input) => {
      const filter = input.filter ?? { limit: 1000 };
      const entries: AuditEntryView[] = [];
      let beforeSeq = filter.beforeSeq;
      this.progress = { task: 'export', done: 0, total: null };
      this.emit();
      try {
        while (entries.length < AUDIT_EXPORT_MAX) {
          const page = await this.callServer((c) =>
            c.call('listAudit', undefined, { query: auditQuery({ ...filter, limit: 1000, beforeSeq }) }),
          );
          entries.push(...page.entries);
          this.progress = { task: 'export', done: entries.length, total: null };
          this.emit();
          const last = page.entries.at(-1);
          if (page.entries.length < 1000 || !last) break;
          beforeSeq = last.seq;
        }
      } finally {
        this.progress = null;
        this.emit();
      }
      const rows = entries.map((e) => ({
        seq: e.seq,
        at: new Date(e.at).toISOString(),
        actorId: e.actorId ?? '',
        deviceId: e.deviceId ?? '',
        action: e.action,
        target: e.target ?? '',
        outcome: e.outcome,
        details: input.format === 'csv' ? JSON.stringify(e.details) : e.details,
        hash: e.hash,
      }));
      return renderExport('audit', input.format, rows, this.clock.now());
    },

    ...alertAndReviewHandlers({
      callServer: (fn) => this.callServer(fn),
      currentUserId: () => this.requireSession().grant.sub,
    }),

    ...ssoHandlers({
      callServer: (fn) => this.callServer(fn),
      options: () => this.options,
      assertCanSignIn: () => {
        if (this.session || existsSync(this.vaultPath)) throw new AppError('validation_failed', 'this device already has a vault; sign out first');
      },
      setPendingSignIn: (pending) => {
        this.pendingSignIn = pending;
        this.emit();
      },
      // The pending sign-in carries the enrollment token: the TOTP step is skipped, the code unused.
      enrollWithoutCode: () => this.handlers.verifyMfa({ code: '' }),
      fail: (code, message) => new AppError(code, message),
      serverUrl: () => this.requireSession().serverUrl,
    }),
  };

  // ---- edit helpers --------------------------------------------------------------------------

  private customerTarget(s: Session, customerId: string): EditTarget & { kind: 'existing' } {
    const customer = s.vault.getRecord('customer', customerId);
    const detail = s.vault.getCustomer(customerId, s.grant);
    if (!customer || !detail) throw new AppError('not_found', 'no such customer on this device');
    return { kind: 'existing', customerId, ownerId: String(customer.ownerId ?? ''), writable: serverWriteVerdict(s.grant, detail) };
  }

  private editTarget(s: Session, entity: EntityType, id: string): { target: EditTarget & { kind: 'existing' }; base: Record<string, unknown> } {
    const base = s.vault.getRecord(entity, id);
    if (!base) throw new AppError('not_found', `no such ${entity} on this device`);
    const customerId = entity === 'customer' ? id : String(base.customerId ?? '');
    return { target: this.customerTarget(s, customerId), base };
  }

  private checkEdit(s: Session & { now: number }, action: Action, entity: EntityType, target: EditTarget, fields: Record<string, unknown>): void {
    const decision = authorizeLocalEdit(s.grant, action, entity, target, Object.keys(fields), s.now);
    if (decision.allowed) return;
    const message =
      decision.reason === 'above_clearance'
        ? `these fields are above your write clearance: ${(decision.fields ?? []).join(', ')}`
        : decision.reason === 'read_only_share'
          ? 'this customer is shared with you read-only'
          : decision.reason === 'no_action'
            ? `your role does not allow ${action}`
            : 'this record is outside your scope';
    throw new AppError('forbidden', message);
  }

  private recordUpdate(s: Session & { now: number }, entity: EntityType, id: string, base: Record<string, unknown>, fields: Record<string, unknown>): void {
    if (Object.keys(fields).length === 0) return;
    const baseValues: Record<string, unknown> = {};
    for (const field of Object.keys(fields)) baseValues[field] = base[field] ?? null;
    this.recordEdit(s, {
      entity,
      op: 'update',
      recordId: id,
      baseVersion: typeof base.version === 'number' ? base.version : null,
      fields,
      baseValues,
    });
  }

  private recordEdit(s: Session & { now: number }, m: Omit<Mutation, 'mutationId' | 'createdAt'>): void {
    // Written optimistically with its outbox entry in one transaction: acknowledged = durable.
    s.vault.applyLocalMutation({ ...m, mutationId: randomUUID(), createdAt: s.now });
    this.emit();
    void this.runSync().catch(() => undefined);
  }

  private detailOf(s: Session, customerId: string) {
    const detail = s.vault.getCustomer(customerId, s.grant);
    if (!detail) throw new AppError('not_found', 'no such customer on this device');
    return detail;
  }
}

// ---- pure helpers ----------------------------------------------------------------------------

function sessionUser(grant: GrantClaims): SessionUser {
  return {
    id: grant.sub,
    username: grant.username,
    displayName: grant.displayName,
    roleKey: grant.role.key,
    roleName: grant.role.name,
    actions: [...grant.actions],
    dataScope: grant.dataScope,
    readClearance: grant.readClearance,
    writeClearance: grant.writeClearance,
    exportAllowed: grant.offline.exportAllowed,
  };
}

/**
 * The server's `writable` verdict for a customer, as last pulled. The vault exposes it through
 * the access it computes for the detail view (the same engine, fed the same verdict): any write
 * the user's actions allow on this customer means the verdict was "write". A user holding none
 * of those actions gets `true`: the engine then denies on the action, and nothing is guessed.
 */
function serverWriteVerdict(grant: GrantClaims, detail: CustomerDetail): boolean {
  const probes: Action[] = ['customer.update', 'contact.update', 'opportunity.update', 'activity.update', 'activity.create'];
  if (!probes.some((a) => grant.actions.includes(a))) return true;
  return detail.canEdit || detail.canLogActivity || ENTITY_TYPES.some((e) => detail.access[e].writable.length > 0);
}

function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Provided fields plus defaults for the writable fields the user left out (never above clearance). */
function withDefaults(grant: GrantClaims, entity: EntityType, input: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  const writable = new Set(writableFieldsFor(grant, entity));
  const fields = definedOnly(input);
  for (const [field, value] of Object.entries(defaults)) {
    const structural = field === 'ownerId' || field === 'customerId';
    if (!(field in fields) && (structural || writable.has(field))) fields[field] = value;
  }
  return fields;
}

function auditQuery(q: Record<string, unknown>): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  for (const [k, v] of Object.entries(q)) if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return out;
}

function renderExport(kind: string, format: 'csv' | 'json', rows: Record<string, unknown>[], now: number) {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  if (format === 'json') {
    return { filename: `salesvault-${kind}-${stamp}.json`, mime: 'application/json', content: JSON.stringify(rows, null, 2), count: rows.length };
  }
  const columns = rows[0] ? Object.keys(rows[0]) : [];
  // BOM so spreadsheet apps read the Chinese names as UTF-8.
  const content = '\uFEFF' + stringifyCsv(rows, { header: true, columns });
  return { filename: `salesvault-${kind}-${stamp}.csv`, mime: 'text/csv', content, count: rows.length };
}

/** Create the service: resume an interrupted wipe, open the vault if one exists, start syncing. */
export async function createAppService(options: AppServiceOptions): Promise<AppService> {
  const core = new DesktopCore(options);
  await core.start();
  const api: Record<string, unknown> = {};
  for (const method of DESKTOP_METHODS) {
    api[method] = async (raw?: unknown): Promise<Result<unknown>> => {
      const parsed = desktopInputs[method].safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        return { ok: false, error: { code: 'validation_failed', message: `${method}: ${where}${issue?.message ?? 'invalid input'}` } };
      }
      try {
        const handler = core.handlers[method] as (input: unknown) => Promise<unknown>;
        return { ok: true, value: await handler(parsed.data) };
      } catch (err) {
        return { ok: false, error: toApiError(err) };
      }
    };
  }
  api.onStateChange = (listener: StateListener) => core.onStateChange(listener);
  api.close = () => core.close();
  return api as unknown as AppService;
}
