// The sync engine's lifecycle contract with its owner: stop() ends the run in flight (its
// request is aborted, nothing half-applied) and resolves once it has ended, a stopped engine
// runs nothing more, and every grant goes to the owner's acceptGrant (the engine verifies none).
import { describe, expect, it, vi } from 'vitest';
import type { GrantClaims } from '../../../shared/protocol/grant';
import type { PullResponse } from '../../../shared/protocol/sync';
import type { VaultStore } from '../contracts';
import { grantFor, page } from '../../../test/support/vault';
import { SyncEngine, SyncStoppedError } from './engine';
import type { ServerClient } from './server-client';

function fakeVault() {
  const meta = new Map<string, string>();
  return {
    meta,
    getMeta: (k: string) => meta.get(k) ?? null,
    setMeta: (k: string, v: string) => void meta.set(k, v),
    outbox: () => [],
    outboxCount: () => 0,
    pendingAudit: () => [],
    applyPullPage: vi.fn((p: PullResponse, _claims: GrantClaims) => ({ upserted: p.upserts.length, removed: 0 })),
    importerClosed: vi.fn(),
  };
}

/** The fake's importer applies on the spot (the real one is tested in vault/off-thread.test.ts). */
function withImporter(vault: ReturnType<typeof fakeVault>) {
  return Object.assign(vault, {
    openImporter: () => ({
      apply: async (p: PullResponse, claims: GrantClaims) => vault.applyPullPage(p, claims),
      close: async () => vault.importerClosed(),
      kill: async () => undefined,
    }),
  });
}

function engineWith(client: Partial<ServerClient>, vault = fakeVault(), acceptGrant = vi.fn(async (): Promise<GrantClaims> => grantFor())) {
  const engine = new SyncEngine({
    vault: withImporter(vault) as unknown as VaultStore,
    client: client as ServerClient,
    clock: { now: () => 1_700_000_000_000 },
    acceptGrant,
    currentGrant: () => grantFor(),
  });
  return { engine, vault, acceptGrant };
}

describe('SyncEngine lifecycle', () => {
  it('stop() aborts the pull in flight, resolves when the run has ended, and nothing is applied', async () => {
    let pullStarted!: () => void;
    const started = new Promise<void>((resolve) => (pullStarted = resolve));
    const client = {
      refresh: async () => undefined,
      call: vi.fn((name: string, _body: unknown, opts?: { signal?: AbortSignal }) => {
        if (name !== 'pull') throw new Error(`unexpected ${name}`);
        pullStarted();
        // Like fetch: never answers, rejects with an AbortError when the signal fires.
        return new Promise((_, reject) => opts?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      }),
    } as unknown as Partial<ServerClient>;
    const { engine, vault } = engineWith(client);

    const run = engine.syncOnce();
    const outcome = run.then(() => 'resolved', (err: unknown) => err);
    await started;
    await engine.stop();
    expect(await outcome).toBeInstanceOf(SyncStoppedError);
    expect(vault.applyPullPage).not.toHaveBeenCalled();
    // The run's importer (and its worker thread) was closed before the run ended.
    expect(vault.importerClosed).toHaveBeenCalledTimes(1);
    expect(vault.meta.has('lastSyncAt')).toBe(false);

    // A stopped engine starts nothing: the next call fails at once, without a request.
    await expect(engine.syncOnce()).rejects.toBeInstanceOf(SyncStoppedError);
    expect(client.call).toHaveBeenCalledTimes(1);
  });

  it('a run queued behind the one in flight never starts once stopped', async () => {
    let release!: () => void;
    const refreshGate = new Promise<void>((resolve) => (release = resolve));
    const client = { refresh: vi.fn(() => refreshGate), call: vi.fn() } as unknown as Partial<ServerClient>;
    const { engine } = engineWith(client);
    const first = engine.syncOnce().catch((err: unknown) => err);
    const queued = engine.syncOnce().catch((err: unknown) => err);
    const stopped = engine.stop();
    release();
    await stopped;
    expect(await first).toBeInstanceOf(SyncStoppedError);
    expect(await queued).toBeInstanceOf(SyncStoppedError);
    expect(client.refresh).toHaveBeenCalledTimes(1);
  });

  it("hands a page's grant to acceptGrant and applies the page under the claims it returns", async () => {
    const pulled = page({ grant: 'header.payload.signature', upserts: [] });
    const client = { refresh: async () => undefined, call: vi.fn(async () => pulled) } as unknown as Partial<ServerClient>;
    const accepted = grantFor({ readClearance: 'public' });
    const { engine, vault, acceptGrant } = engineWith(client, fakeVault(), vi.fn(async () => accepted));
    await engine.syncOnce();
    expect(acceptGrant).toHaveBeenCalledWith('header.payload.signature');
    expect(vault.applyPullPage).toHaveBeenCalledWith(pulled, accepted);
  });

  it('pipelines the pull: the next page is requested before the current one is applied, never more than one ahead, and applied in order with its cursor', async () => {
    const events: string[] = [];
    // Pages 1–3 are the first sync; 4 answers its closing pull; 5 is the next sync's.
    const pages = [1, 2, 3, 4, 5].map((n) => page({ cursor: `cur-${n}`, hasMore: n < 3 }));
    let served = 0;
    const client = {
      refresh: async () => undefined,
      call: vi.fn(async (name: string, body: { cursor: string | null; applied: string | null }) => {
        if (name !== 'pull') throw new Error(`unexpected ${name}`);
        events.push(`request after ${body.cursor ?? 'start'} (applied ${body.applied ?? 'none'})`);
        return pages[served++];
      }),
    } as unknown as Partial<ServerClient>;
    const vault = fakeVault();
    vault.applyPullPage.mockImplementation((p: PullResponse) => {
      events.push(`apply ${p.cursor}`);
      vault.meta.set('cursor', p.cursor);
      return { upserted: 0, removed: 0 };
    });
    const { engine } = engineWith(client, vault);
    const summary = await engine.syncOnce();
    expect(summary.pages).toBe(4);
    expect(events).toEqual([
      'request after start (applied none)',
      'request after cur-1 (applied none)', // sent before page 1 is imported
      'apply cur-1',
      'request after cur-2 (applied cur-1)',
      'apply cur-2',
      'apply cur-3', // the last page says hasMore: false, nothing more is requested in this pass
      // A first sync ends with one more pull, which acknowledges its last pages.
      'request after cur-3 (applied cur-3)',
      'apply cur-4',
    ]);
    expect(vault.meta.get('cursor')).toBe('cur-4');

    // Any later sync is one pass.
    events.length = 0;
    expect((await engine.syncOnce()).pages).toBe(1);
    expect(events).toEqual(['request after cur-4 (applied cur-4)', 'apply cur-5']);
  });
});
