// Steps shared by the browser specs and the Electron spec (page objects take any Page).

import { expect } from '@playwright/test';
import type { App } from '../pages/App';
import type { E2eServer } from './fixtures';
import type { ServerCustomer } from './server-db';

/**
 * The list shows exactly the customers the server's permission engine lets this user read:
 * the same count, the same names. Returns them.
 */
export async function expectListMatchesServerScope(app: App, server: E2eServer, username: string): Promise<ServerCustomer[]> {
  const expected = await server.db.visibleCustomers(username);
  // Users with customer data land on the home page (the list is one menu item away).
  await app.shell.open('customers');
  await expect.poll(() => app.customers.total()).toBe(expected.length);
  expect((await app.customers.names()).sort()).toEqual(expected.map((c) => c.name).sort());
  return expected;
}
