// The signed-in device: ONE object owns the vault, the server client, the sync engine, the event
// stream, the lease watcher and the grant, and closes them in order.
//
// Every grant enters through `acceptGrant` (verify under the pinned key for this device, store,
// trusted time, lease): the stored grant when the vault opens, the first grant at enrollment, the
// grant of each check-in and the grant a pull page carries. Nothing below the session decides
// about the lifecycle: the engine, the client and the stream report (grant, progress, online,
// change, revocation) and the session hands the reports to its owner, which decides (lock, wipe,
// sync) and acts on the session from its own task. So no callback re-enters its caller, and
// `stop()` ends the engine's run instead of polling for it.

import type { GrantClaims } from '../../../shared/protocol/grant';
import type { UpdateRequiredDetails } from '../../../shared/protocol/routes';
import type { Clock, SecretStore, VaultStore } from '../contracts';
import { DeviceKey } from '../device-key';
import { CLOCK_ROLLBACK_TOLERANCE_MS, evaluateLease, LeaseWatcher, type LeaseEvaluation } from '../lease';
import { SyncEngine, SyncStoppedError, type SyncProgress, type SyncSummary, type SyncTestHooks } from '../sync/engine';
import type { RevokedError} from '../sync/errors';
import { UntrustedTokenError } from '../sync/errors';
import { EventStream } from '../sync/events';
import { ServerClient } from '../sync/server-client';
import { verifyGrant, type PinnedKey } from '../sync/tokens';
import { isDiskFull, VaultCorruptError } from '../vault/errors';

/**
 * At most this often, the trusted time a look at the state moves forward (noteTrustedTime) is
 * written to the vault. In between it moves in memory only: this process saw the time pass,
 * which is what the stored mark would say, and a write on every look (the UI asks every few
 * hundred milliseconds) would wait for the import worker's lock during a sync. What a crash can
 * lose is the last minute of the mark's progress; a clean stop writes it.
 */
export const TRUSTED_TIME_STORE_INTERVAL_MS = 60_000;

/** What the session reports to its owner. None of these is awaited by the reporter. */
export interface SessionOwner {
  /** A lease verdict: after each accepted grant, and at the watcher's lock and wipe moments. */
  lease(verdict: LeaseEvaluation): void;
  /** A VERIFIED revocation (error body or event stream). */
  revoked(err: RevokedError): void;
  progress(progress: SyncProgress | null): void;
  online(online: boolean): void;
  /** Time for a sync: the server announced a change, or the periodic timer fired. */
  syncWanted(): void;
  /** The server refused this app's version (below IT's minimum for the platform). */
  updateRequired(details: UpdateRequiredDetails): void;
  /** A check-in succeeded (its grant verified): told before that grant's lease verdict. */
  checkedIn(): void;
}

export interface SessionOptions {
  appVersion: string;
  clock: Clock;
  fetch?: typeof fetch;
  /** Sync cadence while the session runs (default 60 s). */
  syncIntervalMs?: number;
  /** Crash-test pause points (tests only). */
  syncHooks?: SyncTestHooks;
  /** Records per pull page (tests use small pages to stop mid-pull). */
  pullPageSize?: number;
  /** Event-stream reconnect backoff floor (tests shorten it). */
  eventsMinBackoffMs?: number;
}

export interface SessionIdentity {
  deviceId: string;
  serverUrl: string;
  pinnedKey: PinnedKey;
}

export class ClientSession {
  private readonly engine: SyncEngine;
  private readonly events: EventStream;
  private watcher: LeaseWatcher | null = null;
  private periodic: NodeJS.Timeout | null = null;
  private claims: GrantClaims | null = null;
  private running = false;
  private stopping: Promise<void> | null = null;
  /** server clock minus ours at the last check-in (0 when they agree): the lease runs on server time */
  private serverOffsetMs = 0;
  /** the trusted time and the monotonic reading when it was set: trusted time advances with real elapsed time */
  private trustMark: { mono: number; trusted: number };
  /** the trusted time in trustMark is not stored in the vault yet; the monotonic reading of the last store */
  private trustUnsaved = false;
  private trustStoredMono: number;

