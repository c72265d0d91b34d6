// The app-state machine applies the lease verdict it is given (it never evaluates the lease
// itself) and moves between phases as docs/architecture.md draws them.
import { describe, expect, it } from 'vitest';
import type { AppState } from '../../../shared/api/desktop-api';
import type { LeaseEvaluation } from '../lease';
import { AppStateMachine } from './app-state';

const verdict = (state: LeaseEvaluation['state'], clockRolledBack = false): LeaseEvaluation => ({ state, reason: null, lockAt: 0, wipeAt: 0, clockRolledBack, clockSuspect: false });

describe('AppStateMachine', () => {
  it('locks on a "locked" verdict with its reason and unlocks on "ok" to where it was', () => {
    const s = new AppStateMachine();
    s.sessionUp(true, false);
    expect(s.phase).toBe('ready');
    expect(s.applyLease(verdict('locked'), true)).toBe('locked');
    expect([s.phase, s.reason]).toEqual(['locked', 'lease_expired']);
    expect(s.applyLease(verdict('locked', true), true)).toBe('locked');
    expect(s.reason).toBe('clock_rolled_back');
    expect(s.applyLease(verdict('ok'), false)).toBe('ok');
    expect([s.phase, s.reason]).toEqual(['first-sync', null]);
  });

  it('a "wipe" verdict is handed back to the caller and changes nothing until the wipe is done', () => {
    const s = new AppStateMachine();
    s.sessionUp(true, true);
    expect(s.applyLease(verdict('wipe'), true)).toBe('wipe');
    expect(s.phase).toBe('ready');
    s.wiped('wiped', 'wipe_after_expired');
    expect([s.phase, s.reason, s.online]).toEqual(['wiped', 'wipe_after_expired', false]);
  });

  it('a finished first sync makes the app ready; a failed one keeps the phase and records the error', () => {
    const s = new AppStateMachine();
    s.sessionUp(false, true);
    s.syncStarted();
    s.syncFailed('server_unreachable', false);
    expect([s.phase, s.online, s.sync]).toEqual(['first-sync', false, { status: 'error', lastError: 'server_unreachable' }]);
    s.syncSucceeded();
    expect([s.phase, s.online, s.sync]).toEqual(['ready', true, { status: 'idle', lastError: null }]);
  });

  it('emits only when what listeners see changed, and never after close', () => {
    const s = new AppStateMachine();
    const seen: string[] = [];
    s.onChange((state) => seen.push(state.phase));
    const snapshot = () => ({ phase: s.phase }) as never;
    s.emit(snapshot);
    s.emit(snapshot);
    s.signedOut();
    s.sessionUp(true, false);
    s.emit(snapshot);
    s.close();
    s.signedOut();
    s.emit(snapshot);
    expect(seen).toEqual(['signed-out', 'ready']);
  });
  it('each state it streams has a higher revision; an unchanged state is not streamed again', () => {
    const s = new AppStateMachine();
    const streamed: AppState[] = [];
    s.onChange((state) => streamed.push(state));
    // What the controller's snapshot would say: the machine's phase, with its last revision.
    const snapshot = () => ({ revision: s.revision, phase: s.phase }) as AppState;
    s.sessionUp(false, true);
    s.emit(snapshot);
    s.emit(snapshot); // nothing changed
    s.syncSucceeded();
    s.emit(snapshot);
    expect(streamed.map((x) => [x.revision, x.phase])).toEqual([[1, 'first-sync'], [2, 'ready']]);
    // A call answered now carries the revision of the last state streamed.
    expect(snapshot().revision).toBe(2);
  });
});
