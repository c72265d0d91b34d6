// Small, NON-secret settings kept beside the vault in dataDir/settings.json: the UI locale while
// no vault exists, the server keys pinned per server URL (public keys; pinning must outlive a
// wipe so that a re-enrollment is checked against the first key), and why the last wipe happened
// (so the "revoked"/"wiped" screen survives a restart).

import { randomUUID } from 'node:crypto';
import { closeSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, openPrivateFile } from './private-files';
import { z } from 'zod';

const settingsSchema = z.object({
  locale: z.enum(['zh-CN', 'en']).optional(),
  pinnedServerKeys: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  lastServerUrl: z.string().optional(),
  /**
   * A random id of this installation, kept outside the vault so that it outlives a sign-out: the
   * server recognises the same machine signing in again (no "new device" alert). Not a secret.
   */
  installId: z.string().uuid().optional(),
  lastWipe: z
    .object({ phase: z.enum(['revoked', 'wiped']), reason: z.string(), at: z.number() })
    .nullable()
    .optional(),
});
export type LocalSettings = z.infer<typeof settingsSchema>;

export class LocalSettingsFile {
  private readonly path: string;

  constructor(private readonly dataDir: string) {
    this.path = join(dataDir, 'settings.json');
  }

  read(): LocalSettings {
    try {
      const parsed = settingsSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // missing or unreadable: defaults (nothing in here is needed to protect data)
    }
    return { pinnedServerKeys: {} };
  }

  update(change: (current: LocalSettings) => LocalSettings): LocalSettings {
    const next = change(this.read());
    ensurePrivateDir(this.dataDir);
    // write-then-rename so a crash never leaves a half-written file; the file is 0600 before
    // anything is written to it (rename keeps the mode)
    const tmp = `${this.path}.tmp`;
    const fd = openPrivateFile(tmp);
    try {
      writeFileSync(fd, JSON.stringify(next, null, 2));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    return next;
  }
}

/** The pin key for a server: its origin (so a trailing slash or path does not re-pin). */
export function serverPinId(serverUrl: string): string {
  try {
    return new URL(serverUrl).origin;
  } catch {
    return serverUrl;
  }
}

/** This installation's id, created on first use. */
export function installIdOf(settings: LocalSettingsFile): string {
  const current = settings.read().installId;
  if (current) return current;
  const id = randomUUID();
  settings.update((s) => ({ ...s, installId: id }));
  return id;
}
