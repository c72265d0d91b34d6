// The fleet benchmark's size per benchmark scale (bench/scale.ts names the scales).

import type { ScaleName } from '../scale';

export interface FleetScale {
  streams: number;
  /** devices the role change re-scopes */
  rescope: number;
  /** sequential revocations timed */
  revocations: number;
  /** open-loop rates tried in turn (req/s), until p99 is far past the goal */
  loadRates: readonly number[];
  loadStepS: number;
  /** seconds of merely holding the streams over which the servers' CPU is measured */
  idleS: number;
}

export const FLEET_SCALES: Record<ScaleName, FleetScale> = {
  smoke: { streams: 200, rescope: 50, revocations: 20, loadRates: [25, 50, 100, 200], loadStepS: 2, idleS: 0 },
  medium: { streams: 2_000, rescope: 500, revocations: 50, loadRates: [50, 100, 200, 400, 800, 1_600], loadStepS: 5, idleS: 15 },
  full: { streams: 10_000, rescope: 1_000, revocations: 100, loadRates: [100, 200, 400, 800, 1_200, 1_600, 2_400, 3_200], loadStepS: 10, idleS: 15 },
};
