// The offline lease: lock when the lease runs out without a check-in, crypto-wipe
// after the wipe-after period, and treat a clock set backwards as expired. Pure decisions over
// an injected clock, so every case is testable without waiting.

import type { GrantClaims } from '../../../shared/protocol/grant';
import type { Clock } from '../contracts';

/** Clocks drift and NTP corrects them; only a jump back beyond this counts as a rollback. */
export const CLOCK_ROLLBACK_TOLERANCE_MS = 5 * 60 * 1000;

export type LeaseState = 'ok' | 'locked' | 'wipe';

export interface LeaseEvaluation {
  state: LeaseState;
  /** Why the state is not ok (English, for logs and the lock screen's detail); null when ok. */
  reason: string | null;
  lockAt: number;
  wipeAt: number;
  clockRolledBack: boolean;
  /**
   * The clock stands ahead of the last trusted time by more than the grant's lease length: that
   * may be a clock set forward rather than time that passed, so it locks but never wipes.
   */
  clockSuspect: boolean;
}

/** `iat` (seconds) gives the lease length; without it no reading counts as suspect. */
type LeaseTimes = Pick<GrantClaims, 'leaseUntil' | 'wipeAfter'> & { iat?: number };

/**
 * `lastTrustedTime` is the highest time the vault has seen (server time at check-in, or the
 * local clock while it was not behind). A `now` well below it means the clock was set back:
 * the lease counts as expired, and the wipe is judged against the trusted time, so moving the
 * clock back can neither unlock the app nor postpone the wipe.
 */
export function evaluateLease(grant: LeaseTimes, lastTrustedTime: number, now: number): LeaseEvaluation {
  const lockAt = grant.leaseUntil;
  const wipeAt = grant.wipeAfter;
  const trusted = Number.isFinite(lastTrustedTime) ? lastTrustedTime : 0;
  const clockRolledBack = now < trusted - CLOCK_ROLLBACK_TOLERANCE_MS;
  const effectiveNow = clockRolledBack ? trusted : Math.max(now, trusted);
  // Trusted time moves with the server's answers and with the time this process saw pass; a
  // reading further ahead of it than a whole lease is not proof that the wipe-after moment came.
  const leaseLength = grant.iat === undefined ? Number.POSITIVE_INFINITY : grant.leaseUntil - grant.iat * 1000;
  const clockSuspect = !clockRolledBack && trusted > 0 && now - trusted > leaseLength;
  const base = { lockAt, wipeAt, clockRolledBack, clockSuspect };
  if (effectiveNow >= wipeAt && clockSuspect) {
    return { ...base, state: 'locked', reason: 'The system clock is far ahead of the last time the server confirmed; reconnect to the server to unlock.' };
  }
  if (effectiveNow >= wipeAt) {
    return { ...base, state: 'wipe', reason: 'No check-in with the server for longer than the offline wipe-after period.' };
  }
  if (clockRolledBack) {
    return { ...base, state: 'locked', reason: 'The system clock was set backwards; reconnect to the server to unlock.' };
  }
  if (effectiveNow >= lockAt) {
    return { ...base, state: 'locked', reason: 'The offline lease expired; reconnect to the server to unlock.' };
  }
  return { ...base, state: 'ok', reason: null };
}

/** Timers, injectable so tests can run the watcher on a fake clock. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.(); // the watcher alone must not keep a process alive
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Timers run on a monotonic clock while the lease is on the wall clock: re-check at least this
 * often so a wall-clock jump (sleep, manual change) is noticed soon.
 */
export const LEASE_RECHECK_MS = 30_000;

export interface LeaseWatcherOptions {
  clock: Clock;
  grant: LeaseTimes;
  lastTrustedTime: () => number;
  onLock: (evaluation: LeaseEvaluation) => void;
  onWipe: (evaluation: LeaseEvaluation) => void;
  scheduler?: Scheduler;
  recheckMs?: number;
}

/**
 * Fires onLock / onWipe at the moments the lease says, while the app is open. Each fires once
 * per watcher (a new grant means a new watcher). A wipe supersedes a lock.
 */
export class LeaseWatcher {
  private handle: unknown = null;
  private running = false;
  private locked = false;
  private wiped = false;
  private readonly scheduler: Scheduler;
  private readonly recheckMs: number;

  constructor(private readonly options: LeaseWatcherOptions) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.recheckMs = options.recheckMs ?? LEASE_RECHECK_MS;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.check();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== null) this.scheduler.clearTimeout(this.handle);
    this.handle = null;
  }

  /** Evaluate now, fire what is due, and schedule the next moment that matters. */
  check(): LeaseEvaluation {
    const now = this.options.clock.now();
    const evaluation = evaluateLease(this.options.grant, this.options.lastTrustedTime(), now);
    if (this.handle !== null) this.scheduler.clearTimeout(this.handle);
    this.handle = null;
    if (!this.running) return evaluation;

    if (evaluation.state === 'wipe') {
      if (!this.wiped) {
        this.wiped = true;
        this.options.onWipe(evaluation);
      }
      this.stop(); // nothing comes after a wipe
      return evaluation;
    }
    if (evaluation.state === 'locked' && !this.locked) {
      this.locked = true;
      this.options.onLock(evaluation);
    }
    if (!this.running) return evaluation; // a callback stopped us
    const next = evaluation.state === 'ok' ? evaluation.lockAt : evaluation.wipeAt;
    // A rolled-back clock may never reach `next`; the periodic recheck covers that case too.
    const delay = Math.max(0, Math.min(next - now, this.recheckMs));
    this.handle = this.scheduler.setTimeout(() => this.check(), delay);
    return evaluation;
  }
}
