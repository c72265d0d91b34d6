// How much room the drive that holds the vault has, and how much the vault needs to go on
// writing: SQLite grows the write-ahead log before a checkpoint folds it back into the file, so
// the app asks for a tenth of the vault's size and never less than 50 MB.

import { statfsSync, statSync } from 'node:fs';

const MIN_NEEDED_BYTES = 50_000_000;

export function diskSpace(dir: string, vaultPath: string): { freeBytes: number; neededBytes: number } | null {
  try {
    const fs = statfsSync(dir);
    let vaultBytes = 0;
    try {
      vaultBytes = statSync(vaultPath).size;
    } catch {
      // no vault file yet (a full disk during enrollment)
    }
    return { freeBytes: fs.bavail * fs.bsize, neededBytes: Math.max(MIN_NEEDED_BYTES, Math.ceil(vaultBytes / 10)) };
  } catch {
    return null; // the figures are a help, never a second failure
  }
}
