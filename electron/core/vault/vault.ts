// The encrypted customer vault: SQLCipher 4 format via better-sqlite3-multiple-ciphers, keyed
// with a random 256-bit raw key that lives only in the OS keychain and in this process. Plain
// Node: no `electron` import.
//
// A thin front over modules with one job each: open.ts (keying, pragmas, migrations),
// pull-apply.ts (pull pages), search-index.ts (FTS5), outbox.ts (outbox and sync issues),
// audit-queue.ts (offline audit), queries.ts (reads). The vault stores; it decides nothing
// about access: the claims it needs (clearance, the user's id) are passed in by the session.

import type { EntityType } from '../../../shared/domain/model';
import type { ChildCursor, ChildPage, CustomerListItem, OpportunityPage, OpportunityView, OutboxItem, SyncIssue, TeamDashboard, TeamDashboardFilter } from '../../../shared/api/desktop-api';
import type { GrantClaims } from '../../../shared/protocol/grant';
import type { Mutation, MutationResult, OfflineAuditEntry, PullResponse } from '../../../shared/protocol/sync';
import { VAULT_KEY_ACCOUNT, type ChildEntity, type StoredChild, type Clock, type PageImporter, type FollowUpQuery, type SearchInput, type SecretStore, type StoredCustomer, type StoredFollowUp, type VaultMeta, type VaultStore } from '../contracts';
import { ackAudit, pendingAudit, recordAudit } from './audit-queue';
import { VaultDb } from './db';
import { createVaultFile, openVaultFile } from './open';
import { startIntegrityCheck, type IntegrityCheck, type IntegrityVerdict } from './integrity';
import { compareWithMark, MarkWriter, readMark, snapshotMark, writeMark, type MarkedEdit, type MarkSource } from './mark';
import { applyLocalMutation, discardMutation, dismissIssue, issueMutation, listIssues, listOutbox, outbox, outboxCount, outboxSeq, resetAttempts, restoreOutbox, settlePush } from './outbox';
import { applyPullPage, rememberOrgUnits, rememberUserNames } from './pull-apply';
import { directory, facets, getStoredCustomer, listChildren, recordCounts, searchCustomers } from './queries';
import { teamDashboard } from './dashboard';
import { warmPinyin } from './pinyin';
import { deleteOpportunityView, listOpportunities, listOpportunityViews, saveOpportunityView, type ListOpportunitiesInput } from './opportunity-queries';
import { fillSortKeys, getRecord } from './records';
import {
  closingSoon, countOpenFollowUps, dismissReminder, dueReminders, getFollowUp, listOpenFollowUps, markReminderNotified,
  recentCustomers, recordView, unnotifiedReminders,
} from './follow-ups';
import { ensureSearchIndex } from './search-index';
import { openPageImporter } from './off-thread';

export interface VaultOptions {
  /** Clock for issue timestamps; the system clock by default. */
  clock?: Clock;
}

export class Vault implements VaultStore {
  private readonly db: VaultDb;
  private readonly mark: MarkWriter;
  /** Integrity checks running on worker threads (each with its own connection to the file). */
  private readonly integrityChecks = new Set<IntegrityCheck>();
  private readersStopped = false;

  private constructor(
    db: VaultDb,
    readonly path: string,
    private readonly secrets: SecretStore,
  ) {
    this.db = db;
    this.mark = new MarkWriter(secrets, () => snapshotMark(this.markSource()));
    fillSortKeys(db);
    ensureSearchIndex(db);
    // Off the path of whatever opened the vault, before the first delta, edit or search needs it.
    setImmediate(warmPinyin).unref();
  }

  /** First enrollment: a new key in the keychain, then a new vault file. */
  static async create(path: string, secrets: SecretStore, options: VaultOptions = {}): Promise<Vault> {
    const raw = await createVaultFile(path, secrets);
    return new Vault(new VaultDb(raw, options.clock ?? systemClock), path, secrets);
  }

  /** Open an existing vault with the key from the keychain (integrity-checked; see open.ts). */
  static async open(path: string, secrets: SecretStore, options: VaultOptions = {}): Promise<Vault> {
    const raw = await openVaultFile(path, secrets);
    return new Vault(new VaultDb(raw, options.clock ?? systemClock), path, secrets);
  }

  // ---- the high-water mark in the keychain (mark.ts) ----------------------------------------

  private markSource(): MarkSource {
    return {
      deviceId: this.db.getMeta('deviceId'),
      seq: outboxSeq(this.db),
      pending: listOutbox(this.db),
      meta: (key) => this.db.getMeta(key),
    };
  }

