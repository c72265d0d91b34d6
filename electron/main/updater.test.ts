// The Electron updater over a fake electron-updater (an event emitter with its methods): how its
// events become the status the update-required screen shows, and what check/install do.

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../shared/api/desktop-api';
import { electronUpdater, type AppUpdaterLike } from './updater';

class FakeAppUpdater extends EventEmitter implements AppUpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  allowDowngrade = true;
  feed: unknown = null;
  installs: unknown[][] = [];
  next: (self: FakeAppUpdater) => Promise<void> = async () => undefined;
  setFeedURL(options: { provider: 'generic'; url: string }): void {
    this.feed = options;
  }
  async checkForUpdates(): Promise<unknown> {
    this.emit('checking-for-update');
    await this.next(this);
    return null;
  }
  quitAndInstall(...args: unknown[]): void {
    this.installs.push(args);
  }
}

describe('electron-updater behind the Updater contract', () => {
  it('uses the configured generic feed, downloads what it finds and installs on quit, never downgrades', () => {
    const fake = new FakeAppUpdater();
    electronUpdater(fake, 'https://updates.corp.example/sv/', () => undefined);
    expect(fake.feed).toEqual({ provider: 'generic', url: 'https://updates.corp.example/sv/' });
    expect(fake).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: true, allowDowngrade: false });
    const keepBuilt = new FakeAppUpdater();
    electronUpdater(keepBuilt, null, () => undefined);
    expect(keepBuilt.feed).toBeNull();
  });

  it('reports checking → downloading with progress → downloaded, and installs only a downloaded update', async () => {
    const fake = new FakeAppUpdater();
    const updater = electronUpdater(fake, 'https://updates.corp.example/sv/', () => undefined);
    const seen: UpdateStatus['state'][] = [];
    updater.onStatus((s) => seen.push(s.state));
    expect(updater.quitAndInstall().state).toBe('idle');
    expect(fake.installs).toEqual([]);

    fake.next = async (self) => {
      self.emit('update-available', { version: '1.5.0' });
      self.emit('download-progress', { percent: 42.5 });
    };
    expect(await updater.check()).toEqual({ state: 'downloading', version: '1.5.0', percent: 42.5, message: null });
    // A second check while downloading starts nothing new.
    expect((await updater.check()).state).toBe('downloading');
    fake.emit('update-downloaded', { version: '1.5.0' });
    expect(updater.status()).toEqual({ state: 'downloaded', version: '1.5.0', percent: 100, message: null });
    expect(updater.quitAndInstall().state).toBe('downloaded');
    expect(fake.installs).toEqual([[false, true]]);
    expect(seen).toEqual(['checking', 'downloading', 'downloading', 'downloaded']);
  });

  it('says when nothing newer is published, and reports failures (a bad signature is an error event)', async () => {
    const fake = new FakeAppUpdater();
    const logged: string[] = [];
    const updater = electronUpdater(fake, 'https://updates.corp.example/sv/', (m) => logged.push(m));
    fake.next = async (self) => void self.emit('update-not-available', { version: '1.0.0' });
    expect((await updater.check()).state).toBe('not-available');
    fake.next = async (self) => void self.emit('error', new Error('New version 1.5.0 is not signed by the application owner'));
    expect(await updater.check()).toMatchObject({ state: 'error', message: 'New version 1.5.0 is not signed by the application owner' });
    fake.next = async () => {
      throw new Error('net::ERR_NAME_NOT_RESOLVED');
    };
    expect(await updater.check()).toMatchObject({ state: 'error', message: 'net::ERR_NAME_NOT_RESOLVED' });
    expect(logged).toEqual(['update failed', 'update check failed']);
  });
});
