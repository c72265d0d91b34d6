// SecretStore over keytar: macOS Keychain, Windows Credential Manager, libsecret (Secret
// Service) on Linux. keytar is imported lazily so that a missing native module, or a machine
// without a Secret Service, surfaces as KeychainUnavailableError at the first call instead of
// crashing the process at import time.

import type * as KeytarModule from 'keytar';
import type { SecretStore } from '../contracts';
import { KeychainUnavailableError } from './errors';

type Keytar = typeof KeytarModule;

/** libsecret can block forever on a locked keyring waiting for a prompt nobody sees. */
const DEFAULT_TIMEOUT_MS = 10_000;

export class KeytarSecretStore implements SecretStore {
  private keytar: Promise<Keytar> | null = null;

  constructor(
    private readonly service: string,
    private readonly timeoutMs: number = DEFAULT_TIMEOUT_MS,
  ) {
    if (!service.trim()) throw new TypeError('KeytarSecretStore needs a non-empty service name');
  }

  get(account: string): Promise<string | null> {
    return this.call('read', account, (k) => k.getPassword(this.service, account));
  }

  set(account: string, secret: string): Promise<void> {
    return this.call('write', account, (k) => k.setPassword(this.service, account, secret));
  }

  delete(account: string): Promise<boolean> {
    return this.call('delete', account, (k) => k.deletePassword(this.service, account));
  }

  private loadKeytar(): Promise<Keytar> {
    this.keytar ??= import('keytar').then(
      (mod) => ((mod as { default?: Keytar }).default ?? mod) as Keytar,
      (cause: unknown) => {
        this.keytar = null; // allow a later retry (e.g. after the native module is rebuilt)
        throw new KeychainUnavailableError(`The OS keychain module could not be loaded: ${describe(cause)}`, { cause });
      },
    );
    return this.keytar;
  }

  private async call<T>(operation: string, account: string, run: (k: Keytar) => Promise<T>): Promise<T> {
    const keytar = await this.loadKeytar();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KeychainUnavailableError(`The OS keychain did not answer within ${this.timeoutMs} ms (${operation} '${account}'); is it locked?`)),
        this.timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([run(keytar), timeout]);
    } catch (cause) {
      if (cause instanceof KeychainUnavailableError) throw cause;
      throw new KeychainUnavailableError(`The OS keychain is unavailable (${operation} '${account}'): ${describe(cause)}`, { cause });
    } finally {
      clearTimeout(timer);
    }
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