  /**
   * At open: was this vault rolled back behind the mark in the keychain, and which accepted
   * edits did that lose? The mark is then reset to this vault's state.
   */
  async checkMark(): Promise<{ rolledBack: boolean; lost: MarkedEdit[] }> {
    const verdict = compareWithMark(await readMark(this.secrets), this.markSource());
    // Best effort: a keychain that refuses the write leaves the vault ahead of its mark (safe).
    await writeMark(this.secrets, snapshotMark(this.markSource())).catch(() => undefined);
    return verdict;
  }

  /** Rewrite the mark now (after enrollment data or a grant changed) and wait for it. */
  saveMark(): Promise<void> {
    return this.mark.schedule();
  }

  /** Wait until the mark reflects every outbox change made so far. */
  flushMark(): Promise<void> {
    return this.mark.flush();
  }

  /** The whole-file integrity check, on a worker thread (integrity.ts). */
  async checkIntegrityInBackground(): Promise<IntegrityVerdict> {
    const keyHex = await this.secrets.get(VAULT_KEY_ACCOUNT);
    if (!keyHex) return { state: 'unknown', detail: 'no key' };
    // Closed meanwhile: no reader of the file may start after its owner let go of it.
    if (!this.db.raw.open || this.readersStopped) return { state: 'unknown', detail: 'the vault is closing' };
    const check = startIntegrityCheck(this.path, keyHex);
    this.integrityChecks.add(check);
    try {
      return await check.verdict;
    } finally {
      this.integrityChecks.delete(check);
    }
  }

  /**
   * End the background readers of the file (the integrity check) and wait until their
   * connections are closed: before the vault closes, its files are removed (wipe) or its
   * directory is deleted, none of them may still open or recreate a -wal/-shm file.
   */
  async stopBackgroundReaders(): Promise<void> {
    this.readersStopped = true;
    await Promise.all([...this.integrityChecks].map((check) => check.stop()));
  }

  /** Edits salvaged from a damaged vault, back in this (fresh) vault's outbox. */
  restoreOutbox(mutations: readonly Mutation[]): number {
    const n = restoreOutbox(this.db, mutations);
    void this.mark.schedule();
    return n;
  }

  close(): void {
    // Callers that can wait call stopBackgroundReaders() first; this makes sure they end anyway.
    for (const check of this.integrityChecks) void check.stop();
    if (this.db.raw.open) this.db.raw.close();
  }

  get isOpen(): boolean {
    return this.db.raw.open;
  }

  getMeta<K extends keyof VaultMeta>(key: K): VaultMeta[K] | null {
    return this.db.getMeta(key);
  }

  setMeta<K extends keyof VaultMeta>(key: K, value: VaultMeta[K]): void {
    this.db.setMeta(key, value);
  }

  trySetMeta<K extends keyof VaultMeta>(key: K, value: VaultMeta[K]): boolean {
    return this.db.trySetMeta(key, value);
  }

  /** Moves when, and only when, stored records changed (see VaultDb.dataVersion). */
  dataVersion(): number {
    return this.db.dataVersion();
  }

  // ---- pull ---------------------------------------------------------------------------------

  applyPullPage(page: PullResponse, grant: GrantClaims): { upserted: number; removed: number } {
    return applyPullPage(this.db, page, grant);
  }

  /**
   * The importer of one sync run: heavy pages on a worker thread with its own connection,
   * small ones here (off-thread.ts). `bundle`: run the worker from its Electron bundle.
   */
  openImporter(options: { bundle?: string } = {}): PageImporter {
    return openPageImporter(this.db, { path: this.path, keyHex: () => this.secrets.get(VAULT_KEY_ACCOUNT), ...options });
  }

  /** The people the vault knows by name (the pull's owner directory and the user). */
  directory(): { id: string; name: string }[] {
    return directory(this.db);
  }

  /** Display names for owner ids (the grant only names the current user). */
  rememberUserNames(users: readonly { id: string; displayName: string; unitId?: string | undefined }[]): void {
    rememberUserNames(this.db, users);
  }

  /** The org units of the user's scope (the pull's `units`), replacing those held. */
  rememberOrgUnits(units: NonNullable<PullResponse['units']>): void {
    rememberOrgUnits(this.db, units);
  }

  // ---- local edits, outbox, issues ----------------------------------------------------------

