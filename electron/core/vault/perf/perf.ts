// Profiling script for the vault (PRODUCT §9): generates a manager-sized scope as pull pages
// and times the first-sync import (against a raw SQLCipher insert of the same rows, in the
// same run), search, the team dashboard, a delta page and a bucket drop (scope shrink).
// Not a test: run it by hand, optionally with a CPU profile:
//   npx tsx [--cpu-prof --cpu-prof-dir=DIR] electron/core/vault/perf/perf.ts
//     [--customers 100000] [--page 2000] [--queries 200] [--sizes] [--keep FILE] [--impl MODULE]
//   (summarise a profile with `npx tsx bench/profile-summary.ts FILE.cpuprofile`)
// Ratios measured in one run are what to compare; absolute times depend on machine load, so
// CPU times are printed next to wall times.

import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3-multiple-ciphers';
import { DEFAULT_CLASSIFICATION, DEFAULT_OFFLINE_POLICY, type EntityType } from '../../../../shared/domain/model';
import type { GrantClaims } from '../../../../shared/protocol/grant';
import type { PullResponse } from '../../../../shared/protocol/sync';
import { projectRecord } from '../../../../shared/permissions/engine';
import { VAULT_KEY_ACCOUNT } from '../../contracts';
import { MemorySecretStore } from '../../keychain';
import { Vault as CurrentVault } from '../vault';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    page: { type: 'string', default: '2000' },
    queries: { type: 'string', default: '200' },
    sizes: { type: 'boolean', default: false },
    /** Keep a checkpointed copy of the full vault here (and print its key) for ad-hoc SQL. */
    keep: { type: 'string' },
    /** Measure another copy of the vault code (e.g. the last committed one, for before/after). */
    impl: { type: 'string' },
  },
});
const CUSTOMERS = Number(args.customers);
const PAGE = Number(args.page);
const QUERIES = Number(args.queries);
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 28);

