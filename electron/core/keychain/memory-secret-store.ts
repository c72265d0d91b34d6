import type { SecretStore } from '../contracts';
import { KeychainUnavailableError } from './errors';

/**
 * In-memory SecretStore for unit tests of code above the keychain only (never in production:
 * a key held here dies with the process and the vault with it). `unavailable = true` simulates
 * an unreachable keychain.
 */
export class MemorySecretStore implements SecretStore {
  readonly entries = new Map<string, string>();
  unavailable = false;

  async get(account: string): Promise<string | null> {
    this.check();
    return this.entries.get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    this.check();
    this.entries.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    this.check();
    return this.entries.delete(account);
  }

  private check(): void {
    if (this.unavailable) throw new KeychainUnavailableError('The in-memory keychain is marked unavailable');
  }
}
