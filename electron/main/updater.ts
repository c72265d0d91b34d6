// Signed updates in the Electron app: electron-updater behind the core's `Updater` contract
// (electron/core/contracts.ts). The feed is the company's own update server (generic provider),
// resolved from configuration by electron/core/updater/feed.ts. electron-updater verifies each
// download against the feed's sha512 and, on Windows, the installer's Authenticode signature by
// the same publisher (build/electron-builder.json `win.signtoolOptions.publisherName`); on macOS
// Squirrel.Mac requires the app's Developer ID signature. A found update downloads in the
// background and installs when the app quits, or at once on "restart and install".
// Rules and the release steps: docs/app-versions.md.

import type { UpdateStatus } from '../../shared/api/desktop-api';
import type { Updater } from '../core/contracts';

/** What the app uses of electron-updater's AppUpdater (tests pass a fake). */
export interface AppUpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'checking-for-update' | 'update-not-available', listener: () => void): unknown;
  on(event: 'update-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'download-progress', listener: (info: { percent: number }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const status = (state: UpdateStatus['state'], version: string | null = null, percent: number | null = null, message: string | null = null): UpdateStatus =>
  ({ state, version, percent, message });

/** `feedUrl` null: electron-updater keeps the feed the build was published with (app-update.yml). */
export function electronUpdater(updater: AppUpdaterLike, feedUrl: string | null, log: (message: string, error?: unknown) => void): Updater {
  if (feedUrl) updater.setFeedURL({ provider: 'generic', url: feedUrl });
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.allowDowngrade = false;
  let current = status('idle');
  const listeners = new Set<(s: UpdateStatus) => void>();
  const set = (next: UpdateStatus) => {
    current = next;
    for (const listener of listeners) listener({ ...next });
  };
  updater.on('checking-for-update', () => set(status('checking')));
  updater.on('update-not-available', () => set(status('not-available')));
  updater.on('update-available', (info) => set(status('downloading', info.version, 0)));
  updater.on('download-progress', (info) => set(status('downloading', current.version, Math.max(0, Math.min(100, info.percent)))));
  updater.on('update-downloaded', (info) => set(status('downloaded', info.version, 100)));
  updater.on('error', (error) => {
    log('update failed', error);
    set(status('error', current.version, null, error.message));
  });

  return {
    status: () => ({ ...current }),
    async check() {
      // One at a time; a download in progress or done is not started again.
      if (current.state === 'checking' || current.state === 'downloading' || current.state === 'downloaded') return { ...current };
      try {
        await updater.checkForUpdates();
      } catch (error) {
        log('update check failed', error);
        set(status('error', null, null, (error as Error).message));
      }
      return { ...current };
    },
    quitAndInstall() {
      if (current.state === 'downloaded') updater.quitAndInstall(false, true);
      return { ...current };
    },
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
