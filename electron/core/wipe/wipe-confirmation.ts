// The wipe confirmation outlives the vault. A revoked device signs its confirmation while the
// device key still exists; the signed request (URL, headers, body — a device id, a directive's
// issue time and a signature, no customer data) is written durably to
// `<dataDir>/wipe-confirmation.json` (0600) BEFORE the crypto-shred destroys the key, and the file
// is deleted only once the server answered. A kill anywhere in between leaves the file, and the
// next start sends it (the key is gone by then, so the signature made before the shred is the
// only proof the device can still give).

import { closeSync, existsSync, fsyncSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { openPrivateFile } from '../private-files';
import type { SignedRequest } from '../sync/server-client';

export const WIPE_CONFIRMATION_FILE = 'wipe-confirmation.json';

const signedRequestSchema = z.object({
  url: z.string().url(),
  method: z.enum(['GET', 'POST', 'PATCH', 'DELETE']),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});

export function wipeConfirmationPath(dataDir: string): string {
  return join(dataDir, WIPE_CONFIRMATION_FILE);
}

/** Write the signed confirmation durably (write, fsync) before anything is destroyed. */
export function savePendingWipeConfirmation(dataDir: string, request: SignedRequest): void {
  const path = wipeConfirmationPath(dataDir);
  const tmp = `${path}.tmp`;
  const fd = openPrivateFile(tmp);
  try {
    writeSync(fd, JSON.stringify(signedRequestSchema.parse(request)));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // rename keeps the 0600 mode; a torn write never replaces a good file
  renameSync(tmp, path);
}

export function hasPendingWipeConfirmation(dataDir: string): boolean {
  return existsSync(wipeConfirmationPath(dataDir));
}

export type WipeConfirmationOutcome = 'none' | 'sent' | 'refused' | 'unreachable';

/**
 * Send a confirmation left by an earlier wipe. `sent` and `refused` (the server answered: a
 * refusal will not change by retrying) delete the file; `unreachable` keeps it for the next start.
 */
export async function sendPendingWipeConfirmation(dataDir: string, fetchImpl: typeof fetch = fetch): Promise<WipeConfirmationOutcome> {
  const path = wipeConfirmationPath(dataDir);
  if (!existsSync(path)) return 'none';
  let request: SignedRequest;
  try {
    request = signedRequestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    rmSync(path, { force: true }); // unreadable: nothing could ever be sent from it
    return 'refused';
  }
  let res: Response;
  try {
    res = await fetchImpl(request.url, { method: request.method, headers: request.headers, body: request.body || undefined });
  } catch {
    return 'unreachable';
  }
  if (res.status >= 500) return 'unreachable';
  rmSync(path, { force: true });
  return res.ok ? 'sent' : 'refused';
}
