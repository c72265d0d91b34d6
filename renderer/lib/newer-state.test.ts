import { describe, expect, it } from 'vitest';
import type { AppState } from '../../shared/api/desktop-api';
import { newerState } from './newer-state';

const state = (revision: number, phase: AppState['phase']) => ({ revision, phase }) as AppState;

describe('newerState', () => {
  it('keeps a streamed state over an older answer of a call that is read after it', () => {
    const streamedReady = state(7, 'ready');
    const signInAnswer = state(5, 'first-sync');
    expect(newerState(streamedReady, signInAnswer)).toBe(streamedReady);
  });

  it('takes a newer state, and an answer of the same revision (it was taken after the last one streamed)', () => {
    const shown = state(5, 'first-sync');
    const streamed = state(6, 'ready');
    expect(newerState(shown, streamed)).toBe(streamed);
    const answer = state(6, 'ready');
    expect(newerState(streamed, answer)).toBe(answer);
    expect(newerState(null, shown)).toBe(shown);
  });
});
