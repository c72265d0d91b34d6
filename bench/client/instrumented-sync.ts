// A desktop client's sync, through the real core: the same session the app runs (enrollment,
// the one grant door, ServerClient, SyncEngine, Vault), with stage timers around it: the fetch wrapper splits each pull into server time (the
// server's Server-Timing header) and transfer (the rest of the request until the last body
// byte); parse is from the page's last body byte to its vault import (JSON parse, protocol
// validation, grant verification); import is the wait for the vault's importer (applyPullPage,
// on the import worker for heavy pages). The pull is pipelined,
// so server and transfer time of one page overlap the import of the previous one: the stages
// add up to more than the end-to-end time.

import { join } from 'node:path';
import type { GrantClaims } from '../../shared/protocol/grant';
import { ROUTES } from '../../shared/protocol/routes';
import type { PullResponse } from '../../shared/protocol/sync';
import type { SecretStore } from '../../electron/core/contracts';
import { LocalSettingsFile } from '../../electron/core/local-settings';
import { enrollSession } from '../../electron/core/session/enroll-session';
import type { ClientSession, SessionOwner } from '../../electron/core/session/session';
import { beginSignIn } from '../../electron/core/sync/enroll';
import type { SyncSummary } from '../../electron/core/sync/engine';
import { ServerError } from '../../electron/core/sync/errors';
import type { Vault } from '../../electron/core/vault';
import { DEMO_PASSWORD, totpFor } from '../../server/seed/demo-credentials';
import { SERVER_TIMING_HEADER, serverTimingMs } from '../server-timing';

export interface StageTimes {
  requests: number;
  serverMs: number;
  transferMs: number;
  parseMs: number;
  importMs: number;
  bytes: number;
  /** applyPullPage time of the pages that carried droppedBuckets */
  dropApplyMs: number;
}

function emptyStages(): StageTimes {
  return { requests: 0, serverMs: 0, transferMs: 0, parseMs: 0, importMs: 0, bytes: 0, dropApplyMs: 0 };
}

export interface SyncedClient {
  vault: Vault;
  vaultPath: string;
  deviceId: string;
  secrets: SecretStore;
  grant(): GrantClaims;
  /** one syncOnce with fresh stage timers */
  sync(): Promise<{ totalMs: number; summary: SyncSummary; stages: StageTimes }>;
  close(): void;
}

export async function enrollClient(opts: {
  baseUrl: string;
  username: string;
  dataDir: string;
  secrets: SecretStore;
  onProgress?: (done: number, total: number | null) => void;
}): Promise<SyncedClient> {
  let stages = emptyStages();
  // The pull is pipelined (one request ahead of the import): each page's body-end time is
  // queued and taken by the import of that page, in order.
  const bodyDone: number[] = [];
  const pullPath = ROUTES.pull.path;
  const timedFetch: typeof fetch = async (input, init) => {
    const started = performance.now();
    const res = await fetch(input, init);
    const body = await res.arrayBuffer();
    const done = performance.now();
    if (String(input).endsWith(pullPath)) {
      const server = serverTimingMs(res.headers.get(SERVER_TIMING_HEADER));
      stages.requests += 1;
      stages.serverMs += Number.isFinite(server) ? server : 0;
      stages.transferMs += done - started - (Number.isFinite(server) ? server : 0);
      stages.bytes += body.byteLength;
      bodyDone.push(done);
    }
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };

  const settings = new LocalSettingsFile(opts.dataDir);
  const vaultPath = join(opts.dataDir, 'vault.db');
  const pending = await beginSignIn({ serverUrl: opts.baseUrl, username: opts.username, password: DEMO_PASSWORD, appVersion: 'bench', fetch: timedFetch });
  // The session reports to its owner; here only progress matters (no event stream, no lease
  // watcher: the benchmark drives each sync itself).
  const owner: SessionOwner = {
    lease: () => undefined,
    revoked: () => undefined,
    online: () => undefined,
    syncWanted: () => undefined,
    updateRequired: () => undefined,
    checkedIn: () => undefined,
    progress: (p) => {
      if (p) opts.onProgress?.(p.done, p.total);
    },
  };
  let session: ClientSession | null = null;
  // A TOTP step can be used once per user: on mfa_invalid try the next step's code.
  for (let step = 0; step < 3 && !session; step++) {
    try {
      ({ session } = await enrollSession({
        pending, code: totpFor(opts.username, Date.now() + step * 30_000), secrets: opts.secrets, settings, vaultPath,
        options: { appVersion: 'bench', clock: { now: () => Date.now() }, fetch: timedFetch }, owner,
        deviceName: `bench ${opts.username}`,
      }));
    } catch (err) {
      if (!(err instanceof ServerError && err.code === 'mfa_invalid') || step === 2) throw err;
    }
  }
  if (!session) throw new Error('enrollment failed');
  const enrolled = session;
  const vault = enrolled.vault as Vault;

  // Time each page's import through the real importer of this vault instance (the engine opens
  // one per run; heavy pages are applied on its worker thread, so this is the wall time the
  // engine waits for a page, the hand-over to the worker included).
  const openImporter = vault.openImporter.bind(vault);
  vault.openImporter = (options) => {
    const importer = openImporter(options);
    return {
      ...importer,
      async apply(page: PullResponse, grant: GrantClaims, onStage) {
        const started = performance.now();
        stages.parseMs += started - (bodyDone.shift() ?? started);
        const result = await importer.apply(page, grant, onStage);
        const ms = performance.now() - started;
        stages.importMs += ms;
        if (page.droppedBuckets.length > 0) stages.dropApplyMs += ms;
        return result;
      },
    };
  };

  return {
    vault, vaultPath, deviceId: enrolled.identity.deviceId, secrets: opts.secrets,
    grant: () => enrolled.grant,
    async sync() {
      stages = emptyStages();
      const started = performance.now();
      const summary = await enrolled.sync();
      return { totalMs: performance.now() - started, summary, stages };
    },
    close: () => void enrolled.stop(),
  };
}
