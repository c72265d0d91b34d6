// The sync engine: one `syncOnce()` = push the outbox, upload the offline audit
// queue, then pull pages until the server has nothing more. Ordering matters:
//  - push BEFORE pull, so that when the scope shrinks the user's pending edits reach the server
//    (and are re-authorized there) before the pull purges what left the scope;
//  - every pull page is applied in ONE vault transaction together with its cursor, so a crash
//    mid-pull resumes from the last applied page;
//  - a pushed batch leaves the outbox only after the server's results are settled; a crash
//    between send and settle re-sends it and the server answers `duplicate` (idempotent ids).
// A RevokedError from any call propagates to the caller, which crypto-shreds (never pushes).
// Every grant the engine receives goes to the session's one door (`acceptGrant`: verify, store,
// trusted time, lease); the engine never decides about the lifecycle. `stop()` aborts the run in
// flight at its next step and resolves when it has ended, so the owner can close the vault.

import { offlineAuditEntrySchema, PUSH_BATCH_MAX, type Mutation, type MutationResult } from '../../../shared/protocol/sync';
import type { GrantClaims } from '../../../shared/protocol/grant';
import type { Clock, ImportStage, PageImporter, VaultStore } from '../contracts';
import { ServerError } from './errors';
import type { ServerClient } from './server-client';

/** Deterministic pause points for crash tests (a child process is SIGKILLed while paused). */
export type SyncPausePoint = 'after-pull-page' | 'after-push-sent';
export interface SyncTestHooks {
  pause?(point: SyncPausePoint): Promise<void>;
  /** The importer of a run, when it opens (crash tests end its worker). */
  importer?(importer: PageImporter): void;
}

export interface SyncProgress {
  task: 'first-sync' | 'sync';
  done: number;
  total: number | null;
  /** What the run is doing: taking in records, or (end of a first sync) building the indexes, then the search index. */
  stage?: SyncStage;
}
export type SyncStage = 'records' | ImportStage;

export interface SyncSummary {
  pushed: number;
  auditUploaded: number;
  upserted: number;
  removed: number;
  pages: number;
}

export interface SyncEngineOptions {
  vault: VaultStore;
  client: ServerClient;
  clock: Clock;
  /** The session's one door for grants: verifies, stores and applies it; resolves with its claims. */
  acceptGrant(jws: string): Promise<GrantClaims>;
  /** The grant in force (the vault projects what it stores to its clearance). */
  currentGrant(): GrantClaims;
  onProgress?(progress: SyncProgress | null): void;
  hooks?: SyncTestHooks;
  pullPageSize?: number;
}

const AUDIT_BATCH = 1000;

/** The engine was stopped (its session is closing): the run ended early, nothing half-applied. */
export class SyncStoppedError extends Error {
  constructor() {
    super('the sync was stopped because the session closed');
    this.name = 'SyncStoppedError';
  }
}

