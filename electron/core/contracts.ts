// CONTRACT between the client core's parts: the keychain, the vault, the wipe and the sync
// engine. Plain Node, never `electron`. Implementations:
//   keychain/  – SecretStore over keytar (OS keychain) + an in-memory store for unit tests
//   vault/     – the SQLCipher vault (class Vault implements VaultStore)
//   wipe/      – crypto-shred
//   sync/      – server client, enrollment, pull/push, event stream
//   session/   – the signed-in device: vault + server client + sync engine + event stream + grant
//   updater/   – Updater where the app cannot update itself (the Electron one is in electron/main)
//   app-service.ts – the DesktopApi (used by Electron main over IPC and by the harness)

import type { EntityType } from '../../shared/domain/model';
import type { AppState, ChildCursor, ChildPage, CustomerDetail, CustomerListItem, HomeOverview, OutboxItem, SyncIssue, TeamDashboard, UpdateStatus } from '../../shared/api/desktop-api';
import type { Mutation, MutationResult, OfflineAuditEntry, PullResponse } from '../../shared/protocol/sync';
import type { GrantClaims } from '../../shared/protocol/grant';
import type { z } from 'zod';
import type { searchCustomersInput } from '../../shared/api/desktop-api';
import type { listOpportunitiesInput, OpportunityPage, OpportunityView, TeamDashboardFilter } from '../../shared/api/opportunities';

/** Epoch-ms clock; injected so lease/wipe/rollback logic is testable. */
export interface Clock {
  now(): number;
  /**
   * Milliseconds on a clock nobody can set (default `performance.now()`): the time this process
   * saw pass, which the lease trusts where the wall clock alone is not proof.
   */
  monotonic?(): number;
}

/**
 * A secret store (the OS keychain in production). Accounts used:
 *   'vault-key'   – 64 hex chars: the vault's raw 256-bit SQLCipher key
 *   'device-key'  – the device's Ed25519 private key (PKCS#8 DER, base64)
 *   'vault-mark'  – the vault's high-water mark (JSON, no key material; see vault/mark.ts)
 * Every method rejects with KeychainUnavailableError when the store cannot be reached.
 */
export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** true when something was deleted */
  delete(account: string): Promise<boolean>;
}

export const VAULT_KEY_ACCOUNT = 'vault-key';
export const DEVICE_KEY_ACCOUNT = 'device-key';
export const VAULT_MARK_ACCOUNT = 'vault-mark';

/** Singletons the vault keeps in its meta table. */
export interface VaultMeta {
  serverUrl: string;
  deviceId: string;
  /** the current grant (compact JWS, verified before storing) */
  grant: string;
  /** pinned server public key (JWK JSON) */
  serverKey: string;
  cursor: string;
  lastSyncAt: string;
  /** highest clock value ever observed (ms); now() below it means the clock went backwards */
  lastTrustedTime: string;
  locale: string;
  /** the notice of a repair or a rollback (VaultRecovery JSON) until the user dismisses it, then '' */
  recoveryNotice: string;
  /**
   * The server's last app_update_required refusal as JSON (UpdateRequired), '' when none: the app
   * stays locked across restarts until a check-in succeeds (session/update-gate.ts).
   */
  updateRequired: string;
}

export type SearchInput = z.output<typeof searchCustomersInput>;

/**
 * A customer as the vault stores it: the records (already projected to the user's read
 * clearance), the server's write verdict from the last pull, and whether local edits wait.
 * What the user may do with it is decided in record-access.ts, not by the vault.
 */
export interface StoredCustomer {
  customer: CustomerDetail['customer'];
  /** The first page of each child list, its counts and where each continues (listChildren). */
  contacts: CustomerDetail['contacts'];
  opportunities: CustomerDetail['opportunities'];
  activities: CustomerDetail['activities'];
  counts: CustomerDetail['counts'];
  next: CustomerDetail['next'];
  /** the server's verdict: this user may write this customer and its children */
  writable: boolean;
  pending: boolean;
}

/** The child lists of a customer, and what one row of each is as stored. */
export type ChildEntity = 'contact' | 'opportunity' | 'activity';
export interface StoredChild {
  contact: CustomerDetail['contacts'][number];
  opportunity: CustomerDetail['opportunities'][number];
  activity: CustomerDetail['activities'][number];
}

/** A follow-up (docs/follow-ups.md) as stored, with its customer's name and the server's write verdict. */
export interface StoredFollowUp {
  record: Record<string, unknown> & { id: string };
  customerId: string;
  customerName: string;
  authorName: string | null;
  /** the server's verdict on the customer (from the last pull) */
  writable: boolean;
  pending: boolean;
}

export interface FollowUpQuery {
  /** only this author's follow-ups; null = every one in the vault (the user's scope) */
  authorId: string | null;
  /** due at or after (epoch ms) */
  from?: number;
  /** due before (epoch ms) */
  before?: number;
  limit: number;
}

/** The vault's follow-up and home-page reads (vault/follow-ups.ts) and the device-local lists behind them. */
export interface FollowUpStore {
  listOpenFollowUps(q: FollowUpQuery): StoredFollowUp[];
  countOpenFollowUps(q: Omit<FollowUpQuery, 'limit'>): number;
  getFollowUp(id: string): StoredFollowUp | null;
  /** The author's due, open reminders not dismissed (the in-app banner). */
  dueReminders(authorId: string, now: number): StoredFollowUp[];
  /** Due reminders not yet shown as a desktop notification. */
  unnotifiedReminders(authorId: string, now: number): StoredFollowUp[];
  markReminderNotified(id: string, at: number): void;
  dismissReminder(id: string, at: number): void;
  /** Remember that the user opened a customer (recently viewed, this device only). */
  recordView(customerId: string, at: number): void;
  recentCustomers(limit: number): HomeOverview['recentCustomers'];
  /** Open opportunities expected to close between two yyyy-mm-dd dates (inclusive). */
  closingSoon(ownerId: string | null, from: string, to: string, limit: number): HomeOverview['closingSoon'];
}