  /** Wire a session over an open vault and a client that signs as this device. Call `acceptGrant` next. */
  constructor(
    readonly vault: VaultStore,
    readonly identity: SessionIdentity,
    readonly client: ServerClient,
    private readonly options: SessionOptions,
    private readonly owner: SessionOwner,
  ) {
    this.trustMark = { mono: this.monotonic(), trusted: Number(vault.getMeta('lastTrustedTime') ?? 0) };
    this.trustStoredMono = this.trustMark.mono;
    // Check-ins (explicit, or a token refresh inside any call) bring grants too: same door.
    client.setCheckInListener(async (jws) => {
      const verdict = await this.acceptGrant(jws);
      // The server let this app's version check in: an update-required lock ends (update-gate.ts).
      this.owner.checkedIn();
      this.owner.lease(verdict);
    });
    client.setUpdateRequiredListener((details) => this.owner.updateRequired(details));
    this.engine = new SyncEngine({
      vault,
      client,
      clock: options.clock,
      acceptGrant: async (jws) => {
        this.owner.lease(await this.acceptGrant(jws));
        return this.grant;
      },
      currentGrant: () => this.grant,
      onProgress: (p) => owner.progress(p),
      hooks: options.syncHooks,
      pullPageSize: options.pullPageSize,
    });
    this.events = new EventStream({
      client,
      minBackoffMs: options.eventsMinBackoffMs,
      onRevoked: (err) => owner.revoked(err),
      onChange: () => owner.syncWanted(),
      onOnline: (online) => owner.online(online),
    });
  }

  /**
   * Resume the session of an enrolled vault. The stored grant goes through `acceptGrant` again:
   * a grant is trusted only under the pinned key, also after a restart.
   */
  static async resume(vault: VaultStore, secrets: SecretStore, options: SessionOptions, owner: SessionOwner): Promise<{ session: ClientSession; verdict: LeaseEvaluation }> {
    const deviceId = vault.getMeta('deviceId');
    const serverUrl = vault.getMeta('serverUrl');
    const serverKey = vault.getMeta('serverKey');
    const grantJws = vault.getMeta('grant');
    if (!deviceId || !serverUrl || !serverKey || !grantJws) throw new VaultCorruptError('the vault is missing its enrollment data');
    const pinnedKey = JSON.parse(serverKey) as PinnedKey;
    const key = await DeviceKey.load(secrets);
    const client = new ServerClient({
      baseUrl: serverUrl,
      appVersion: options.appVersion,
      fetch: options.fetch,
      identity: { deviceId, key, pinnedKey },
    });
    const session = new ClientSession(vault, { deviceId, serverUrl, pinnedKey }, client, options, owner);
    const verdict = await session.acceptGrant(grantJws);
    return { session, verdict };
  }

  /** The grant in force (verified). */
  get grant(): GrantClaims {
    if (!this.claims) throw new UntrustedTokenError('no grant has been accepted yet');
    return this.claims;
  }

  // ---- the one door for grants ---------------------------------------------------------------

  /**
   * Verify a grant for this device under the pinned server key, store it, move the trusted time
   * and evaluate the lease under it. Returns the verdict; what to do about it is the owner's call.
   * Throws UntrustedTokenError (nothing stored) when the grant does not verify.
   */
  async acceptGrant(jws: string): Promise<LeaseEvaluation> {
    const claims = await verifyGrant(jws, this.identity.pinnedKey, this.identity.deviceId);
    if (this.stopping) throw new SyncStoppedError(); // the vault is closing: nothing to store into
    if (jws !== this.vault.getMeta('grant')) this.vault.setMeta('grant', jws);
    this.claims = claims;
    // A grant the server just sent comes with the server's time (HTTP Date): that is attested
    // time. The lease is then judged on the server's clock (our clock's offset to it is kept for
    // this session) and the trusted time is replaced by it, so a clock that once ran ahead and was
    // corrected does not stay "rolled back" forever. A stored grant (no server answer yet) moves
    // nothing: our own clock alone is never proof of how much time passed.
    const serverDate = this.client.lastServerDate;
    if (serverDate !== null) {
      const local = this.options.clock.now();
      this.serverOffsetMs = Math.abs(serverDate - local) < CLOCK_ROLLBACK_TOLERANCE_MS ? 0 : serverDate - local;
      this.setTrustedTime(this.now());
    }
    const verdict = this.leaseVerdict();
    if (this.running && verdict.state !== 'wipe') this.restartWatcher();
    return verdict;
  }

