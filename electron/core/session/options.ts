// What the app controller is built with (the Electron main process, the browser harness and the
// tests each pass their own), and what a handler that reads customer data is given.

import type { GrantClaims } from '../../../shared/protocol/grant';
import type { Clock, SecretStore, Updater, VaultStore } from '../contracts';
import type { SyncTestHooks } from '../sync/engine';
import type { OpenExternal } from '../sso/oidc-flow';
import type { ReminderNotifier } from '../reminders';
import type { ClientSession } from './session';

export const VAULT_FILE = 'vault.db';

export interface AppServiceOptions {
  dataDir: string;
  secrets: SecretStore;
  appVersion: string;
  clock?: Clock;
  defaultServerUrl?: string;
  fetch?: typeof fetch;
  /** Sync cadence while a vault is open (default 60 s). */
  syncIntervalMs?: number;
  /** Crash-test pause points (tests only). */
  syncHooks?: SyncTestHooks;
  /** Records per pull page (tests use small pages to stop mid-pull). */
  pullPageSize?: number;
  /** Event-stream reconnect backoff floor (tests shorten it). */
  eventsMinBackoffMs?: number;
  /** Opens a URL in the system browser (single sign-on). Electron passes shell.openExternal. */
  openExternal?: OpenExternal;
  /** Shows follow-up reminders on the desktop (Electron's Notification); none: in-app only. */
  notifier?: ReminderNotifier;
  /** How often due reminders are checked (default 30 s; tests shorten it). */
  reminderIntervalMs?: number;
  /** The app's updater (Electron: electron-updater; default: cannot update itself here). */
  updater?: Updater;
}

/** What a handler that reads customer data works with: an unlocked session at one instant. */
export interface Unlocked {
  session: ClientSession;
  vault: VaultStore;
  grant: GrantClaims;
  now: number;
}
