// The messages between the UI's thread and the import worker (off-thread.ts ↔ import-worker.ts),
// and how an error crosses between them: a structured clone drops an Error's class and its
// `code`, so both are carried explicitly and rebuilt on the other side. SQLite's codes
// (SQLITE_CORRUPT, SQLITE_FULL) must survive: the repair and the disk-full message depend on them.

import type { GrantClaims } from '../../../shared/protocol/grant';
import type { PullResponse } from '../../../shared/protocol/sync';
import { VaultCorruptError, VaultDamagedError, VaultError, VaultKeyMissingError, type VaultErrorCode } from './errors';
import type { ImportStage } from '../contracts';

export type ToWorker =
  | { type: 'open'; path: string; key: Uint8Array }
  | { type: 'apply'; page: PullResponse; claims: GrantClaims }
  | { type: 'close' };

export interface SerializedError {
  name: string;
  message: string;
  code: string | null;
}

export type FromWorker =
  | { type: 'opened' }
  | { type: 'stage'; stage: ImportStage }
  | { type: 'applied'; result: { upserted: number; removed: number } }
  | { type: 'failed'; error: SerializedError }
  | { type: 'closed' };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, code: typeof code === 'string' ? code : null };
  }
  return { name: 'Error', message: String(err), code: null };
}

export function deserializeError(e: SerializedError): Error {
  switch (e.name) {
    case 'VaultCorruptError':
      return new VaultCorruptError(e.message);
    case 'VaultDamagedError':
      return new VaultDamagedError(e.message);
    case 'VaultKeyMissingError':
      return new VaultKeyMissingError();
    case 'VaultError':
      return new VaultError(e.code as VaultErrorCode, e.message);
    default: {
      const err = new Error(e.message) as Error & { code?: string };
      err.name = e.name;
      if (e.code) err.code = e.code;
      return err;
    }
  }
}
