import type { AppState } from '../../shared/api/desktop-api';

/**
 * The state the renderer shows when another arrives: the newer of the two by revision. States
 * reach the renderer two ways — streamed as they change, and as the answer of a call (sign-in,
 * sync now, sign-out …) — and a call's answer can be read after a later change has already been
 * streamed; it must not put the screen back (a first sync that finished while the sign-in call's
 * answer was on its way would show the first-sync screen again until the next change).
 */
export function newerState(current: AppState | null, next: AppState): AppState {
  return current && next.revision < current.revision ? current : next;
}
