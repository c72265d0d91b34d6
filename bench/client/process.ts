// The benchmark's client process: holds the manager's vault and answers the orchestrator's
// commands one at a time (first sync, search, dashboard, baselines, delta/purge syncs, wipe,
// an online app service waiting for its revocation, the load generator).

import { readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT, type SecretStore } from '../../electron/core/contracts';
import { createAppService, type AppService } from '../../electron/core/app-service';
import { KeytarSecretStore, MemorySecretStore } from '../../electron/core/keychain';
import { Vault } from '../../electron/core/vault';
import { checkIntegrity } from '../../electron/core/vault/open';
import { cryptoShred } from '../../electron/core/wipe';
// Not seed/demo.ts: its generator loads faker (~40 MB resident), no part of the client whose
// memory the first sync reports.
import { DEMO_PASSWORD, totpFor } from '../../server/seed/demo-credentials';
import { runBaselines } from './baselines';
import { enrollClient, type SyncedClient } from './instrumented-sync';
import type { LoadDevice } from './load';
import type { RpcReply, RpcRequest } from './rpc';

function send(message: RpcReply | { progress: string }): void {
  process.send?.(message);
}

/** Peak resident set size of this process so far (Linux VmHWM), in MB. */
function peakRssMb(): number {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall back to the sampled maximum
  }
  return Number.NaN;
}

let client: SyncedClient | null = null;
let app: AppService | null = null;
let revokedAt: Promise<number> | null = null;

function requireClient(): SyncedClient {
  if (!client) throw new Error('no synced client: run firstSync first');
  return client;
}

function keychainFor(service: string | null): SecretStore {
  return service ? new KeytarSecretStore(service, 5_000) : new MemorySecretStore();
}

