// The vault's high-water mark, kept OUTSIDE the vault file: in the OS keychain, beside the vault
// key (account 'vault-mark'). A vault file can go back in time without anybody deciding so — its
// WAL deleted by a cleaner, a backup or a sync tool restoring an older copy — and then every edit
// it had accepted since is gone from it. The vault alone cannot notice that; the mark can.
//
// The mark holds: the outbox sequence (a counter the vault moves in the same transaction as every
// outbox change), the edits accepted locally and not yet acknowledged by the server (ids and what
// they were, never field values), and what a rebuilt vault needs to talk to the server again
// (device id, server address, pinned server key, last grant, last trusted time — none of it
// secret). It is rewritten after each outbox change, after the vault committed it.
//
// At open: a vault whose sequence is BELOW the mark's was rolled back. The edits the mark lists as
// pending that the vault no longer holds are lost — named to the user; the edits still in the
// outbox are pushed by the next sync as usual. A vault AHEAD of its mark (a crash between the
// commit and the keychain write) is normal: the mark just catches up.

import type { OutboxItem } from '../../../shared/api/desktop-api';
import { VAULT_MARK_ACCOUNT, type SecretStore } from '../contracts';

export type MarkedEdit = Omit<OutboxItem, 'attempts'>;

export interface VaultMark {
  v: 1;
  deviceId: string;
  seq: number;
  pending: MarkedEdit[];
  identity: { serverUrl: string; serverKey: string; grant: string; lastTrustedTime: string | null; locale: string | null } | null;
}

/** The mark's view of an open vault (what `snapshotMark` needs). */
export interface MarkSource {
  deviceId: string | null;
  seq: number;
  pending: readonly OutboxItem[];
  meta: (key: 'serverUrl' | 'serverKey' | 'grant' | 'lastTrustedTime' | 'locale') => string | null;
}

/** Labels are cut short: the mark says which edit, not what was typed. */
const LABEL_MAX = 40;

export function snapshotMark(source: MarkSource): VaultMark | null {
  if (!source.deviceId) return null;
  const serverUrl = source.meta('serverUrl');
  const serverKey = source.meta('serverKey');
  const grant = source.meta('grant');
  return {
    v: 1,
    deviceId: source.deviceId,
    seq: source.seq,
    pending: source.pending.map((e) => ({
      mutationId: e.mutationId,
      entity: e.entity,
      op: e.op,
      recordId: e.recordId,
      label: e.label.slice(0, LABEL_MAX),
      createdAt: e.createdAt,
    })),
    identity:
      serverUrl && serverKey && grant
        ? { serverUrl, serverKey, grant, lastTrustedTime: source.meta('lastTrustedTime'), locale: source.meta('locale') }
        : null,
  };
}

export async function readMark(secrets: SecretStore): Promise<VaultMark | null> {
  const raw = await secrets.get(VAULT_MARK_ACCOUNT);
  if (!raw) return null;
  try {
    const mark = JSON.parse(raw) as VaultMark;
    return mark && mark.v === 1 && typeof mark.seq === 'number' && Array.isArray(mark.pending) ? mark : null;
  } catch {
    return null; // an unreadable mark is no mark: it is rewritten from the vault
  }
}

export async function writeMark(secrets: SecretStore, mark: VaultMark | null): Promise<void> {
  if (mark) await secrets.set(VAULT_MARK_ACCOUNT, JSON.stringify(mark));
}

/** Compare an opened vault with its mark. `lost` is empty unless the vault was rolled back. */
export function compareWithMark(mark: VaultMark | null, source: MarkSource): { rolledBack: boolean; lost: MarkedEdit[] } {
  if (!mark || mark.deviceId !== source.deviceId || source.seq >= mark.seq) return { rolledBack: false, lost: [] };
  const held = new Set(source.pending.map((e) => e.mutationId));
  return { rolledBack: true, lost: mark.pending.filter((e) => !held.has(e.mutationId)) };
}

/**
 * Writes the mark after each outbox change, one write at a time and always the latest state
 * (a write that fails leaves the vault ahead of its mark, which is safe).
 */
export class MarkWriter {
  private chain: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    private readonly secrets: SecretStore,
    private readonly snapshot: () => VaultMark | null,
  ) {}

  schedule(): Promise<void> {
    this.dirty = true;
    this.chain = this.chain.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      let mark: VaultMark | null;
      try {
        mark = this.snapshot();
      } catch {
        return; // the vault closed under us: the next open rewrites the mark
      }
      await writeMark(this.secrets, mark).catch(() => undefined);
    });
    return this.chain;
  }

  flush(): Promise<void> {
    return this.chain;
  }
}