  /** The lease now, under the grant in force and the trusted time (a pure evaluation). */
  leaseVerdict(): LeaseEvaluation {
    return evaluateLease(this.grant, this.trustedTime(), this.now());
  }

  /** Our clock, corrected by the server's at the last check-in of this session. */
  now(): number {
    return this.options.clock.now() + this.serverOffsetMs;
  }

  /**
   * The highest time known to be real: the stored mark (server time at a check-in, or our clock
   * while the lease held), carried forward by the time this process saw pass on a clock nobody can set.
   */
  trustedTime(): number {
    const stored = Number(this.vault.getMeta('lastTrustedTime') ?? 0);
    const carried = this.trustMark.trusted > 0 ? this.trustMark.trusted + Math.max(0, this.monotonic() - this.trustMark.mono) : 0;
    return Math.max(stored, carried);
  }

  /**
   * The clock's reading becomes the trusted time when it is ahead of it (the highest time ever
   * seen; a later, lower reading means the clock went back). Called while the lease holds.
   */
  noteTrustedTime(): void {
    const now = this.now();
    if (now <= this.trustedTime()) return;
    const mono = this.monotonic();
    this.trustMark = { mono, trusted: now };
    this.trustUnsaved = true;
    if (mono - this.trustStoredMono >= TRUSTED_TIME_STORE_INTERVAL_MS) this.storeTrustedTime(false);
  }

  /**
   * Write the trusted time in memory to the vault, if it moved since the last write. Never waits
   * for the import worker's write lock unless `wait` (the session is stopping: no import runs):
   * a busy vault leaves it for the next look. A full disk must not make the state unreadable:
   * the stored mark simply does not move this time.
   */
  private storeTrustedTime(wait: boolean): void {
    if (!this.trustUnsaved) return;
    const value = String(this.trustMark.trusted);
    try {
      if (wait) this.vault.setMeta('lastTrustedTime', value);
      else if (!this.vault.trySetMeta('lastTrustedTime', value)) return;
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      return;
    }
    this.trustUnsaved = false;
    this.trustStoredMono = this.monotonic();
  }

  private setTrustedTime(time: number): void {
    this.vault.setMeta('lastTrustedTime', String(time));
    this.trustMark = { mono: this.monotonic(), trusted: time };
    this.trustUnsaved = false;
    this.trustStoredMono = this.trustMark.mono;
  }

  private monotonic(): number {
    return this.options.clock.monotonic?.() ?? performance.now();
  }

  // ---- running -------------------------------------------------------------------------------

  /** Start the background work: event stream, periodic sync, lease watcher. */
  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    this.events.start();
    this.periodic = setInterval(() => this.owner.syncWanted(), this.options.syncIntervalMs ?? 60_000);
    this.periodic.unref?.();
    this.restartWatcher();
  }

  /** One sync (push, audit upload, pull). The caller applies its outcome to the app state. */
  async sync(): Promise<SyncSummary> {
    try {
      return await this.engine.syncOnce();
    } finally {
      // A finished sync (also a failed one) shows whether the server is back: reconnect now.
      if (!this.stopping) this.events.kick();
    }
  }

  /** Stop everything and close the vault: the engine's run in flight ends first. Idempotent. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        this.running = false;
        if (this.periodic) clearInterval(this.periodic);
        this.periodic = null;
        this.watcher?.stop();
        this.watcher = null;
        await this.events.stop();
        await this.engine.stop();
        // The trusted time seen since the last write outlives this session (best effort: a
        // vault that cannot take the write must not keep the session from stopping).
        try {
          this.storeTrustedTime(true);
        } catch {
          // the mark stays where it was stored last
        }
        // The mark's last write lands before the vault closes (and before another process,
        // or the next start, reads the keychain).
        await this.vault.flushMark?.();
        await this.vault.stopBackgroundReaders?.();
        this.vault.close();
      })();
    }
    return this.stopping;
  }

  /** A new grant (or a new session) gets a new watcher firing at its lock and wipe moments. */
  private restartWatcher(): void {
    this.watcher?.stop();
    this.watcher = new LeaseWatcher({
      clock: { now: () => this.now() },
      grant: this.grant,
      lastTrustedTime: () => this.trustedTime(),
      // The watcher's verdict is the one applied: it is not thrown away and evaluated again.
      onLock: (verdict) => this.owner.lease(verdict),
      onWipe: (verdict) => this.owner.lease(verdict),
    });
    this.watcher.start();
  }
}
