// The owner of the app's lifecycle: at most one session (vault + server client + engine + event
// stream + grant), the app state, and the decisions taken on the session's reports — lock or
// unlock on a lease verdict, crypto-shred on a verified revocation or the wipe-after period,
// sync when the server announces a change. Reports flow up (session → controller); actions flow
// down from the controller's own task (start, sync, stop), never from inside a report.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppState, AppStateReason, Locale, VaultRecovery } from '../../../shared/api/desktop-api';
import type { Action } from '../../../shared/domain/model';
import type { GrantClaims } from '../../../shared/protocol/grant';
import { AppError, toApiError } from '../api-errors';
import type { Clock, VaultStore } from '../contracts';
import type { LeaseEvaluation } from '../lease';
import { authorizeAction } from '../local-authz';
import { LocalSettingsFile } from '../local-settings';
import { repairPrivateDir } from '../private-files';
import { SyncStoppedError } from '../sync/engine';
import { beginSignIn, type PendingSignIn } from '../sync/enroll';
import { RevokedError, ServerError, ServerUnreachableError } from '../sync/errors';
import type { ServerClient } from '../sync/server-client';
import { isVaultDamage } from '../vault/errors';
import { cryptoShred, resumeInterruptedWipe, savePendingWipeConfirmation, sendPendingWipeConfirmation } from '../wipe';
import { AppStateMachine } from './app-state';
import { enrollSession } from './enroll-session';
import { LeaseCheckIn } from './lease-check-in';
import { settleBeforeSignIn, settlePendingEnrollment } from './pending-enrollment';
import { ClientSession, type SessionOptions, type SessionOwner } from './session';
import { retireOnServer } from './retire-on-server';
import { appSnapshot } from './snapshot';
import { UpdateGate } from './update-gate';
import { openVaultForSession, parseRecoveryNotice, watchIntegrity } from './vault-recovery';
import { VAULT_FILE, type AppServiceOptions, type Unlocked } from './options';

export { VAULT_FILE, type AppServiceOptions, type Unlocked } from './options';

const systemClock: Clock = { now: () => Date.now() };

export class AppController {
  readonly clock: Clock;
  readonly settings: LocalSettingsFile;
  readonly vaultPath: string;
  readonly state = new AppStateMachine();
  private session: ClientSession | null = null;
  private pendingSignIn: PendingSignIn | null = null;
  private wiping: Promise<void> | null = null;
  private repairing: Promise<void> | null = null;
  private closed = false;
  /** The server's minimum app version: lock while refused, unlock at an accepted check-in. */
  private readonly updates: UpdateGate;

