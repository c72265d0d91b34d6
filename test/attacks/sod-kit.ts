// Shared set-up for the separation-of-duties attacks: a real server over HTTP with the fixture
// org (two IT admins, an auditor, a manager, reps), customers in both teams, and enrolled devices
// signing every request as the desktop app does.

import { expect } from 'vitest';
import { moveClockToShanghaiHour } from '../support/server/alert-kit';
import { addCustomer, ModelVault, pullPage, syncToEnd } from '../support/server/sync-kit';
import { enrollTestDevice, type TestDevice } from '../../server/test/client';
import type { FixtureUserKey } from '../../server/test/fixtures';
import { startTestServer, type TestServer } from '../../server/test/server';

export type Devices = Record<'itAdmin' | 'itAdmin2' | 'auditor' | 'manager' | 'rep' | 'rep2' | 'director', TestDevice>;

export interface World {
  s: TestServer;
  dev: Devices;
}

/** Customers: c1, c2 (rep.li, team A), c3 (mgr.zhang, team A), c4 (rep.wang, team B). */
export async function startWorld(): Promise<World> {
  const s = await startTestServer();
  // Office hours in the fixture's time zone: no off-hours alert interferes.
  moveClockToShanghaiHour(s.clock, 10);
  const u = s.fixture.users;
  await addCustomer(s, u.rep.id, 'c1');
  await addCustomer(s, u.rep.id, 'c2');
  await addCustomer(s, u.manager.id, 'c3');
  await addCustomer(s, u.rep2.id, 'c4');
  const dev = {} as Devices;
  for (const key of ['itAdmin', 'itAdmin2', 'auditor', 'manager', 'rep', 'rep2', 'director'] as const) {
    dev[key] = await enroll(s, key);
  }
  return { s, dev };
}

export function enroll(s: TestServer, key: FixtureUserKey): Promise<TestDevice> {
  const u = s.fixture.users[key];
  return enrollTestDevice(s.baseUrl, u.username, u.password, u.totpSecret, { now: s.clock.now });
}

// Response bodies are checked field by field in the tests; typing each would restate the schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

export async function send(device: TestDevice, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await device.signedFetch(method, path, body);
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
}

/** Every customer id a device can pull right now, from a fresh start (no cursor). */
export async function pulledCustomers(device: TestDevice): Promise<string[]> {
  await device.refresh();
  const vault = new ModelVault();
  await syncToEnd(device, vault);
  return vault.ids('customer');
}

/** The device's pull gives no customer record at all (and the request itself succeeds). */
export async function expectNoCustomers(device: TestDevice, why: string): Promise<void> {
  const first = await pullPage(device, null);
  expect(first.status, `${why}: ${first.text}`).toBe(200);
  expect(await pulledCustomers(device), why).toEqual([]);
}

export async function pendingRequests(s: TestServer): Promise<{ id: string; kind: string; target: string; status: string }[]> {
  return s.ctx.db.selectFrom('approval_requests').select(['id', 'kind', 'target', 'status']).orderBy('requested_at').execute();
}
