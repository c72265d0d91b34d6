// The app's state as the UI sees it (phase, reason, online, progress, sync status, locale) and
// the transitions between phases, in one place:
//
//   signed-out ─enroll→ first-sync ─first sync done→ ready
//   first-sync/ready ─lease verdict "locked"→ locked ─verdict "ok" (a check-in, the clock right)→ back
//   any ─verified revocation→ revoked        any ─verdict "wipe" (no check-in for the wipe-after period)→ wiped
//   a vault that cannot be opened (keychain, corrupt file) → locked with that reason
//   any session ─server refuses the app's version→ locked 'app_update_required' ─check-in accepted→ back
//     (while set, a lease verdict "ok" does not unlock: only a check-in of an allowed version does)
//
// The lease verdict comes from the session (after a grant, at the watcher's moments, or when data
// is asked for) and is applied as it is, never evaluated a second time here.

import type { AppState, AppStateReason, Locale, UpdateRequired, UpdateStatus, VaultRecovery } from '../../../shared/api/desktop-api';
import type { StateListener } from '../contracts';
import type { LeaseEvaluation } from '../lease';

export type LeaseOutcome = 'ok' | 'locked' | 'wipe';

export class AppStateMachine {
  phase: AppState['phase'] = 'signed-out';
  reason: string | null = null;
  online = false;
  progress: AppState['progress'] = null;
  sync: AppState['sync'] = { status: 'idle', lastError: null };
  locale: Locale = 'zh-CN';
  /** The last rollback or repair of the vault and what it lost (shown until the app restarts). */
  recovery: VaultRecovery | null = null;
  /** The server refuses this app's version: locked until a check-in is accepted (update-gate.ts). */
  updateRequired: UpdateRequired | null = null;
  /** The updater's state, as the update-required screen shows it. */
  update: UpdateStatus = { state: 'unavailable', version: null, percent: null, message: null };

  /** The revision of the last state streamed (AppState.revision). */
  revision = 0;

  private readonly listeners = new Set<StateListener>();
  private lastEmitted = '';
  private closed = false;

  /** Apply a lease verdict. 'wipe' changes nothing here: the caller wipes, then calls wiped(). */
  applyLease(verdict: LeaseEvaluation, hasSynced: boolean): LeaseOutcome {
    if (verdict.state === 'wipe') return 'wipe';
    if (this.updateRequired) {
      // Only an accepted check-in lifts it; its reason says what the user must do first.
      this.phase = 'locked';
      this.reason = 'app_update_required';
      return verdict.state;
    }
    if (verdict.state === 'locked') {
      this.phase = 'locked';
      this.reason = verdict.clockRolledBack ? 'clock_rolled_back' : verdict.clockSuspect ? 'clock_suspect' : 'lease_expired';
    } else if (this.phase === 'locked') {
      this.phase = hasSynced ? 'ready' : 'first-sync';
      this.reason = null;
    }
    return verdict.state;
  }

  /** A session is up (vault opened, or enrolled): ready once a first sync completed. */
  sessionUp(hasSynced: boolean, online: boolean): void {
    this.phase = hasSynced ? 'ready' : 'first-sync';
    this.reason = null;
    if (online) this.online = true;
  }

  /** The server refused this app's version: lock (the data stays encrypted on disk, nothing is wiped). */
  requireUpdate(details: UpdateRequired): void {
    this.updateRequired = details;
    if (this.phase === 'first-sync' || this.phase === 'ready' || this.phase === 'locked') {
      this.phase = 'locked';
      this.reason = 'app_update_required';
    }
  }

  /** A check-in was accepted: the update-required lock ends (the next lease verdict decides the phase). */
  updateAccepted(): void {
    this.updateRequired = null;
  }

  /** The vault exists but cannot be opened: the data stays on disk, the UI says why (a code it translates). */
  cannotOpen(code: AppStateReason | string): void {
    this.phase = 'locked';
    this.reason = code;
    this.sync = { status: 'error', lastError: code as AppState['sync']['lastError'] };
  }

  syncStarted(): void {
    this.sync = { status: 'syncing', lastError: this.sync.lastError };
  }

  syncSucceeded(): void {
    this.online = true;
    this.sync = { status: 'idle', lastError: null };
    if (this.phase === 'first-sync') this.phase = 'ready';
  }

  syncFailed(code: AppState['sync']['lastError'], online: boolean | null): void {
    if (online !== null) this.online = online;
    this.sync = { status: 'error', lastError: code };
  }

  /** After a crypto-shred (revocation or wipe-after), or at start when the last run ended in one. */
  wiped(phase: 'revoked' | 'wiped', reason: string): void {
    this.updateRequired = null;
    this.phase = phase;
    this.reason = reason;
    this.online = false;
    this.progress = null;
    this.sync = { status: 'idle', lastError: null };
  }

  signedOut(): void {
    this.updateRequired = null;
    this.phase = 'signed-out';
    this.reason = null;
    this.online = false;
    this.progress = null;
    this.sync = { status: 'idle', lastError: null };
  }

  // ---- listeners -----------------------------------------------------------------------------

  onChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell the listeners, when what they would see changed. */
  emit(snapshot: () => AppState): void {
    if (this.closed) return;
    let state: AppState;
    try {
      state = snapshot();
    } catch {
      return; // the vault is closing under us; the next change emits again
    }
    const { revision: _previous, ...content } = state;
    const json = JSON.stringify(content);
    if (json === this.lastEmitted) return;
    this.lastEmitted = json;
    this.revision += 1;
    state = { ...state, revision: this.revision };
    for (const listener of this.listeners) {
      try {
        listener(state);
      } catch {
        // a failing listener must not break the core
      }
    }
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
  }
}