  applyLocalMutation(mutation: Mutation, grant: GrantClaims): void {
    applyLocalMutation(this.db, mutation, grant);
    void this.mark.schedule();
  }

  outbox(limit = 500): Mutation[] {
    return outbox(this.db, limit);
  }

  outboxCount(): number {
    return outboxCount(this.db);
  }

  listOutbox(): OutboxItem[] {
    return listOutbox(this.db);
  }

  settlePush(sent: readonly Mutation[], results: readonly MutationResult[], grant: GrantClaims): void {
    settlePush(this.db, sent, results, grant);
    void this.mark.schedule();
  }

  listIssues(): SyncIssue[] {
    return listIssues(this.db);
  }

  dismissIssue(id: string): void {
    dismissIssue(this.db, id);
  }

  discardMutation(mutationId: string): string[] {
    const removed = discardMutation(this.db, mutationId);
    void this.mark.schedule();
    return removed;
  }

  resetAttempts(mutationId: string): void {
    resetAttempts(this.db, mutationId);
  }

  issueMutation(id: string): { kind: SyncIssue['kind']; mutation: Mutation } | null {
    return issueMutation(this.db, id);
  }

  // ---- offline audit queue ------------------------------------------------------------------

  recordAudit(entry: Omit<OfflineAuditEntry, 'id'>): void {
    recordAudit(this.db, entry);
  }

  pendingAudit(limit: number): OfflineAuditEntry[] {
    return pendingAudit(this.db, limit);
  }

  ackAudit(ids: readonly string[]): void {
    ackAudit(this.db, ids);
  }

  // ---- reading ------------------------------------------------------------------------------

  getRecord(entity: EntityType, id: string): Record<string, unknown> | null {
    return getRecord(this.db, entity, id);
  }

  /** Stored record counts per entity (progress, diagnostics, tests). */
  recordCounts(): Record<EntityType, number> {
    return recordCounts(this.db);
  }

  searchCustomers(input: SearchInput): { total: number | null; rows: CustomerListItem[] } {
    return searchCustomers(this.db, input);
  }

  getCustomer(id: string): StoredCustomer | null {
    return getStoredCustomer(this.db, id);
  }

  listChildren<E extends ChildEntity>(entity: E, customerId: string, after: ChildCursor | undefined, limit: number): ChildPage<StoredChild[E]> {
    return listChildren(this.db, entity, customerId, after, limit);
  }

  facets(): { cities: string[]; industries: string[]; tags: string[]; owners: { id: string; name: string }[] } {
    return facets(this.db);
  }

  teamDashboard(now: number, filter: TeamDashboardFilter = {}): TeamDashboard {
    return teamDashboard(this.db, now, filter);
  }

  listOpportunities(input: ListOpportunitiesInput): OpportunityPage {
    return listOpportunities(this.db, input);
  }

  listOpportunityViews(): OpportunityView[] {
    return listOpportunityViews(this.db);
  }

  saveOpportunityView(view: OpportunityView): OpportunityView[] {
    return saveOpportunityView(this.db, view);
  }

  deleteOpportunityView(id: string): OpportunityView[] {
    return deleteOpportunityView(this.db, id);
  }

  // ---- follow-ups and the home page (follow-ups.ts) -----------------------------------------

  listOpenFollowUps(q: FollowUpQuery): StoredFollowUp[] {
    return listOpenFollowUps(this.db, q);
  }

  countOpenFollowUps(q: Omit<FollowUpQuery, 'limit'>): number {
    return countOpenFollowUps(this.db, q);
  }

  getFollowUp(id: string): StoredFollowUp | null {
    return getFollowUp(this.db, id);
  }

  dueReminders(authorId: string, now: number): StoredFollowUp[] {
    return dueReminders(this.db, authorId, now);
  }

  unnotifiedReminders(authorId: string, now: number): StoredFollowUp[] {
    return unnotifiedReminders(this.db, authorId, now);
  }

  markReminderNotified(id: string, at: number): void {
    markReminderNotified(this.db, id, at);
  }

  dismissReminder(id: string, at: number): void {
    dismissReminder(this.db, id, at);
  }

  recordView(customerId: string, at: number): void {
    recordView(this.db, customerId, at);
  }

  recentCustomers(limit: number) {
    return recentCustomers(this.db, limit);
  }

  closingSoon(ownerId: string | null, from: string, to: string, limit: number) {
    return closingSoon(this.db, ownerId, from, to, limit);
  }
}

const systemClock: Clock = { now: () => Date.now() };