  constructor(readonly options: AppServiceOptions) {
    this.updates = new UpdateGate(this.state, options.appVersion, () => this.emit());
    this.clock = options.clock ?? systemClock;
    this.settings = new LocalSettingsFile(options.dataDir);
    this.vaultPath = join(options.dataDir, VAULT_FILE);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async start(): Promise<void> {
    // 0700 directory, 0600 files: created so, and anything looser on disk tightened now.
    repairPrivateDir(this.options.dataDir);
    // A wipe interrupted by a crash (or a kill) finishes before anything else reads the disk.
    await resumeInterruptedWipe(this.options.dataDir, this.options.secrets);
    // A wipe confirmation an earlier run signed but could not send (killed, or offline) goes now.
    void sendPendingWipeConfirmation(this.options.dataDir, this.options.fetch).catch(() => undefined);
    // An enrollment a kill interrupted: retire that device on the server, shred what it left.
    const unfinished = await settlePendingEnrollment(this.enrollmentFiles());
    const settings = this.settings.read();
    this.state.locale = settings.locale ?? 'zh-CN';
    if (settings.lastWipe && !existsSync(this.vaultPath)) this.state.wiped(settings.lastWipe.phase, settings.lastWipe.reason);
    if (existsSync(this.vaultPath) && unfinished !== 'kept') await this.openExistingVault();
  }

  private enrollmentFiles() {
    return { ...this.options, vaultPath: this.vaultPath };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.state.close();
    await this.stopSession();
  }

  get hasVaultFile(): boolean {
    return existsSync(this.vaultPath);
  }

  get currentSession(): ClientSession | null {
    return this.session;
  }

  /**
   * Open the vault on disk (repairing it when damaged, naming a rollback) and resume its session;
   * a failure leaves it locked with the reason. `damaged`: corruption was seen while in use.
   */
  async openExistingVault(damaged = false): Promise<void> {
    let vault: VaultStore | null = null;
    let recovery: VaultRecovery | null = null;
    let resumed: Awaited<ReturnType<typeof ClientSession.resume>>;
    try {
      const opened = await openVaultForSession(this.vaultPath, this.options.secrets, this.clock, damaged);
      vault = opened.vault;
      recovery = opened.recovery;
      let mine: ClientSession | null = null;
      resumed = await ClientSession.resume(vault, this.options.secrets, this.sessionOptions(), this.ownerFor(() => mine));
      mine = resumed.session;
      this.updates.restore(vault);
      this.state.locale = (vault.getMeta('locale') as Locale | null) ?? this.state.locale;
    } catch (err) {
      // The data stays on disk (encrypted); the UI says why and offers retry or sign-out.
      vault?.close();
      this.state.cannotOpen(toApiError(err).code);
      return;
    }
    await this.attach(resumed.session, resumed.verdict, false);
    // A verdict that wiped (or a stop meanwhile) closed this vault: nothing left to tell.
    if (this.session !== resumed.session) return;
    // Told now and after every restart until dismissed: it may list edits to enter again.
    if (recovery) resumed.session.vault.setMeta('recoveryNotice', JSON.stringify(recovery));
    const notice = recovery ?? parseRecoveryNotice(resumed.session.vault.getMeta('recoveryNotice'));
    if (notice) {
      this.state.recovery = notice;
      this.emit();
    }
  }

  /** The user read the recovery notice: it is not shown again. */
  dismissRecovery(): void {
    this.session?.vault.setMeta('recoveryNotice', ''); // empty: dismissed
    this.state.recovery = null;
    this.emit();
  }

  /**
   * A read or write found the vault damaged while in use: stop the session and repair (the
   * outbox salvaged, the rest synced again). Concurrent reports share one repair.
   */
  repairSoon(): void {
    if (this.repairing || this.wiping || this.closed || !this.session) return;
    this.repairing = (async () => {
      await this.stopSession();
      if (!this.closed) await this.openExistingVault(true);
    })()
      .catch(() => undefined)
      .finally(() => {
        this.repairing = null;
        this.emit();
      });
  }

  /** Refuses a new sign-in while this device has a session or a vault file. */
  assertCanSignIn(): void {
    if (this.session || this.hasVaultFile) {
      // Includes a vault that could not be opened: it may hold unpushed edits, so it is
      // never replaced silently. Signing out is the explicit way to discard it.
      throw new AppError('validation_failed', 'this device already has a vault; sign out first');
    }
  }

  /** Step 1 done elsewhere (single sign-on, electron/core/sso): continue from this pending sign-in. */
  setPendingSignIn(pending: PendingSignIn): void {
    this.assertCanSignIn();
    this.pendingSignIn = pending;
    this.emit();
  }

  /** Step 1 of signing in: the password. */
  async beginSignIn(input: { serverUrl: string; username: string; password: string }): Promise<PendingSignIn> {
    if (!this.session) await settleBeforeSignIn(this.enrollmentFiles());
    this.assertCanSignIn();
    this.pendingSignIn = await beginSignIn({ ...input, appVersion: this.options.appVersion, fetch: this.options.fetch });
    this.emit();
    return this.pendingSignIn;
  }

  /** Step 2: the TOTP code; enrolls the device and starts the first sync in the background. */
  async completeSignIn(code: string): Promise<void> {
    const pending = this.pendingSignIn;
    if (!pending) throw new AppError('not_signed_in', 'enter your password first');
    if (this.session) throw new AppError('validation_failed', 'already signed in on this device');
    let enrolled: Awaited<ReturnType<typeof enrollSession>>;
    try {
      let mine: ClientSession | null = null;
      enrolled = await enrollSession({
        pending,
        code,
        secrets: this.options.secrets,
        settings: this.settings,
        vaultPath: this.vaultPath,
        options: this.sessionOptions(),
        owner: this.ownerFor(() => mine),
      });
      mine = enrolled.session;
    } catch (err) {
      // A wrong code can be retried with the same MFA token; anything else starts over.
      if (!(err instanceof ServerError && err.code === 'mfa_invalid')) this.pendingSignIn = null;
      throw err;
    }
    this.pendingSignIn = null;
    enrolled.session.vault.setMeta('locale', this.state.locale);
    await this.attach(enrolled.session, enrolled.verdict, true);
  }

  /** Make `session` the current one, apply its first verdict and start it (unless it wiped). */
  private async attach(session: ClientSession, verdict: LeaseEvaluation, online: boolean): Promise<void> {
    this.session = session;
    this.state.sessionUp(Boolean(session.vault.getMeta('lastSyncAt')), online);
    if (!(await this.applyLease(verdict)) || this.closed) return;
    session.start();
    // The whole-file integrity check runs beside the app; damage leads to the repair.
    if (!online) watchIntegrity(session.vault, () => this.session === session && this.repairSoon());
    // The first (or next) sync runs in the background; progress arrives through onStateChange.
    void this.runSync().catch(() => undefined);
  }

  private sessionOptions(): SessionOptions {
    const o = this.options;
    return {
      appVersion: o.appVersion,
      clock: this.clock,
      fetch: o.fetch,
      syncIntervalMs: o.syncIntervalMs,
      syncHooks: o.syncHooks,
      pullPageSize: o.pullPageSize,
      eventsMinBackoffMs: o.eventsMinBackoffMs,
    };
  }

  /** The session's reports, taken only while it is the current session. */
  private ownerFor(self: () => ClientSession | null): SessionOwner {
    const current = () => self() !== null && self() === this.session;
    // Reports are not awaited by the reporter: what the controller does about them runs as its own task.
    const act = (task: () => Promise<unknown>) => void task().catch(() => undefined);
    return {
      lease: (verdict) => {
        if (current()) act(() => this.applyLease(verdict));
      },
      revoked: (err) => {
        if (current()) act(() => this.handleRevoked(err));
      },
      progress: (progress) => {
        if (!current()) return;
        this.state.progress = progress;
        this.emit();
      },
      online: (online) => {
        if (!current()) return;
        this.state.online = online;
        this.emit();
      },
      syncWanted: () => {
        if (current()) act(() => this.runSync());
      },
      updateRequired: (details) => current() && this.updates.refused(this.session!.vault, details),
      checkedIn: () => current() && this.updates.accepted(this.session!.vault),
    };
  }

  private async stopSession(): Promise<void> {
    const session = this.session;
    this.session = null;
    await session?.stop();
  }

  // ---- lease and wipe ------------------------------------------------------------------------

  /**
   * Apply a verdict (false when it wiped). A lock or wipe checks in first: if the server answers,
   * its time and fresh grant decide (and the outbox is pushed); else the verdict applies as given.
   */
  async applyLease(given: LeaseEvaluation): Promise<boolean> {
    const session = this.session;
    if (!session) return false;
    let verdict = given;
    if (verdict.state !== 'ok') {
      const answered = await this.checkInFirst(session);
      if (this.session !== session) return false; // revoked (and wiped) or stopped meanwhile
      if (answered) verdict = session.leaseVerdict();
      // A clock far ahead of the trusted time is suspect only while the server can be asked: a
      // device that cannot reach it wipes on its own clock once the wipe-after moment has come.
      else if (verdict.state === 'locked' && verdict.clockSuspect && this.clock.now() >= verdict.wipeAt) {
        verdict = { ...verdict, state: 'wipe', reason: 'No check-in with the server for longer than the offline wipe-after period, and the server cannot be reached.' };
      }
    }
    const outcome = this.state.applyLease(verdict, Boolean(session.vault.getMeta('lastSyncAt')));
    if (outcome === 'wipe') {
      await this.wipe('wiped', 'wipe_after_expired', null);
      return false;
    }
    if (outcome === 'ok') session.noteTrustedTime();
    this.emit();
    if (outcome === 'ok' && verdict !== given && session.vault.outboxCount() > 0 && session === this.session) {
      void this.runSync().catch(() => undefined);
    }
    return true;
  }

  private readonly leaseCheckIn = new LeaseCheckIn();

  /** One check-in before a lock or wipe (session/lease-check-in.ts): true when the server answered. */
  private checkInFirst(session: ClientSession): Promise<boolean> {
    const unreachable = () => void (this.state.online = false);
    return this.leaseCheckIn.attempt(session.client, { revoked: (err) => this.handleRevoked(err), unreachable });
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
        // On disk before the key goes: after a kill the next start sends it (wipe/wipe-confirmation.ts).
        if (confirmation) savePendingWipeConfirmation(this.options.dataDir, confirmation.signed);
        // Record why first: if we crash mid-wipe the next start still shows the right screen.
        this.settings.update((s) => ({ ...s, lastWipe: { phase, reason, at: this.clock.now() }, locale: this.state.locale }));
        await this.stopSession();
        await cryptoShred({ vaultPath: this.vaultPath, secrets: this.options.secrets });
        this.state.wiped(phase, reason);
        this.emit();
        if (confirmation) await sendPendingWipeConfirmation(this.options.dataDir, this.options.fetch).catch(() => undefined);
      })().finally(() => {
        this.wiping = null;
      });
    }
    return this.wiping;
  }

  /** Sign out: push what waits, then shred the vault and its keys (the language stays). */
  async signOut(): Promise<void> {
    const session = this.session;
    if (session) {
      // Never drop unpushed edits: push first, refuse to sign out while they cannot be sent.
      if (session.vault.outboxCount() > 0) await this.runSync().catch(() => undefined);
      const unsent = this.session?.vault.outboxCount() ?? 0;
      if (unsent > 0) {
        throw new AppError('unsent_changes', `${unsent} edits are not uploaded yet; they stay on this device; sign out after they are uploaded`);
      }
    }
    // Tell the server first, signed by the device key the wipe below destroys (retire-on-server.ts).
    if (this.session) await retireOnServer(this.session.client);
    if (this.session || this.hasVaultFile) {
      await this.stopSession();
      await cryptoShred({ vaultPath: this.vaultPath, secrets: this.options.secrets });
    }
    this.settings.update((s) => ({ ...s, lastWipe: null, locale: this.state.locale }));
    this.pendingSignIn = null;
    this.state.signedOut();
    this.emit();
  }

  setLocale(locale: Locale): void {
    this.state.locale = locale;
    if (this.session) this.session.vault.setMeta('locale', locale);
    else this.settings.update((s) => ({ ...s, locale }));
    this.emit();
  }

  // ---- sync and server calls -----------------------------------------------------------------

  /** One sync with its effects on the state. Throws the sync's error (after handling it). */
  async runSync(): Promise<void> {
    const session = this.session;
    if (!session || this.closed) throw new AppError('not_signed_in', 'no vault is open');
    this.state.syncStarted();
    this.emit();
    try {
      await session.sync();
      this.state.syncSucceeded();
      this.emit();
    } catch (err) {
      if (err instanceof RevokedError) await this.handleRevoked(err);
      else if (isVaultDamage(err)) this.repairSoon();
      // A session that stopped under the sync (wipe, sign-out, close) has nothing to report.
      else if (!(err instanceof SyncStoppedError) && this.session === session) {
        const online = err instanceof ServerUnreachableError ? false : err instanceof ServerError ? true : null;
        this.state.syncFailed(toApiError(err).code, online);
        this.emit();
      }
      throw err;
    }
  }

  /** Server calls outside sync (admin, audit): a revocation seen here wipes like anywhere else. */
  async callServer<T>(fn: (client: ServerClient) => Promise<T>): Promise<T> {
    const session = this.requireSession();
    try {
      const value = await fn(session.client);
      this.state.online = true;
      return value;
    } catch (err) {
      if (err instanceof RevokedError) await this.handleRevoked(err);
      if (err instanceof ServerUnreachableError) {
        this.state.online = false;
        this.emit();
      }
      throw err;
    }
  }

  // ---- guards --------------------------------------------------------------------------------

  requireSession(): ClientSession {
    if (this.session) return this.session;
    const { phase, reason } = this.state;
    if (phase === 'revoked' || phase === 'wiped') throw new AppError('revoked', `this device was wiped (${reason ?? 'unknown reason'})`);
    throw new AppError('not_signed_in', 'sign in first');
  }

  /** Customer data is readable only while the lease holds: evaluated once per call, and applied. */
  requireUnlocked(): Unlocked {
    const session = this.requireSession();
    const verdict = session.leaseVerdict();
    const before = this.state.phase;
    const outcome = this.state.applyLease(verdict, Boolean(session.vault.getMeta('lastSyncAt')));
    // A wipe verdict goes through applyLease (check in first: the server's time may say otherwise).
    if (outcome === 'wipe') void this.applyLease(verdict).catch(() => undefined);
    else if (this.state.phase !== before) this.emit();
    if (outcome !== 'ok' || this.state.phase === 'locked') {
      throw new AppError('locked', `the app is locked (${this.state.reason ?? 'lease_expired'}); reconnect to the server`);
    }
    return { session, vault: session.vault, grant: session.grant, now: session.now() };
  }

  /** Does the role allow this action at all (offline pre-check; the server decides again)? */
  requireAction(grant: GrantClaims, action: Action): void {
    if (!authorizeAction(grant, action).allowed) throw new AppError('forbidden', `your role does not allow ${action}`);
  }

  // ---- state ---------------------------------------------------------------------------------

  snapshot(): AppState {
    return appSnapshot(this.state, this.session, {
      serverUrl: this.pendingSignIn?.serverUrl ?? this.settings.read().lastServerUrl ?? this.options.defaultServerUrl ?? null,
    });
  }

  emit(): void {
    this.state.emit(() => this.snapshot());
  }
}
