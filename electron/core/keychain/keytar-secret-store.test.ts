// KeytarSecretStore against the REAL Secret Service (gnome-keyring on a private D-Bus session):
// dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run electron/core/keychain'

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { KeychainUnavailableError, KeytarSecretStore, MemorySecretStore } from '.';

const run = promisify(execFile);
const service = `salesvault-test-keychain-${process.pid}-${randomUUID().slice(0, 8)}`;
const store = new KeytarSecretStore(service);
const accounts = ['vault-key', 'device-key', 'other'];

afterEach(async () => {
  for (const account of accounts) await store.delete(account);
});

describe('KeytarSecretStore (real Secret Service)', () => {
  it('round-trips set/get/delete and keeps accounts apart', async () => {
    const secret = randomUUID().replaceAll('-', '').repeat(2);
    expect(await store.get('vault-key')).toBeNull();
    await store.set('vault-key', secret);
    await store.set('device-key', 'device-secret');
    expect(await store.get('vault-key')).toBe(secret);
    expect(await store.get('device-key')).toBe('device-secret');
    await store.set('vault-key', 'replaced');
    expect(await store.get('vault-key')).toBe('replaced');
    expect(await store.delete('vault-key')).toBe(true);
    expect(await store.get('vault-key')).toBeNull();
    expect(await store.get('device-key')).toBe('device-secret');
    // Another service name does not see this service's entries.
    expect(await new KeytarSecretStore(`${service}-other`).get('device-key')).toBeNull();
  });

  it('deleting a missing entry is not an error', async () => {
    expect(await store.delete('other')).toBe(false);
    expect(await store.delete('other')).toBe(false);
  });

  it('rejects an empty service name', () => {
    expect(() => new KeytarSecretStore('  ')).toThrow(TypeError);
  });

  it('an unreachable Secret Service is a typed KeychainUnavailableError, not a crash', async () => {
    const child = fileURLToPath(new URL('../../../test/support/children/unreachable-keychain-child.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/sv-no-bus', SV_TEST_KEYCHAIN_SERVICE: service },
      timeout: 30_000,
    });
    const outcomes = JSON.parse(stdout) as Record<string, { ok: boolean; name?: string; code?: string; message?: string }>;
    for (const op of ['get', 'set', 'delete']) {
      expect(outcomes[op], op).toMatchObject({ ok: false, name: 'KeychainUnavailableError', code: 'keychain_unavailable' });
      expect(outcomes[op]!.message).toMatch(/keychain/i);
    }
    // The bogus bus never received the secret, and the real keychain does not have it either.
    expect(await store.get('vault-key')).toBeNull();
  });
});

describe('MemorySecretStore', () => {
  it('behaves like a secret store and can simulate an unavailable keychain', async () => {
    const memory = new MemorySecretStore();
    await memory.set('a', 'b');
    expect(await memory.get('a')).toBe('b');
    expect(await memory.delete('a')).toBe(true);
    expect(await memory.delete('a')).toBe(false);
    memory.unavailable = true;
    await expect(memory.get('a')).rejects.toBeInstanceOf(KeychainUnavailableError);
  });
});