/** The stages of the index builds at the end of a first sync (shown as the sync's progress). */
export type ImportStage = 'indexes' | 'search';

/** Applies the pull pages of one sync run, in order; close() when the run ends (also on failure). */
export interface PageImporter {
  /** Apply one page (names in its directory first); `onStage` hears the index-build stages. */
  apply(page: PullResponse, claims: GrantClaims, onStage?: (stage: ImportStage) => void): Promise<{ upserted: number; removed: number }>;
  /** Let the worker, if one started, close its connection and end; resolves once it has. */
  close(): Promise<void>;
  /** End the worker now, whatever it is doing: the page in flight fails with `import_failed` (crash tests). */
  kill(): Promise<void>;
}

export interface VaultStore extends FollowUpStore {
  getMeta<K extends keyof VaultMeta>(key: K): VaultMeta[K] | null;
  setMeta<K extends keyof VaultMeta>(key: K, value: VaultMeta[K]): void;
  /** setMeta unless another connection (the import worker) holds the write lock right now: false, nothing written, no wait. */
  trySetMeta<K extends keyof VaultMeta>(key: K, value: VaultMeta[K]): boolean;
  /** A counter that moves when, and only when, stored records changed (pull, local edit, settled push). */
  dataVersion(): number;

  /**
   * The importer of one sync run (vault/off-thread.ts): applies each pull page atomically with
   * its cursor — the directory's names, field purges, dropped buckets, removals, upserts
   * (projected to the grant's read clearance) —, heavy pages on a worker thread so the thread
   * that answers the UI never waits for them. Close it when the run ends.
   */
  openImporter(): PageImporter;

  /**
   * Record a local edit: write the record optimistically and append the mutation to the
   * outbox in the same transaction (so an acknowledged edit survives a crash). `grant` names the
   * user (default owner of a new customer, author of a new activity).
   */
  applyLocalMutation(mutation: Mutation, grant: GrantClaims): void;
  outbox(limit?: number): Mutation[];
  outboxCount(): number;
  listOutbox(): OutboxItem[];
  /** Settle pushed mutations: drop them from the outbox, store server state, keep conflicts/rejections as issues. */
  settlePush(sent: readonly Mutation[], results: readonly MutationResult[], grant: GrantClaims): void;
  listIssues(): SyncIssue[];
  dismissIssue(id: string): void;
  /** Take an unsent edit back (outbox.ts discardMutation); returns the mutation ids that left the outbox. */
  discardMutation(mutationId: string): string[];
  resetAttempts(mutationId: string): void;
  /** A sync issue's edit as it was sent, or null. */
  issueMutation(id: string): { kind: SyncIssue['kind']; mutation: Mutation } | null;

  recordAudit(entry: Omit<OfflineAuditEntry, 'id'>): void;
  pendingAudit(limit: number): OfflineAuditEntry[];
  ackAudit(ids: readonly string[]): void;

  searchCustomers(input: SearchInput): { total: number | null; rows: CustomerListItem[] };
  getCustomer(id: string): StoredCustomer | null;
  /** A further page of one customer's contacts, opportunities or activities (keyset, as stored). */
  listChildren<E extends ChildEntity>(entity: E, customerId: string, after: ChildCursor | undefined, limit: number): ChildPage<StoredChild[E]>;
  /** The current stored row of a record (projected as stored), for building mutations. */
  getRecord(entity: EntityType, id: string): Record<string, unknown> | null;
  facets(): { cities: string[]; industries: string[]; tags: string[]; owners: { id: string; name: string }[] };
  /** The people the vault knows by name (owner directory): candidates for a reassignment. */
  directory(): { id: string; name: string }[];
  teamDashboard(now: number, filter?: TeamDashboardFilter): TeamDashboard;
  /** Opportunities by filter, sorted and paged (list, board columns, dashboard drill-downs). */
  listOpportunities(input: z.input<typeof listOpportunitiesInput>): OpportunityPage;
  /** Saved views of the opportunities list (criteria only), kept in this vault. */
  listOpportunityViews(): OpportunityView[];
  saveOpportunityView(view: OpportunityView): OpportunityView[];
  deleteOpportunityView(id: string): OpportunityView[];
  /** Wait for the keychain high-water mark to reflect every outbox change (before closing). */
  flushMark?(): Promise<void>;
  /** End background readers of the file (the integrity check) and wait for them (before close). */
  stopBackgroundReaders?(): Promise<void>;
  close(): void;
}

/** Events the core emits to whoever shows state (Electron main → renderer; harness → SSE). */
export type StateListener = (state: AppState) => void;

/**
 * The app's updater: signed updates from the company's own feed. Implemented in the Electron-only
 * layer with electron-updater (electron/main/updater.ts); the core, the browser harness and the
 * tests see only this contract (the harness and development builds use `unavailableUpdater`,
 * tests a fake). Updates are verified by electron-updater against the publisher's code-signing
 * certificate (Windows) / the app's signature (macOS) and the feed's sha512 before installing.
 */
export interface Updater {
  /** What the updater is doing now. */
  status(): UpdateStatus;
  /** Ask the feed for a newer version; one that is found is downloaded in the background. */
  check(): Promise<UpdateStatus>;
  /** Quit and install a downloaded update now (otherwise it installs when the app quits). */
  quitAndInstall(): UpdateStatus;
  /** Every status change (checking, progress, downloaded, error). Returns an unsubscribe function. */
  onStatus(listener: (status: UpdateStatus) => void): () => void;
}