const CITIES = ['上海', '北京', '深圳', '杭州', '广州', '成都', '南京', '苏州', '武汉', '西安'];
const BRANDS = ['华为', '腾飞', '远航', '中科', '鼎新', '恒通', '瑞丰', '金桥', '宏图', '天元', '博雅', '海纳', '星辰', '九州'];
const TRADES = ['技术', '科技', '贸易', '实业', '电子', '医药', '物流', '机械', '食品', '能源', '软件'];
const LATIN = ['Contoso', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Acme', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Cyberdyne'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇', '艳', '杰'];
const TAGS = ['重点客户', 'VIP', '新客户', '老客户', '待跟进', 'key-account'];
const STAGES = ['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost'];
const OWNERS = Array.from({ length: 6 }, (_, i) => `user-rep-${i + 1}`);

let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
const pad = (n: number) => String(n).padStart(7, '0');

type Upsert = PullResponse['upserts'][number];

/** A customer followed by its children (2 contacts, 1 opportunity, 3 activities), as the server pages them. */
function* records(): Generator<Upsert> {
  for (let n = 0; n < CUSTOMERS; n++) {
    const id = `cu-${pad(n)}`;
    const ownerId = OWNERS[n % OWNERS.length] as string;
    const buckets = [`o:${ownerId}`];
    const latin = n % 3 === 0;
    const name = latin ? `${pick(LATIN)} ${pick(['Robotics', 'Trading', 'Foods'])} ${n}` : `${pick(CITIES)}${pick(BRANDS)}${pick(TRADES)}有限公司${n}`;
    const base = { updatedAt: NOW - 10 * DAY, version: 1 };
    yield {
      entity: 'customer', buckets, writable: true,
      record: { ...base, id, name, type: 'company', industry: pick(['制造业', '零售', '金融']), city: pick(CITIES), address: '某路 1 号', ownerId,
        tags: [pick(TAGS)], creditLimit: 100000, paymentTerms: 'net30', taxId: `TX${n}`, notes: '备注' },
    };
    for (let k = 0; k < 2; k++) {
      yield { entity: 'contact', customerId: id, buckets, writable: true,
        record: { ...base, id: `ct-${pad(n)}-${k}`, customerId: id, name: pick(SURNAMES) + pick(GIVEN), title: '经理', phone: '13800000000', email: 'a@b.cn', wechat: 'wx' } };
    }
    yield { entity: 'opportunity', customerId: id, buckets, writable: true,
      record: { ...base, id: `op-${pad(n)}`, customerId: id, title: `项目 ${n}`, stage: pick(STAGES), amount: Math.round(rand() * 1e6),
        expectedCloseDate: new Date(NOW + (rand() - 0.5) * 120 * DAY).toISOString().slice(0, 10), probability: 50, ownerId } };
    for (let k = 0; k < 3; k++) {
      yield { entity: 'activity', customerId: id, buckets, writable: true,
        record: { ...base, id: `ac-${pad(n)}-${k}`, customerId: id, kind: 'visit', at: Math.round(NOW - rand() * 90 * DAY), authorId: ownerId, text: '拜访客户，讨论续约' } };
    }
  }
}

function grant(): GrantClaims {
  return {
    iss: 'salesvault', sub: 'user-manager', did: 'd-1', username: 'manager', displayName: '经理',
    unitId: 'team-1', role: { id: 'r-m', key: 'manager', name: 'Manager' }, actions: ['customer.read', 'dashboard.team'],
    dataScope: 'team', readClearance: 'sensitive', writeClearance: 'internal', offline: DEFAULT_OFFLINE_POLICY,
    buckets: OWNERS.map((o) => `o:${o}`), scopeVersion: 1, classification: DEFAULT_CLASSIFICATION,
    iat: 1_700_000_000, leaseUntil: NOW + 72 * 3_600_000, wipeAfter: NOW + 14 * DAY,
  };
}

function pages(all: Upsert[]): PullResponse[] {
  const out: PullResponse[] = [];
  for (let i = 0; i < all.length; i += PAGE) {
    out.push({ droppedBuckets: [], fieldPurges: [], removals: [], upserts: all.slice(i, i + PAGE), cursor: `c-${i}`, hasMore: i + PAGE < all.length, serverTime: NOW });
  }
  return out;
}

const TABLES: Record<EntityType, string> = { customer: 'customers', contact: 'contacts', opportunity: 'opportunities', activity: 'activities' };

/** The physical floor: the same (projected) rows into a bare 4-table SQLCipher schema, one transaction. */
function rawInsert(path: string, all: Upsert[], claims: GrantClaims): number {
  // The rows as the vault stores them: projected to the grant's clearance.
  const rows = all.map((u) => [u.entity, u.record.id, u.customerId ?? u.record.id, JSON.stringify(projectRecord(u.entity, u.record, claims.readClearance, claims.classification)), u.writable ? 1 : 0] as const);
  const db = new Database(path);
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
  db.pragma(`key="x'${randomBytes(32).toString('hex')}'"`);
  db.pragma('journal_mode = WAL');
  db.pragma('secure_delete = ON');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -65536');
  for (const t of Object.values(TABLES)) db.exec(`CREATE TABLE ${t} (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, record TEXT NOT NULL, writable INTEGER NOT NULL)`);
  const ins = Object.fromEntries(Object.entries(TABLES).map(([e, t]) => [e, db.prepare(`INSERT INTO ${t} VALUES (?, ?, ?, ?)`)]));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  db.transaction(() => {
    for (const [entity, id, customerId, record, writable] of rows) ins[entity]!.run(id, customerId, record, writable);
  })();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(`raw insert cpu: ${fmt((cpu.user + cpu.system) / 1000)}`);
  db.close();
  return ms;
}

/** MB per table and index (dbstat), through a second connection with the vault key. */
function printSizes(path: string, keyHex: string): void {
  const db = new Database(path, { readonly: true });
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
  db.pragma(`key="x'${keyHex}'"`);
  const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
  for (const r of rows.slice(0, 25)) console.log(`  ${(r.bytes / 1e6).toFixed(1).padStart(7)} MB  ${r.name}`);
  db.close();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  const Vault = (args.impl ? ((await import(args.impl)) as { Vault: typeof CurrentVault }).Vault : CurrentVault);
  const dir = mkdtempSync(join(tmpdir(), 'sv-vault-perf-'));
  try {
    const claims = grant();
    const all = [...records()];
    console.log(`dataset: ${CUSTOMERS} customers, ${all.length} records, pages of ${PAGE}`);

    const rawMs = rawInsert(join(dir, 'raw.db'), all, claims);

    const secrets = new MemorySecretStore();
    const vault = await Vault.create(join(dir, 'vault.db'), secrets, { clock: { now: () => NOW } });
    vault.rememberUserNames(OWNERS.map((id, i) => ({ id, displayName: `代表${i + 1}` })));
    const importPages = pages(all);
    let importMs = 0;
    let lastPageMs = 0;
    const cpuBefore = process.cpuUsage();
    for (const p of importPages) {
      const t = performance.now();
      vault.applyPullPage(p, claims);
      const dt = performance.now() - t;
      importMs += dt;
      if (!p.hasMore) lastPageMs = dt;
    }
    const cpu = process.cpuUsage(cpuBefore);
    console.log(`import cpu: ${fmt((cpu.user + cpu.system) / 1000)}`);
    console.log(`import: ${fmt(importMs)} (last page incl. search build ${fmt(lastPageMs)}), raw SQLCipher insert ${fmt(rawMs)}, import = ${((100 * rawMs) / importMs).toFixed(0)} % of raw throughput`);

    const makers = [
      () => pick(BRANDS), () => pick(BRANDS) + pick(TRADES), () => pick(CITIES) + pick(BRANDS).slice(0, 1), () => pick(TRADES) + '有限',
      () => pick(LATIN).slice(0, 3), () => pick(LATIN), () => pick(SURNAMES) + pick(GIVEN),
    ];
    const times: number[] = [];
    const hits: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const query = makers[i % makers.length]!();
      const t = performance.now();
      const r = vault.searchCustomers({ query, offset: 0, limit: 100 });
      times.push(performance.now() - t);
      hits.push(r.total);
    }
    console.log(`search: p50 ${fmt(percentile(times, 50))}, p95 ${fmt(percentile(times, 95))}, max ${fmt(Math.max(...times))}, median hits ${percentile(hits, 50)}`);

    const dash: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      vault.teamDashboard(NOW);
      dash.push(performance.now() - t);
    }
    console.log(`dashboard: median ${fmt(percentile(dash, 50))}, max ${fmt(Math.max(...dash))}`);

    const delta = all.filter((u) => u.entity === 'customer').slice(0, 100).map((u) => ({ ...u, record: { ...u.record, version: 2, notes: 'changed' } }));
    let t = performance.now();
    vault.applyPullPage({ droppedBuckets: [], fieldPurges: [], removals: [], upserts: delta, cursor: 'delta', hasMore: false, serverTime: NOW }, claims);
    console.log(`delta 100 upserts: ${fmt(performance.now() - t)}`);

    const size = (f: string) => (existsSync(f) ? statSync(f).size / 1e6 : 0).toFixed(1);
    const vaultFile = join(dir, 'vault.db');
    console.log(`vault file ${size(vaultFile)} MB, WAL ${size(`${vaultFile}-wal`)} MB`);
    if (args.keep) {
      vault.close();
      copyFileSync(vaultFile, args.keep);
      console.log(`kept ${args.keep}, key ${(await secrets.get(VAULT_KEY_ACCOUNT)) as string}`);
      return;
    }
    if (args.sizes) printSizes(vaultFile, (await secrets.get(VAULT_KEY_ACCOUNT)) as string);
    // Half of the owners leave the scope: half of the customers (and their children) go.
    const dropped = OWNERS.slice(0, 3).map((o) => `o:${o}`);
    const before = vault.recordCounts();
    t = performance.now();
    const purgeCpu = process.cpuUsage();
    const result = vault.applyPullPage({ droppedBuckets: dropped, fieldPurges: [], removals: [], upserts: [], cursor: 'shrink', hasMore: false, serverTime: NOW }, { ...claims, buckets: OWNERS.slice(3).map((o) => `o:${o}`) });
    const purgeMs = performance.now() - t;
    const purgeCpuUsed = process.cpuUsage(purgeCpu);
    console.log(`purge cpu: ${fmt((purgeCpuUsed.user + purgeCpuUsed.system) / 1000)}`);
    console.log(`purge: ${fmt(purgeMs)} removing ${before.customer - vault.recordCounts().customer} customers, ${result.removed} records`);
    vault.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
