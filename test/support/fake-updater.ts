// Test support: an Updater (electron/core/contracts.ts) the test drives — what a check finds,
// progress, a downloaded update — without electron-updater or a feed.

import type { UpdateStatus } from '../../shared/api/desktop-api';
import type { Updater } from '../../electron/core/contracts';

export class FakeUpdater implements Updater {
  private current: UpdateStatus = { state: 'idle', version: null, percent: null, message: null };
  private readonly listeners = new Set<(s: UpdateStatus) => void>();
  /** what the next check finds: a version to download, or nothing */
  offer: string | null = null;
  checks = 0;
  installs = 0;

  status(): UpdateStatus {
    return { ...this.current };
  }
  async check(): Promise<UpdateStatus> {
    this.checks++;
    this.set({ state: 'checking', version: null, percent: null, message: null });
    this.set(this.offer ? { state: 'downloading', version: this.offer, percent: 0, message: null } : { state: 'not-available', version: null, percent: null, message: null });
    return this.status();
  }
  quitAndInstall(): UpdateStatus {
    if (this.current.state === 'downloaded') this.installs++;
    return this.status();
  }
  onStatus(listener: (s: UpdateStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** The download progresses (or finishes at 100). */
  progress(percent: number): void {
    this.set(percent >= 100
      ? { state: 'downloaded', version: this.current.version, percent: 100, message: null }
      : { state: 'downloading', version: this.current.version, percent, message: null });
  }
  private set(next: UpdateStatus): void {
    this.current = next;
    for (const l of this.listeners) l({ ...next });
  }
}
