// Helpers for the alert and review suites: a clock placed at a known local hour (the rules
// depend on the time of day) and JSON calls through a signed test device.

import type { TestDevice } from '../../../server/test/client';
import type { TestClock } from '../../../server/test/server';
import { localTime } from '../../../server/alerts/rules';

const MINUTE = 60_000;

/** Moves the (running) test clock forward to the next HH:05 in Asia/Shanghai. */
export function moveClockToShanghaiHour(clock: TestClock, hour: number): void {
  const now = clock.now();
  const local = localTime(now, 'Asia/Shanghai');
  const target = hour * 60 + 5;
  const ahead = (target - local.minutes + 24 * 60) % (24 * 60) || 24 * 60;
  clock.advance(ahead * MINUTE - (now % MINUTE));
}

export async function callJson(
  device: TestDevice,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await device.signedFetch(method, path, body);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
