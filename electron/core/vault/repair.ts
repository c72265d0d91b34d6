// Repairing a damaged vault without losing the edits it had not sent yet.
//
// 1. Salvage: the damaged file is opened read-only with the page HMAC check switched off (the
//    key is still required), and what can be read is read — the enrollment data from the meta
//    table and the outbox, row by row where a whole scan fails. Every salvaged edit must parse as
//    a mutation; anything garbled is dropped.
// 2. Where the file gave nothing (its first page unreadable), the enrollment data comes from the
//    high-water mark in the keychain (mark.ts), which also names the edits that could not be
//    salvaged.
// 3. The damaged files are removed and a fresh vault (a new key) is created with that enrollment
//    data and the salvaged outbox; the next sync pushes the outbox first and then pulls
//    everything again from the server.
//
// A crash between 3's removal and the new vault's first commit loses the salvaged edits (they
// are in memory only); the mark, written again after the repair, names them as lost then.

import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
import type { VaultRecovery } from '../../../shared/api/desktop-api';
import { mutationSchema, type Mutation } from '../../../shared/protocol/sync';
import { VAULT_KEY_ACCOUNT, type Clock, type SecretStore } from '../contracts';
import { VaultDamagedError } from './errors';
import { readMark, type VaultMark } from './mark';
import { Vault } from './vault';

const KEY_HEX = /^[0-9a-f]{64}$/i;
const IDENTITY_KEYS = ['deviceId', 'serverUrl', 'serverKey', 'grant', 'lastTrustedTime', 'locale'] as const;
type IdentityKey = (typeof IDENTITY_KEYS)[number];

export interface Salvage {
  meta: Partial<Record<IdentityKey, string>>;
  outbox: Mutation[];
}

/** Read what can still be read from a damaged vault file. Never throws. */
export function salvageVaultFile(path: string, keyHex: string | null, hint: VaultMark | null): Salvage {
  const salvage: Salvage = { meta: {}, outbox: [] };
  if (!keyHex || !KEY_HEX.test(keyHex) || !existsSync(path)) return salvage;
  let db: Db | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma('hmac_check=0');
    db.pragma(`key="x'${keyHex}'"`);
    for (const key of IDENTITY_KEYS) {
      const value = attempt(() => (db!.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value);
      if (typeof value === 'string') salvage.meta[key] = value;
    }
    const all = attempt(() => (db!.prepare('SELECT mutation FROM outbox ORDER BY seq').all() as { mutation: string }[]).map((r) => r.mutation));
    const raw: string[] = all ?? [];
    if (!all && hint) {
      // The scan failed: one lookup per edit the mark knows, through the unique index.
      for (const edit of hint.pending) {
        const one = attempt(() => (db!.prepare('SELECT mutation FROM outbox WHERE mutation_id = ?').get(edit.mutationId) as { mutation: string } | undefined)?.mutation);
        if (one) raw.push(one);
      }
    }
    for (const text of raw) {
      const parsed = attempt(() => mutationSchema.safeParse(JSON.parse(text)));
      if (parsed?.success) salvage.outbox.push(parsed.data);
    }
  } catch {
    // Nothing more can be read from this file.
  } finally {
    attempt(() => db?.close());
  }
  return salvage;
}

/**
 * Rebuild the vault at `path` from what the damaged file and the keychain mark still hold.
 * Throws VaultDamagedError when neither names the enrollment (nothing to rebuild with).
 */
export async function rebuildVault(
  path: string,
  secrets: SecretStore,
  clock: Clock,
  kind: VaultRecovery['kind'] = 'repaired',
): Promise<{ vault: Vault; recovery: VaultRecovery }> {
  const mark = await readMark(secrets);
  const salvage = salvageVaultFile(path, await secrets.get(VAULT_KEY_ACCOUNT), mark);
  const fromMark = mark?.identity;
  const deviceId = salvage.meta.deviceId ?? mark?.deviceId;
  const serverUrl = salvage.meta.serverUrl ?? fromMark?.serverUrl;
  const serverKey = salvage.meta.serverKey ?? fromMark?.serverKey;
  const grant = salvage.meta.grant ?? fromMark?.grant;
  if (!deviceId || !serverUrl || !serverKey || !grant) {
    throw new VaultDamagedError('The vault is damaged and neither it nor the keychain still names this device; sign out and sign in again.');
  }
  // A mark of another enrollment says nothing about this vault's edits.
  const markedEdits = mark && mark.deviceId === deviceId ? mark.pending : [];

  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
  await secrets.delete(VAULT_KEY_ACCOUNT);
  const vault = await Vault.create(path, secrets, { clock });
  try {
    vault.setMeta('deviceId', deviceId);
    vault.setMeta('serverUrl', serverUrl);
    vault.setMeta('serverKey', serverKey);
    vault.setMeta('grant', grant);
    const trusted = salvage.meta.lastTrustedTime ?? fromMark?.lastTrustedTime;
    if (trusted) vault.setMeta('lastTrustedTime', trusted);
    const locale = salvage.meta.locale ?? fromMark?.locale;
    if (locale) vault.setMeta('locale', locale);
    vault.restoreOutbox(salvage.outbox);
    await vault.saveMark();
  } catch (err) {
    vault.close();
    throw err;
  }
  const kept = new Set(salvage.outbox.map((m) => m.mutationId));
  return {
    vault,
    recovery: {
      kind,
      at: clock.now(),
      keptEdits: salvage.outbox.length,
      lostEdits: markedEdits.filter((e) => !kept.has(e.mutationId)),
    },
  };
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
