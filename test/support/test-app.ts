// Test support: an app service over a temp data dir and the REAL keychain, enrolled against a
// real server by signing in with password + TOTP like a user would.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppState, Result } from '../../shared/api/desktop-api';
import { expect } from 'vitest';
import { VAULT_FILE, createAppService, type AppService, type AppServiceOptions } from '../../electron/core/app-service';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT, VAULT_MARK_ACCOUNT, type SecretStore } from '../../electron/core/contracts';
import { KeytarSecretStore } from '../../electron/core/keychain';
import { uniqueKeychainService, totpFor, type RealServer } from './real-server';

export interface TestApp {
  app: AppService;
  dataDir: string;
  secrets: SecretStore;
  keychainService: string;
  options: AppServiceOptions;
  reopen(extra?: Partial<AppServiceOptions>): Promise<AppService>;
  cleanup(): Promise<void>;
}

export function unwrap<T>(result: Result<T>, what = 'call'): T {
  if (!result.ok) throw new Error(`${what} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function newTestApp(label: string, extra: Partial<AppServiceOptions> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), `sv-app-${label}-`));
  const keychainService = uniqueKeychainService(label);
  const secrets = new KeytarSecretStore(keychainService);
  const options: AppServiceOptions = {
    dataDir,
    secrets,
    appVersion: 'test-1.0',
    syncIntervalMs: 3_600_000, // syncs in tests are explicit or event-driven
    eventsMinBackoffMs: 100,
    ...extra,
  };
  const app = await createAppService(options);
  const testApp: TestApp = {
    app,
    dataDir,
    secrets,
    keychainService,
    options,
    async reopen(more = {}) {
      testApp.app = await createAppService({ ...options, ...more });
      return testApp.app;
    },
    async cleanup() {
      await testApp.app.close();
      await secrets.delete(VAULT_KEY_ACCOUNT).catch(() => false);
      await secrets.delete(DEVICE_KEY_ACCOUNT).catch(() => false);
      await secrets.delete(VAULT_MARK_ACCOUNT).catch(() => false);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testApp;
}

/** Password → TOTP (retrying the next step if this one was already used) → enrolled and synced. */
export async function signInAndSync(app: AppService, server: RealServer, user: { username: string; password: string; totpSecret: string }): Promise<AppState> {
  unwrap(await app.signIn({ serverUrl: server.url, username: user.username, password: user.password }), 'signIn');
  let enrolled: Result<AppState> | null = null;
  for (const offset of [0, 1]) {
    enrolled = await app.verifyMfa({ code: totpFor(user, offset) });
    if (enrolled.ok || enrolled.error.code !== 'mfa_invalid') break;
  }
  unwrap(enrolled as Result<AppState>, 'verifyMfa');
  return unwrap(await app.syncNow(), 'syncNow');
}

export async function stateOf(app: AppService): Promise<AppState> {
  return unwrap(await app.getState(), 'getState');
}

/** The device was crypto-shredded: both keychain entries and every vault file are gone. */
export async function expectShredded(t: TestApp): Promise<void> {
  expect(await t.secrets.get(VAULT_KEY_ACCOUNT)).toBeNull();
  expect(await t.secrets.get(DEVICE_KEY_ACCOUNT)).toBeNull();
  expect(readdirSync(t.dataDir).filter((f) => f.startsWith(VAULT_FILE))).toEqual([]);
}
