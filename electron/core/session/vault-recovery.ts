// Opening the vault for a session, and what to do when the file is not what it was: rolled back
// behind its keychain mark (named, the surviving outbox pushed by the next sync), or damaged (a
// failed integrity check, a first page that does not decrypt, enrollment data gone) — then it is
// rebuilt with its salvaged outbox (vault/repair.ts) instead of leaving the app locked with only
// sign-out, which would discard the unsent edits. A missing key or an unreachable keychain is
// not damage: the app stays locked and says which (the file may be fine).

import type { VaultRecovery } from '../../../shared/api/desktop-api';
import type { Clock, SecretStore, VaultStore } from '../contracts';
import { Vault } from '../vault';
import { VaultCorruptError, VaultDamagedError } from '../vault/errors';
import { rebuildVault } from '../vault/repair';

export interface OpenedVault {
  vault: Vault;
  recovery: VaultRecovery | null;
}

/** Open (or, when damaged, repair) the vault at `path`. `damaged`: corruption was already seen in use. */
export async function openVaultForSession(path: string, secrets: SecretStore, clock: Clock, damaged = false): Promise<OpenedVault> {
  if (damaged) return rebuildVault(path, secrets, clock);
  let vault: Vault;
  try {
    vault = await Vault.open(path, secrets, { clock });
  } catch (err) {
    if (err instanceof VaultDamagedError || err instanceof VaultCorruptError) return rebuildVault(path, secrets, clock);
    throw err;
  }
  let verdict: Awaited<ReturnType<Vault['checkMark']>>;
  try {
    if (!vault.getMeta('deviceId') || !vault.getMeta('grant')) {
      // It decrypts but its enrollment is gone: the file went back to before it. Rebuilt from
      // the keychain mark, which still names the device and the edits it had accepted.
      vault.close();
      return await rebuildVault(path, secrets, clock, 'rolled_back');
    }
    verdict = await vault.checkMark();
  } catch (err) {
    vault.close();
    throw err;
  }
  if (!verdict.rolledBack) return { vault, recovery: null };
  return { vault, recovery: { kind: 'rolled_back', at: clock.now(), keptEdits: vault.outboxCount(), lostEdits: verdict.lost } };
}

/**
 * Right after open, check the whole file on a worker thread; `onDamaged` runs when it is
 * damaged (the caller repairs, if this vault is still the one in use).
 */
export function watchIntegrity(vault: VaultStore, onDamaged: () => void): void {
  if (!(vault instanceof Vault)) return;
  void vault.checkIntegrityInBackground().then((verdict) => {
    if (verdict.state === 'damaged') onDamaged();
  });
}

/** The stored notice of a repair or rollback (vault meta `recoveryNotice`); '' once dismissed. */
export function parseRecoveryNotice(stored: string | null): VaultRecovery | null {
  if (!stored) return null;
  try {
    return JSON.parse(stored) as VaultRecovery;
  } catch {
    return null; // an unreadable notice is dropped, never an obstacle to opening
  }
}