const commands: Record<string, (args: never) => Promise<unknown>> = {
  async firstSync(args: { baseUrl: string; username: string; dataDir: string }) {
    const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
    // The keychain is not what is measured here: the vault key lives in memory.
    let lastShown = 0;
    client = await enrollClient({
      ...args,
      secrets: new MemorySecretStore(),
      onProgress: (done, total) => {
        if (performance.now() - lastShown < 5_000) return;
        lastShown = performance.now();
        send({ progress: `synced ${done.toLocaleString('en-US')}${total === null ? '' : ` of ~${total.toLocaleString('en-US')}`} records` });
      },
    });
    let sampledPeak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
    }, 50);
    // CPU time of the whole client process (its import worker thread included): the steadier
    // figure on a shared machine, where wall time mostly measures waiting for a core.
    const cpuBefore = process.cpuUsage();
    try {
      const result = await client.sync();
      const cpu = process.cpuUsage(cpuBefore);
      return { ...result, peakRssMb: peakRssMb(), cpuMs: (cpu.user + cpu.system) / 1000, sampledPeakRssMb: sampledPeak / 2 ** 20, rssBeforeMb, deviceId: client.deviceId };
    } finally {
      clearInterval(sampler);
    }
  },

  async search(args: { queries: string[] }) {
    const vault = requireClient().vault;
    const times: number[] = [];
    const hits: number[] = [];
    for (const query of args.queries) {
      // The first page of results, as the customer list asks for it.
      const started = performance.now();
      const { total } = vault.searchCustomers({ query, offset: 0, limit: 100 });
      times.push(performance.now() - started);
      hits.push(total ?? 0); // a first page (no `after`) always carries the count
    }
    return { times, hits };
  },

  async dashboard(args: { runs: number }) {
    const vault = requireClient().vault;
    const times: number[] = [];
    let opportunities = 0;
    for (let i = 0; i < args.runs; i++) {
      const started = performance.now();
      const board = vault.teamDashboard(Date.now());
      times.push(performance.now() - started);
      // What the dashboard aggregated: proves it ran over the whole pipeline.
      opportunities = board.pipelineByStage.reduce((n, s) => n + s.count, 0);
    }
    return { times, opportunities };
  },

  async baselines(args: { workDir: string; trials: number }) {
    const c = requireClient();
    const key = await c.secrets.get(VAULT_KEY_ACCOUNT);
    if (!key) throw new Error('the vault key is missing');
    return runBaselines({ vaultPath: c.vaultPath, vaultKeyHex: key, workDir: args.workDir, grant: c.grant(), trials: args.trials });
  },

  /**
   * The integrity check the app runs (on a worker) after every open, on the synced vault: a fresh
   * connection (cold page cache, as at app start) and `checkIntegrity` alone; then `Vault.open`
   * as the UI waits for it (without the check). Best of `trials` each.
   */
  async integrity(args: { trials: number }) {
    const c = requireClient();
    const key = await c.secrets.get(VAULT_KEY_ACCOUNT);
    if (!key) throw new Error('the vault key is missing');
    let checkMs = Number.POSITIVE_INFINITY;
    let openMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < args.trials; i++) {
      const db = new Database(c.vaultPath, { fileMustExist: true, readonly: true });
      try {
        db.pragma(`cipher='sqlcipher'`);
        db.pragma('legacy=4');
        db.pragma(`key="x'${key}'"`);
        db.pragma('cache_size = -65536');
        const started = performance.now();
        checkIntegrity(db);
        checkMs = Math.min(checkMs, performance.now() - started);
      } finally {
        db.close();
      }
      const started = performance.now();
      const vault = await Vault.open(c.vaultPath, c.secrets);
      openMs = Math.min(openMs, performance.now() - started);
      vault.close();
    }
    return { checkMs, openMs, vaultMB: statSync(c.vaultPath).size / 2 ** 20 };
  },

  async sync() {
    return requireClient().sync();
  },

  async countRecords() {
    const vault = requireClient().vault;
    return vault.searchCustomers({ query: '', offset: 0, limit: 1 }).total ?? 0;
  },

  /** Crypto-shred the synced vault with its keys in the given keychain (the real one when present). */
  async wipe(args: { keychainService: string | null }) {
    const c = requireClient();
    const secrets = keychainFor(args.keychainService);
    // Move the keys where the wipe will find them, as an enrolled device would have them.
    for (const account of [VAULT_KEY_ACCOUNT, DEVICE_KEY_ACCOUNT]) {
      const value = await c.secrets.get(account);
      if (value) await secrets.set(account, value);
    }
    const started = performance.now();
    const report = await cryptoShred({ vaultPath: c.vaultPath, secrets, vault: c.vault });
    const ms = performance.now() - started;
    client = null;
    if (!report.complete) throw new Error(`wipe incomplete: ${report.keychainError ?? 'unknown'}`);
    const leftover = await secrets.get(VAULT_KEY_ACCOUNT);
    if (leftover) throw new Error('wipe left the vault key in the keychain');
    return { ms, keychainMs: report.timings.keychainMs, filesMs: report.timings.filesMs, removed: report.removedPaths.length };
  },

  /** An online desktop app (the real app service with its event stream), signed in and synced. */
  async appSignIn(args: { baseUrl: string; username: string; dataDir: string; keychainService: string | null }) {
    app = await createAppService({
      dataDir: args.dataDir, secrets: keychainFor(args.keychainService), appVersion: 'bench', syncIntervalMs: 3_600_000, eventsMinBackoffMs: 100,
    });
    const signIn = await app.signIn({ serverUrl: args.baseUrl, username: args.username, password: DEMO_PASSWORD });
    if (!signIn.ok) throw new Error(`signIn: ${signIn.error.code} ${signIn.error.message}`);
    let ready = false;
    for (let step = 0; step < 3 && !ready; step++) {
      const verified = await app.verifyMfa({ code: totpFor(args.username, Date.now() + step * 30_000) });
      if (verified.ok) ready = true;
      else if (verified.error.code !== 'mfa_invalid') throw new Error(`verifyMfa: ${verified.error.code} ${verified.error.message}`);
    }
    if (!ready) throw new Error('verifyMfa kept failing');
    const service = app;
    revokedAt = new Promise<number>((resolve) => {
      service.onStateChange((state) => {
        // 'revoked' is set only after the crypto-shred finished.
        if (state.phase === 'revoked') resolve(Date.now());
      });
    });
    const synced = await service.syncNow();
    if (!synced.ok) throw new Error(`syncNow: ${synced.error.code} ${synced.error.message}`);
    return { vaultPath: join(args.dataDir, 'vault.db') };
  },

  async waitRevoked(args: { timeoutMs: number }) {
    if (!revokedAt) throw new Error('no app signed in');
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the app was not wiped in time')), args.timeoutMs).unref());
    const at = await Promise.race([revokedAt, timeout]);
    await app?.close();
    app = null;
    return { wipedAt: at };
  },

  async load(args: { baseUrl: string; devices: LoadDevice[]; connections: number; durationS: number }) {
    // Loaded when asked for: the load generator (autocannon, ~30 MB resident) is no part of the
    // client whose memory the first sync reports.
    const { runLoad } = await import('./load');
    return runLoad(args);
  },
};

process.on('message', (raw: RpcRequest) => {
  void (async () => {
    const handler = commands[raw.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${raw.cmd}`);
      const result = await handler(raw.args as never);
      send({ id: raw.id, ok: true, result });
    } catch (err) {
      send({ id: raw.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});

process.on('disconnect', () => process.exit(0));