export class SyncEngine {
  private running: Promise<SyncSummary> | null = null;
  private queued: Promise<SyncSummary> | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly opts: SyncEngineOptions) {}

  /**
   * Run one sync. A call while one runs gets the NEXT run (started when the current one ends,
   * however it ends): what the caller wants synced may have been written after the current run
   * read the outbox. Concurrent callers share that one queued run.
   */
  syncOnce(): Promise<SyncSummary> {
    if (this.abort.signal.aborted) return Promise.reject(new SyncStoppedError());
    if (!this.running) return this.startRun();
    if (!this.queued) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.startRun();
        });
    }
    return this.queued;
  }

  private startRun(): Promise<SyncSummary> {
    const run = this.runOnce()
      .catch((err: unknown) => {
        // An aborted request surfaces as the fetch's AbortError: report the stop itself.
        throw this.abort.signal.aborted ? new SyncStoppedError() : err;
      })
      .finally(() => {
        if (this.running === run) this.running = null;
      });
    this.running = run;
    return run;
  }

  /**
   * Stop for good: requests in flight are aborted, a queued run never starts, and the promise
   * resolves once the current run has ended (every vault write is one transaction, so it ends
   * between two of them).
   */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([this.running, this.queued]);
  }

  private checkStopped(): void {
    if (this.abort.signal.aborted) throw new SyncStoppedError();
  }

  private async runOnce(): Promise<SyncSummary> {
    const { vault, client } = this.opts;
    const signal = this.abort.signal;
    this.checkStopped();
    const summary: SyncSummary = { pushed: 0, auditUploaded: 0, upserted: 0, removed: 0, pages: 0 };
    // Check in first: a fresh grant and access token (and revocation is noticed before any push).
    // The check-in's grant reaches the session through the server client's check-in listener.
    await client.refresh();
    this.checkStopped();

    summary.pushed = await this.pushOutbox();
    summary.auditUploaded = await this.uploadAudit();

    const firstSync = !vault.getMeta('lastSyncAt');
    const task: SyncProgress['task'] = firstSync ? 'first-sync' : 'sync';
    let done = 0;
    let total: number | null = null;
    this.opts.onProgress?.({ task, done, total, stage: 'records' });
    // Pipelined pull: while one page is imported, the request for the next one (with the cursor
    // the page leaves) is already with the server, so server time and transfer overlap the
    // import. At most ONE page is fetched ahead (bounded memory), and pages are still applied
    // one by one, in order, each in one vault transaction together with its cursor: a crash
    // loses at most the page in flight, which is pulled again from the stored cursor.
    // Each request has its own controller, and the latest one cancels a prefetch the run will not
    // use (error or stop). (One controller for the whole run would collect an abort listener per
    // request — hundreds in a first sync, each holding its finished request — and dispatch them
    // all when the run ends: a 40 ms pause on the UI's thread at the end of a 700k-record sync.)
    let prefetch: AbortController | null = null;
    const stopRun = () => prefetch?.abort();
    signal.addEventListener('abort', stopRun);
    const limit = this.opts.pullPageSize ?? 2000;
    const fetchPage = (cursor: string | null) => {
      prefetch = new AbortController();
      // `applied`: what the vault has stored now (the page before `cursor` may still be importing),
      // so the server's exposure ledger counts as held only what is on disk.
      const pending = client.call('pull', { cursor, limit, applied: vault.getMeta('cursor') || null }, { signal: prefetch.signal });
      pending.catch(() => undefined); // awaited below; a prefetch the run leaves unused must not be an unhandled rejection
      return pending;
    };
    // Pages are applied through the run's importer: heavy ones on a worker thread with its own
    // connection, so this thread (the one answering the UI) never waits for an import, an index
    // build or a purge (vault/off-thread.ts). It is closed before the run ends.
    const importer = vault.openImporter();
    this.opts.hooks?.importer?.(importer);
    try {
      // A first sync ends with one more pull from where it stopped: with the pull pipelined, its
      // last pages (two, when it had more than one) are still unacknowledged when the server answers "nothing more", and the
      // next request is what acknowledges them. Sent now, it lets the server's exposure ledger
      // record the whole scope as held at once (not a minute later, or days later if the laptop
      // goes offline first), and spares the first delta the fold of those thousands of rows; it
      // also brings whatever changed on the server during the sync.
      for (let pass = firstSync ? 2 : 1; pass > 0; pass--) {
        let next = fetchPage(vault.getMeta('cursor') || null);
        for (;;) {
          const page = await next;
          this.checkStopped();
          if (page.hasMore) next = fetchPage(page.cursor);
          const claims = page.grant ? await this.opts.acceptGrant(page.grant) : this.opts.currentGrant();
          this.checkStopped();
          const applied = await importer.apply(page, claims, (stage) => this.opts.onProgress?.({ task, done, total, stage }));
          summary.upserted += applied.upserted;
          summary.removed += applied.removed;
          summary.pages += 1;
          done += page.upserts.length + page.removals.length;
          total = page.remaining === undefined ? null : done + page.remaining;
          this.opts.onProgress?.({ task, done, total, stage: 'records' });
          await this.opts.hooks?.pause?.('after-pull-page');
          if (!page.hasMore) break;
        }
      }
    } finally {
      signal.removeEventListener('abort', stopRun);
      stopRun();
      await importer.close();
      this.opts.onProgress?.(null);
    }
    vault.setMeta('lastSyncAt', String(this.opts.clock.now()));
    return summary;
  }

  private async pushOutbox(): Promise<number> {
    const { vault } = this.opts;
    let pushed = 0;
    for (;;) {
      this.checkStopped();
      const batch = vault.outbox(PUSH_BATCH_MAX);
      if (batch.length === 0) return pushed;
      const before = vault.outboxCount();
      const results = await this.pushBatch(batch);
      await this.opts.hooks?.pause?.('after-push-sent');
      this.checkStopped();
      vault.settlePush(batch, results, this.opts.currentGrant());
      pushed += batch.length;
      // Defensive: a server that answers without settling anything must not spin us forever.
      if (vault.outboxCount() >= before) return pushed;
    }
  }

  /**
   * Sends one batch. The server judges each mutation on its own and answers per mutation; if it
   * refuses the whole request as malformed (400/413: something in it fails the wire schema), the
   * batch is split until the mutation at fault is alone, and that one is settled as rejected: it
   * moves to the issues list (kept, with what the user typed) and the rest of the outbox goes on.
   * A permanently refused mutation must never block the outbox.
   */
  private async pushBatch(batch: readonly Mutation[]): Promise<MutationResult[]> {
    try {
      return (await this.opts.client.call('push', { mutations: [...batch] }, { signal: this.abort.signal })).results;
    } catch (err) {
      if (!(err instanceof ServerError) || (err.status !== 400 && err.status !== 413)) throw err;
      if (batch.length === 1) {
        return [{ mutationId: (batch[0] as Mutation).mutationId, status: 'rejected', reason: `refused_by_server: ${err.code}: ${err.message}`.slice(0, 300) }];
      }
      const half = Math.ceil(batch.length / 2);
      this.checkStopped();
      return [...await this.pushBatch(batch.slice(0, half)), ...await this.pushBatch(batch.slice(half))];
    }
  }

  private async uploadAudit(): Promise<number> {
    const { vault, client } = this.opts;
    let uploaded = 0;
    for (;;) {
      const entries = vault.pendingAudit(AUDIT_BATCH);
      if (entries.length === 0) return uploaded;
      // Entries queued by an older version may still hold search text: parsing reduces it to its
      // summary, so the text never leaves the device.
      await client.call('uploadAudit', { entries: entries.map((e) => offlineAuditEntrySchema.parse(e)) }, { signal: this.abort.signal });
      this.checkStopped();
      vault.ackAudit(entries.map((e) => e.id));
      uploaded += entries.length;
      if (entries.length < AUDIT_BATCH) return uploaded;
    }
  }
}
