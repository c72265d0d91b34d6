// Benchmark scales and the performance goals every figure is compared with.

export const SCALES = {
  // CI: seconds, so the benchmark cannot rot.
  smoke: { customers: 1_000, loadConnections: 50, loadDurationS: 5, searchQueries: 200, baselineTrials: 3 },
  medium: { customers: 10_000, loadConnections: 500, loadDurationS: 10, searchQueries: 200, baselineTrials: 3 },
  // The full scale (a large manager's scope): 100k customers, 200k contacts, 100k opportunities, 300k activities.
  full: { customers: 100_000, loadConnections: 500, loadDurationS: 20, searchQueries: 200, baselineTrials: 2 },
} as const;

export type ScaleName = keyof typeof SCALES;
export type Scale = (typeof SCALES)[ScaleName];

/** Records generated per customer (same shape as the demo organisation). */
export const PER_CUSTOMER = { contacts: 2, opportunities: 1, activities: 3 } as const;

/** Changed records in the delta-sync figure. */
export const DELTA_RECORDS = 100;

/** Customers the scope shrink removes at full scale; scaled down proportionally below it. */
export const FULL_PURGE_CUSTOMERS = 50_000;

export interface Goal {
  op: '<=' | '>=';
  value: number;
  text: string;
}

// One place for the goals table, keyed by the figure it applies to.
export const GOALS: Record<string, Goal> = {
  'firstSync.endToEndMs': { op: '<=', value: 10_000, text: 'first sync ≤ 10 s end to end' },
  'firstSync.endToEndVsRawInsert': { op: '<=', value: 2, text: 'first sync end to end ≤ 2× the raw SQLCipher insert of the same rows, same run' },
  'client.peakRssMb': { op: '<=', value: 300, text: 'client peak memory during the first sync ≤ 300 MB' },
  'firstSync.importPercentOfRawSqlcipher': { op: '>=', value: 50, text: 'import stage ≥ 50 % of raw SQLCipher insert throughput' },
  'delta.syncOnceMs': { op: '<=', value: 100, text: 'delta sync of 100 records ≤ 100 ms' },
  'purge.syncMs': { op: '<=', value: 2_000, text: 'purge after a 50k-customer scope shrink ≤ 2 s' },
  'wipe.cryptoShredMs': { op: '<=', value: 200, text: 'wipe (keychain entry + files) ≤ 200 ms' },
  'revoke.adminToWipedMs': { op: '<=', value: 2_000, text: 'admin click → online device wiped ≤ 2 s' },
  'search.p95Ms': { op: '<=', value: 15, text: 'search over 100k customers p95 ≤ 15 ms' },
  'search.pinyinP95Ms': { op: '<=', value: 15, text: 'pinyin search over 100k customers p95 ≤ 15 ms' },
  'dashboard.medianMs': { op: '<=', value: 100, text: 'team dashboard over 100k opportunities ≤ 100 ms' },
  'load.p99Ms': { op: '<=', value: 100, text: '500 concurrent delta-syncing clients p99 ≤ 100 ms' },
  'load.errors': { op: '<=', value: 0, text: '500 concurrent clients: no errors' },
  'encryption.vaultImportOverhead': { op: '<=', value: 25, text: 'encryption overhead vs plain SQLite ≤ 25 %' },
  'fleet.revokeP99Ms': { op: '<=', value: 1_000, text: 'fleet: revocation → directive on the stream p99 ≤ 1 s' },
  'app.longestUiWaitMs': { op: '<=', value: 100, text: 'no UI call waits more than 100 ms during a first sync' },
  'app.listLastVsFirst': { op: '<=', value: 2, text: '500th 200-row page of the customer list within 2× of the first' },
  'app.openBusyCustomerMs': { op: '<=', value: 200, text: 'a customer with 2,000 activities opens (first paint) ≤ 200 ms' },
  'fleet.rescopeMs': { op: '<=', value: 2_000, text: 'fleet: role change → 1,000 re-scoped devices told ≤ 2 s' },
};

export function parseScale(name: string): ScaleName {
  if (name in SCALES) return name as ScaleName;
  throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')} (got "${name}")`);
}
