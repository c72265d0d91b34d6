import { describe, expect, it } from 'vitest';
import { CLOCK_ROLLBACK_TOLERANCE_MS, LeaseWatcher, evaluateLease, type LeaseEvaluation, type Scheduler } from '.';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 9); // grant issued / last check-in
const grant = { leaseUntil: T0 + 72 * HOUR, wipeAfter: T0 + 14 * 24 * HOUR };

describe('evaluateLease', () => {
  it('is ok before the lease, locked from leaseUntil, wipe from wipeAfter (boundaries inclusive)', () => {
    expect(evaluateLease(grant, T0, T0 + HOUR)).toMatchObject({ state: 'ok', reason: null, clockRolledBack: false, lockAt: grant.leaseUntil, wipeAt: grant.wipeAfter });
    expect(evaluateLease(grant, T0, grant.leaseUntil - 1).state).toBe('ok');
    expect(evaluateLease(grant, T0, grant.leaseUntil)).toMatchObject({ state: 'locked', reason: expect.stringMatching(/lease expired/) });
    expect(evaluateLease(grant, T0, grant.wipeAfter - 1).state).toBe('locked');
    expect(evaluateLease(grant, T0, grant.wipeAfter)).toMatchObject({ state: 'wipe', reason: expect.stringMatching(/wipe-after/) });
  });

  it('treats a clock set backwards as expired, within a small tolerance for drift', () => {
    const trusted = T0 + 10 * HOUR;
    expect(evaluateLease(grant, trusted, trusted - CLOCK_ROLLBACK_TOLERANCE_MS + 1)).toMatchObject({ state: 'ok', clockRolledBack: false });
    expect(evaluateLease(grant, trusted, trusted - CLOCK_ROLLBACK_TOLERANCE_MS - 1)).toMatchObject({ state: 'locked', clockRolledBack: true, reason: expect.stringMatching(/backwards/) });
    expect(evaluateLease(grant, trusted, T0 - 30 * 24 * HOUR)).toMatchObject({ state: 'locked', clockRolledBack: true });
  });

  it('a rolled-back clock cannot postpone the wipe: it is judged against the last trusted time', () => {
    const trusted = grant.wipeAfter + HOUR; // the vault already saw a time past wipe-after
    expect(evaluateLease(grant, trusted, grant.leaseUntil - HOUR)).toMatchObject({ state: 'wipe', clockRolledBack: true });
    // Also without a detected rollback (within tolerance), the trusted time counts.
    expect(evaluateLease(grant, grant.wipeAfter, grant.wipeAfter - 60_000).state).toBe('wipe');
  });

  it('a clock further ahead of the trusted time than a whole lease is suspect: it locks, it never wipes', () => {
    const issued = { ...grant, iat: Math.floor(T0 / 1000) }; // lease length 72 h
    // Trusted time close enough to the wipe moment: the local clock may decide the wipe.
    expect(evaluateLease(issued, grant.wipeAfter - 10 * HOUR, grant.wipeAfter)).toMatchObject({ state: 'wipe', clockSuspect: false });
    // 15 days ahead of the last trusted time: no proof that the wipe-after period passed.
    expect(evaluateLease(issued, T0, T0 + 15 * 24 * HOUR)).toMatchObject({ state: 'locked', clockSuspect: true, reason: expect.stringMatching(/far ahead/) });
    // Exactly one lease ahead is not yet suspect (and only locks: the lease ended).
    expect(evaluateLease(issued, T0, grant.leaseUntil)).toMatchObject({ state: 'locked', clockSuspect: false });
    // Without the grant's issue time nothing is suspect (the rule needs the lease length).
    expect(evaluateLease(grant, T0, T0 + 15 * 24 * HOUR)).toMatchObject({ state: 'wipe', clockSuspect: false });
  });
});

/**
 * A fake wall clock plus fake timers. Timers run on monotonic time (like real ones); the wall
 * clock can additionally be moved by hand (a user changing the system time).
 */
function fakeTime(start: number) {
  let mono = 0;
  let wallOffset = start;
  let nextId = 1;
  const timers = new Map<number, { due: number; fn: () => void }>();
  const scheduler: Scheduler = {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { due: mono + ms, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  const now = () => mono + wallOffset;
  return {
    clock: { now },
    scheduler,
    pending: () => timers.size,
    setWallClock: (t: number) => void (wallOffset = t - mono),
    /** Let `ms` of real time pass, running the timers that fall due, in order. */
    advanceBy(ms: number) {
      const target = mono + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.due <= target).sort((a, b) => a[1].due - b[1].due)[0];
        if (!due) break;
        timers.delete(due[0]);
        mono = Math.max(mono, due[1].due);
        due[1].fn();
      }
      mono = target;
    },
    advanceTo(wall: number) {
      this.advanceBy(wall - now());
    },
  };
}

function watch(start: number, trusted: () => number = () => start) {
  const time = fakeTime(start);
  const events: { kind: 'lock' | 'wipe'; at: number; evaluation: LeaseEvaluation }[] = [];
  const watcher = new LeaseWatcher({
    clock: time.clock,
    scheduler: time.scheduler,
    grant,
    lastTrustedTime: trusted,
    onLock: (evaluation) => events.push({ kind: 'lock', at: time.clock.now(), evaluation }),
    onWipe: (evaluation) => events.push({ kind: 'wipe', at: time.clock.now(), evaluation }),
  });
  return { time, events, watcher };
}

describe('LeaseWatcher', () => {
  it('fires lock exactly at leaseUntil and wipe exactly at wipeAfter while the app is open', () => {
    const { time, events, watcher } = watch(T0);
    watcher.start();
    expect(events).toEqual([]);
    time.advanceTo(grant.leaseUntil - 1);
    expect(events).toEqual([]);
    time.advanceTo(grant.leaseUntil);
    expect(events.map((e) => [e.kind, e.at])).toEqual([['lock', grant.leaseUntil]]);
    time.advanceTo(grant.wipeAfter - 1);
    expect(events).toHaveLength(1); // locked once, not on every recheck
    time.advanceTo(grant.wipeAfter + 10 * HOUR);
    expect(events.map((e) => [e.kind, e.at])).toEqual([['lock', grant.leaseUntil], ['wipe', grant.wipeAfter]]);
    expect(time.pending()).toBe(0); // nothing after a wipe
  });

  it('starting after the wipe-after moment wipes at once (app start after a long time offline)', () => {
    const { events, watcher, time } = watch(grant.wipeAfter + 1);
    watcher.start();
    expect(events.map((e) => e.kind)).toEqual(['wipe']);
    expect(time.pending()).toBe(0);
  });

  it('notices a wall clock set backwards while open, and locks', () => {
    const trustedAt = T0 + 5 * HOUR;
    const { time, events, watcher } = watch(trustedAt, () => trustedAt);
    watcher.start();
    time.setWallClock(T0 - 24 * HOUR); // user sets the clock back a day
    time.advanceBy(60_000); // the periodic recheck runs
    expect(events.map((e) => e.kind)).toEqual(['lock']);
    expect(events[0]!.evaluation.clockRolledBack).toBe(true);
  });

  it('stop() cancels the timers', () => {
    const { time, events, watcher } = watch(T0);
    watcher.start();
    watcher.stop();
    expect(time.pending()).toBe(0);
    time.advanceTo(grant.wipeAfter + 1);
    expect(events).toEqual([]);
  });
});
