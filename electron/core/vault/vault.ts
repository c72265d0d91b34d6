// The encrypted customer vault (PRODUCT §5): SQLCipher 4 format via better-sqlite3-multiple-ciphers,
// keyed with a random 256-bit raw key that lives only in the OS keychain and in this process.
// Plain Node: no `electron` import.

import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db, Statement } from 'better-sqlite3-multiple-ciphers';
import { ENTITY_TYPES, OPPORTUNITY_STAGES, type EntityType, type OpportunityStage } from '../../../shared/domain/model';
import type { CustomerDetail, CustomerListItem, FieldAccess, OutboxItem, SyncIssue, TeamDashboard } from '../../../shared/api/desktop-api';
import { searchCustomersInput } from '../../../shared/api/desktop-api';
import { grantClaimsSchema, type GrantClaims } from '../../../shared/protocol/grant';
import {
  mutationSchema,
  offlineAuditEntrySchema,
  type Mutation,
  type MutationResult,
  type OfflineAuditEntry,
  type PullResponse,
} from '../../../shared/protocol/sync';
import { ownerBucket, projectRecord, readableFields, writableFields } from '../../../shared/permissions/engine';
import { authorizeLocalEdit } from '../local-authz';
import { prepareDatabaseFile } from '../private-files';
import { VAULT_KEY_ACCOUNT, type Clock, type SearchInput, type SecretStore, type VaultMeta, type VaultStore } from '../contracts';
import { DAY_MS, WEEK_MS, isoDate, isoWeekStart } from './dates';
import { VaultCorruptError, VaultError, VaultKeyMissingError } from './errors';
import { MIGRATIONS } from './schema';
import { LIKE_ESCAPE, buildSearchFilter, gramsOf } from './search-query';

type StoredRecord = Record<string, unknown> & { id: string };

const TABLE: Record<EntityType, string> = {
  customer: 'customers',
  contact: 'contacts',
  opportunity: 'opportunities',
  activity: 'activities',
};
const CHILD_ENTITIES = ['contact', 'opportunity', 'activity'] as const;

const KEY_HEX = /^[0-9a-f]{64}$/i;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Fields a local edit may never set: identity and versioning belong to the server. */
const SERVER_OWNED_FIELDS = new Set(['id', 'version', 'updatedAt']);
const NOT_CONTACTED_DAYS = 30;
/** Internal meta flag: a bulk import (first sync) is under way; the search index is rebuilt when it ends. */
const SEARCH_STALE = 'search-stale';
/** Internal meta: the CREATE INDEX statements a bulk import dropped, to run once it ends. */
const DEFERRED_INDEXES = 'deferred-indexes';
/** Tables whose secondary indexes a bulk import builds once at the end (UNIQUE ids stay: upserts need them). */
const DEFERRABLE_INDEX_TABLES = ['customers', 'contacts', 'opportunities', 'activities', 'record_buckets'];
/** Indexes the triggers look children up by (schema.ts): without them a trigger would scan a whole table per row. */
const TRIGGER_INDEXES = ['contacts_customer', 'opportunities_customer', 'activities_customer_at'];
/** Triggers a bulk scope shrink replaces by set-based deletes (see deleteLeftCustomersInBulk). */
const CASCADE_TRIGGERS = ['customers_deleted', 'activities_deleted'];
/** Above this many search rows leaving scope, one index rewrite beats per-row secure deletes. */
const BULK_SEARCH_PURGE_ROWS = 1000;
type SearchPurgeMode = 'none' | 'secure' | 'bulk';
const NOT_CONTACTED_LIMIT = 100;
const DASHBOARD_WEEKS = 8;

export interface VaultOptions {
  /** Clock for issue timestamps; the system clock by default. */
  clock?: Clock;
  /** Read every page at open (PRAGMA quick_check) so a tampered page fails now, not later. */
  verifyIntegrity?: boolean;
}

export class Vault implements VaultStore {
  private readonly stmts = new Map<string, Statement>();
  private readonly clock: Clock;

  private constructor(
    private readonly db: Db,
    readonly path: string,
    options: VaultOptions,
  ) {
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  // ---- lifecycle ------------------------------------------------------------------------

  static exists(path: string): boolean {
    return existsSync(path);
  }

  /**
   * First enrollment: a fresh random key goes into the keychain BEFORE the file exists, so
   * there is never a vault on disk whose key could be lost by a crash in between.
   */
  static async create(path: string, secrets: SecretStore, options: VaultOptions = {}): Promise<Vault> {
    if (existsSync(path)) throw new VaultError('vault_exists', 'A vault file already exists at this path; wipe it before enrolling again.');
    const keyHex = randomBytes(32).toString('hex');
    await secrets.set(VAULT_KEY_ACCOUNT, keyHex);
    return Vault.openWithKey(path, keyHex, false, options);
  }

  /** Open an existing vault with the key from the keychain. */
  static async open(path: string, secrets: SecretStore, options: VaultOptions = {}): Promise<Vault> {
    const keyHex = await secrets.get(VAULT_KEY_ACCOUNT);
    if (!existsSync(path)) throw new VaultError('vault_missing', 'There is no vault file at this path.');
    if (!keyHex) throw new VaultKeyMissingError();
    return Vault.openWithKey(path, keyHex, true, options);
  }

  private static openWithKey(path: string, keyHex: string, mustExist: boolean, options: VaultOptions): Vault {
    if (!KEY_HEX.test(keyHex)) throw new VaultCorruptError('The vault key in the keychain is malformed.');
    let db: Db;
    try {
      // 0600 before SQLite writes a byte (its -wal/-shm inherit the database file's mode).
      prepareDatabaseFile(path, { create: !mustExist });
      db = new Database(path, { fileMustExist: mustExist });
    } catch (cause) {
      throw new VaultCorruptError(`The vault file cannot be opened: ${messageOf(cause)}`, { cause });
    }
    try {
      db.pragma(`cipher='sqlcipher'`);
      db.pragma('legacy=4');
      // Raw key (x'…'): no passphrase KDF. Validated as 64 hex chars above, so nothing can be injected.
      db.pragma(`key="x'${keyHex}'"`);
      // The first real read: a wrong key or a damaged first page fails here.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      if (options.verifyIntegrity) {
        const result = db.pragma('quick_check', { simple: true });
        if (result !== 'ok') throw new Error(`integrity check: ${String(result)}`);
      }
    } catch (cause) {
      db.close();
      // The cause is SQLite's message ("file is not a database"): it never contains the key.
      throw new VaultCorruptError(`The vault cannot be decrypted with the keychain key (wrong key or damaged file): ${messageOf(cause)}`, { cause });
    }
    try {
      db.pragma('journal_mode = WAL');
      // Purged rows are overwritten with zeros, not just unlinked.
      db.pragma('secure_delete = ON');
      db.pragma('foreign_keys = ON');
      // Temp tables and sort spills stay in memory: SQLite temp files would be unencrypted.
      db.pragma('temp_store = MEMORY');
      // An acknowledged edit must survive power loss, not only a process crash.
      db.pragma('synchronous = FULL');
      // Every page read from disk is decrypted and verified: a larger cache avoids doing that
      // over and over for index pages during big syncs, purges and dashboards.
      db.pragma('cache_size = -65536');
      // Before the migrations, so they always see the schema the previous run left.
      restoreDeferredIndexes(db);
      migrate(db);
    } catch (cause) {
      db.close();
      if (cause instanceof VaultError) throw cause;
      throw new VaultCorruptError(`The vault could not be prepared: ${messageOf(cause)}`, { cause });
    }
    return new Vault(db, path, options);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  // ---- meta -----------------------------------------------------------------------------

  getMeta<K extends keyof VaultMeta>(key: K): VaultMeta[K] | null {
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? row.value : null;
  }

  setMeta<K extends keyof VaultMeta>(key: K, value: VaultMeta[K]): void {
    this.stmt('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Bookkeeping rows of the vault itself, kept apart from the VaultMeta contract keys. */
  private internalMeta(key: string): string | null {
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(`internal:${key}`) as { value: string } | undefined;
    return row ? row.value : null;
  }

  private setInternalMeta(key: string, value: string | null): void {
    if (value === null) this.stmt('DELETE FROM meta WHERE key = ?').run(`internal:${key}`);
    else this.stmt('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(`internal:${key}`, value);
  }

  /**
   * Move the last trusted time forward (never back) and return it. Called with the server's
   * time after a check-in and with the local clock while it is not behind.
   */
  noteTrustedTime(at: number): number {
    const current = Number(this.getMeta('lastTrustedTime') ?? 0);
    const next = Math.max(Number.isFinite(current) ? current : 0, at);
    if (next !== current) this.setMeta('lastTrustedTime', String(next));
    return next;
  }

  /** Display names for owner ids (the grant only names the current user). */
  rememberUserNames(users: readonly { id: string; displayName: string }[]): void {
    const upsert = this.stmt('INSERT INTO users(id, display_name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name');
    this.db.transaction(() => {
      for (const user of users) upsert.run(user.id, user.displayName);
    })();
  }

  // ---- pull -----------------------------------------------------------------------------

  applyPullPage(page: PullResponse, grant: GrantClaims | null): { upserted: number; removed: number } {
    const claims = grant ?? this.storedGrant();
    let upserted = 0;
    let removed = 0;
    let purged = false;
    const dirtyCustomers = new Set<string>();
    let rebuildSearch = false;

    // Into an empty vault (first sync) the search index and the secondary indexes are built
    // once, after the last page: one bulk build (a sort) is several times cheaper than keeping
    // them up to date row by row, page by page. Until then (also across a crash mid-sync) the
    // flag stays set and search may miss records. (A crash mid-import recreates the indexes at
    // the next open, so queries never run without them outside an import.)
    const bulkImport =
      this.internalMeta(SEARCH_STALE) === '1' ||
      (page.upserts.length > 0 && !this.stmt('SELECT 1 FROM customers LIMIT 1').get());
    // A bulk-import page is committed without waiting for the disk (synchronous=NORMAL; WAL
    // mode keeps the file consistent either way). An application crash loses nothing; only a
    // power loss can lose the last pages, and the cursor is committed in the same transaction,
    // so a lost page is simply pulled again. Local edits keep synchronous=FULL.
    if (bulkImport) this.db.pragma('synchronous = NORMAL');
    try {
      this.db.transaction(() => {
        if (bulkImport) {
          this.setInternalMeta(SEARCH_STALE, '1');
          this.deferIndexes();
        }

        if (claims) this.rememberUserNames([{ id: claims.sub, displayName: claims.displayName }]);
        const searchPurge = this.beginSearchPurge(this.searchRowsLeaving(page));

        for (const purge of page.fieldPurges) {
          const fields = purge.fields.filter((f) => FIELD_NAME.test(f));
          if (fields.length !== purge.fields.length) throw new VaultError('invalid_input', 'A field purge names an invalid field.');
          if (!fields.length) continue;
          this.purgeFields(purge.entity, fields);
          purged = true;
          if (purge.entity === 'customer' || purge.entity === 'contact') rebuildSearch = true;
        }

        // Bucket drops in two steps around the upserts: a customer that leaves one bucket but is
        // upserted into another in the same page (e.g. reassigned to me while shared with me)
        // must keep its children, which the page does not resend.
        if (page.droppedBuckets.length) this.leaveBuckets(page.droppedBuckets);

        for (const removal of page.removals) {
          const parent = this.deleteRecord(removal.entity, removal.id);
          if (parent === undefined) continue;
          removed += 1;
          purged = true;
          if (removal.entity === 'contact' && parent) dirtyCustomers.add(parent);
        }

        const checkPending = this.outboxCount() > 0;
        // Parents first, so a child in the same page finds its customer.
        const upserts = [...page.upserts].sort((a, b) => Number(b.entity === 'customer') - Number(a.entity === 'customer'));
        for (const upsert of upserts) {
          const entity = upsert.entity;
          let record = upsert.record as StoredRecord;
          // Defence in depth: even a misbehaving server cannot put a field above clearance on disk.
          if (claims) record = projectRecord(entity, record, claims.readClearance, claims.classification) as StoredRecord;
          const customerId = entity === 'customer' ? record.id : (upsert.customerId ?? stringOr(record.customerId));
          if (!customerId) throw new VaultError('invalid_input', `A ${entity} upsert has no customer id.`);
          if (checkPending) {
            const overlaid = this.overlayPending(entity, record);
            if (overlaid === null) continue; // a pending local delete wins until it is pushed
            record = overlaid;
          }
          // A contact moving to another customer changes two search rows (not needed in a bulk import: all are built at the end).
          const previousParent = entity === 'contact' && !bulkImport ? this.parentOf('contact', record.id) : null;
          this.writeRecord(entity, record, customerId, upsert.writable);
          if (entity === 'customer') this.setBuckets(record.id, upsert.buckets);
          upserted += 1;
          if (entity === 'customer') dirtyCustomers.add(record.id);
          if (entity === 'contact') {
            dirtyCustomers.add(customerId);
            if (previousParent && previousParent !== customerId) dirtyCustomers.add(previousParent);
          }
        }

        if (page.droppedBuckets.length) {
          // Deleted customers lose their search rows by trigger: nothing to refresh.
          removed += this.deleteCustomersInNoBucket();
          purged = true;
        }

        if (bulkImport) {
          if (!page.hasMore) {
            this.restoreIndexes();
            this.rebuildSearch();
            this.setInternalMeta(SEARCH_STALE, null);
          }
        } else if (rebuildSearch) this.rebuildSearch();
        else this.refreshSearch(dirtyCustomers);
        this.endSearchPurge(searchPurge);
        this.setMeta('cursor', page.cursor);
      })();
    } finally {
      if (bulkImport) this.db.pragma('synchronous = FULL');
    }

    // secure_delete zeroes the main file's pages; the old page images still sit in the WAL
    // until it is checkpointed and truncated.
    if (purged) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return { upserted, removed };
  }

  // ---- deferred secondary indexes of a bulk import ----------------------------------------
  // The definitions are read from the schema itself and kept in meta in the same transaction as
  // the DROP, so the schema stays the one place that defines them and a crash cannot lose them.

  private deferIndexes(): void {
    if (this.internalMeta(DEFERRED_INDEXES) !== null) return;
    const indexes = this.stmt(
      `SELECT name, sql FROM sqlite_master
       WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${DEFERRABLE_INDEX_TABLES.map((t) => `'${t}'`).join(', ')})
         AND name NOT IN (${TRIGGER_INDEXES.map((t) => `'${t}'`).join(', ')})`,
    ).all() as { name: string; sql: string }[];
    this.setInternalMeta(DEFERRED_INDEXES, JSON.stringify(indexes.map((i) => i.sql)));
    for (const index of indexes) this.db.exec(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);
  }

  /** Recreate the indexes a bulk import deferred (no-op when none are deferred). */
  private restoreIndexes(): void {
    // Prepared statements are re-planned by SQLite itself after a schema change.
    restoreDeferredIndexes(this.db);
  }

  // ---- purging the search index ----------------------------------------------------------
  // FTS5 deletes normally leave the old tokens in older index segments until a merge, and a
  // purged customer's name could be pieced back together from its trigrams. Out-of-scope data
  // must really go: a few rows are deleted with FTS5 'secure-delete' (removed from the index
  // at once, but costly per row); many rows are deleted normally and the index is then
  // rewritten with 'optimize', which drops every deleted entry (freed pages are zeroed by
  // secure_delete). Ordinary updates of in-scope records need neither.

  /** Upper bound of the search rows a page takes out of scope (Infinity = the whole index). */
  private searchRowsLeaving(page: PullResponse): number {
    if (page.fieldPurges.some((p) => p.entity === 'customer' || p.entity === 'contact')) return Infinity;
    let rows = page.removals.filter((r) => r.entity === 'customer' || r.entity === 'contact').length;
    if (page.droppedBuckets.length) {
      rows += (this.stmt(
        `SELECT count(DISTINCT id) AS n FROM record_buckets WHERE entity = 'customer' AND bucket IN (SELECT value FROM json_each(?))`,
      ).get(JSON.stringify(page.droppedBuckets)) as { n: number }).n;
    }
    return rows;
  }

  private beginSearchPurge(rows: number): SearchPurgeMode {
    if (rows === 0) return 'none';
    if (rows > BULK_SEARCH_PURGE_ROWS) return 'bulk';
    this.setSearchSecureDelete(true);
    return 'secure';
  }

  private endSearchPurge(mode: SearchPurgeMode): void {
    if (mode === 'secure') this.setSearchSecureDelete(false);
    if (mode === 'bulk') {
      this.stmt(`INSERT INTO customer_search(customer_search) VALUES ('optimize')`).run();
      this.stmt(`INSERT INTO customer_grams(customer_grams) VALUES ('optimize')`).run();
    }
  }

  private setSearchSecureDelete(on: boolean): void {
    // FTS5 wants an integer literal here (a bound JS number arrives as a REAL and is refused).
    const flag = on ? 1 : 0;
    this.stmt(`INSERT INTO customer_search(customer_search, rank) VALUES ('secure-delete', ${flag})`).run();
    this.stmt(`INSERT INTO customer_grams(customer_grams, rank) VALUES ('secure-delete', ${flag})`).run();
  }

  private purgeFields(entity: EntityType, fields: readonly string[]): void {
    // Field names were checked against FIELD_NAME, so `$.<field>` is a plain JSON path.
    const remove = this.stmt(`UPDATE ${TABLE[entity]} SET record = json_remove(record, ?) WHERE json_type(record, ?) IS NOT NULL`);
    for (const field of fields) remove.run(`$.${field}`, `$.${field}`);
    // Pending edits must not carry the field back in either.
    const pending = this.stmt('SELECT mutation_id, mutation FROM outbox WHERE entity = ?').all(entity) as { mutation_id: string; mutation: string }[];
    const update = this.stmt('UPDATE outbox SET mutation = ? WHERE mutation_id = ?');
    for (const row of pending) {
      const m = JSON.parse(row.mutation) as Mutation;
      let changed = false;
      for (const f of fields) {
        if (f in m.fields || f in m.baseValues) {
          delete m.fields[f];
          delete m.baseValues[f];
          changed = true;
        }
      }
      if (changed) update.run(JSON.stringify(m), row.mutation_id);
    }
  }

  /** Remove the memberships of these buckets, remembering which customers had one. */
  private leaveBuckets(buckets: readonly string[]): void {
    const list = JSON.stringify(buckets);
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS left_customers (id TEXT PRIMARY KEY) WITHOUT ROWID');
    this.stmt('DELETE FROM temp.left_customers').run();
    this.stmt(
      `INSERT OR IGNORE INTO temp.left_customers SELECT id FROM record_buckets
       WHERE entity = 'customer' AND bucket IN (SELECT value FROM json_each(?))`,
    ).run(list);
    this.stmt('DELETE FROM record_buckets WHERE bucket IN (SELECT value FROM json_each(?))').run(list);
  }

  /** Delete the customers (with their children) that left a bucket and are now in none. Returns the records deleted. */
  private deleteCustomersInNoBucket(): number {
    this.stmt(
      `DELETE FROM temp.left_customers
       WHERE EXISTS (SELECT 1 FROM record_buckets rb WHERE rb.entity = 'customer' AND rb.id = left_customers.id)`,
    ).run();
    const leaving = (this.stmt('SELECT count(*) AS n FROM temp.left_customers').get() as { n: number }).n;
    const count = leaving > BULK_SEARCH_PURGE_ROWS ? this.deleteLeftCustomersInBulk() : this.deleteLeftCustomersByTrigger();
    this.stmt('DELETE FROM temp.left_customers').run();
    return count;
  }

  private deleteLeftCustomersByTrigger(): number {
    // Children are counted here (index-only) and deleted by the customer trigger: deleting them
    // first would make the activity trigger recompute last_activity_at of customers about to go.
    let count = 0;
    for (const entity of CHILD_ENTITIES) {
      count += (this.stmt(`SELECT count(*) AS n FROM ${TABLE[entity]} WHERE customer_id IN (SELECT id FROM temp.left_customers)`).get() as { n: number }).n;
    }
    return count + this.stmt('DELETE FROM customers WHERE id IN (SELECT id FROM temp.left_customers)').run().changes;
  }

  /**
   * A large scope shrink: the cascade of the customers_deleted trigger (schema.ts) done as one
   * statement per table instead of six per customer, and without the activities_deleted trigger
   * recomputing last_activity_at of customers that are about to go. Both triggers are dropped
   * and recreated from their stored definitions inside this transaction (DDL is transactional:
   * an error or a crash leaves them as they were). Keep in step with customers_deleted.
   */
  private deleteLeftCustomersInBulk(): number {
    const triggers = this.db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (${CASCADE_TRIGGERS.map((t) => `'${t}'`).join(', ')})`)
      .all() as { name: string; sql: string }[];
    if (triggers.length !== CASCADE_TRIGGERS.length) throw new VaultCorruptError('The vault schema is missing its delete triggers.');
    for (const trigger of triggers) this.db.exec(`DROP TRIGGER "${trigger.name}"`);
    const leftRids = 'SELECT rid FROM customers WHERE id IN (SELECT id FROM temp.left_customers)';
    let count = 0;
    for (const entity of CHILD_ENTITIES) {
      count += this.stmt(`DELETE FROM ${TABLE[entity]} WHERE customer_id IN (SELECT id FROM temp.left_customers)`).run().changes;
    }
    this.stmt(`DELETE FROM record_buckets WHERE entity = 'customer' AND id IN (SELECT id FROM temp.left_customers)`).run();
    this.stmt(`DELETE FROM customer_search WHERE rowid IN (${leftRids})`).run();
    this.stmt(`DELETE FROM customer_grams WHERE rowid IN (${leftRids})`).run();
    count += this.stmt('DELETE FROM customers WHERE id IN (SELECT id FROM temp.left_customers)').run().changes;
    for (const trigger of triggers) this.db.exec(trigger.sql);
    return count;
  }

  /** Delete one record (children cascade by trigger). Returns its customer id, or undefined when it was not stored. */
  private deleteRecord(entity: EntityType, id: string): string | undefined {
    const column = entity === 'customer' ? 'id' : 'customer_id';
    const row = this.stmt(`DELETE FROM ${TABLE[entity]} WHERE id = ? RETURNING ${column} AS parent`).get(id) as { parent: string } | undefined;
    return row?.parent;
  }

  private writeRecord(entity: EntityType, record: StoredRecord, customerId: string, writable: boolean): void {
    const json = JSON.stringify(record);
    if (entity === 'customer') {
      // An unchanged resend writes nothing: no row, index or WAL page is touched for it.
      this.stmt(
        `INSERT INTO customers(id, record, writable) VALUES (?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET record = excluded.record, writable = excluded.writable
         WHERE record IS NOT excluded.record OR writable IS NOT excluded.writable`,
      ).run(record.id, json, writable ? 1 : 0);
    } else {
      this.stmt(
        `INSERT INTO ${TABLE[entity]}(id, customer_id, record, writable) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id, record = excluded.record, writable = excluded.writable
         WHERE customer_id IS NOT excluded.customer_id OR record IS NOT excluded.record OR writable IS NOT excluded.writable`,
      ).run(record.id, customerId, json, writable ? 1 : 0);
    }
  }

  /** A customer's bucket memberships (children follow their customer). */
  private setBuckets(customerId: string, buckets: readonly string[]): void {
    // Only memberships that change are written: a delta resends every customer's buckets, and
    // deleting and re-inserting the same rows would dirty their pages on every sync.
    this.stmt(`DELETE FROM record_buckets WHERE entity = 'customer' AND id = ? AND bucket NOT IN (SELECT value FROM json_each(?))`).run(
      customerId,
      JSON.stringify(buckets),
    );
    const insert = this.stmt(`INSERT OR IGNORE INTO record_buckets(entity, id, bucket) VALUES ('customer', ?, ?)`);
    for (const bucket of buckets) insert.run(customerId, bucket);
  }

  private hasBuckets(customerId: string): boolean {
    return Boolean(this.stmt(`SELECT 1 FROM record_buckets WHERE entity = 'customer' AND id = ? LIMIT 1`).get(customerId));
  }

  private parentOf(entity: (typeof CHILD_ENTITIES)[number], id: string): string | null {
    const row = this.stmt(`SELECT customer_id FROM ${TABLE[entity]} WHERE id = ?`).get(id) as { customer_id: string } | undefined;
    return row?.customer_id ?? null;
  }

  /**
   * Lay the user's unsynced edits over a server record so they stay visible until pushed.
   * Only keys the server record carries are overlaid: a pending edit never brings back a
   * field that is now above the user's clearance. null = a pending delete.
   */
  private overlayPending(entity: EntityType, serverRecord: StoredRecord): StoredRecord | null {
    const rows = this.stmt('SELECT op, mutation FROM outbox WHERE entity = ? AND record_id = ? ORDER BY seq').all(entity, serverRecord.id) as { op: string; mutation: string }[];
    if (!rows.length) return serverRecord;
    const merged: StoredRecord = { ...serverRecord };
    for (const row of rows) {
      if (row.op === 'delete') return null;
      const { fields } = JSON.parse(row.mutation) as Mutation;
      for (const [field, value] of Object.entries(fields)) {
        if (Object.hasOwn(serverRecord, field) && !SERVER_OWNED_FIELDS.has(field)) merged[field] = value;
      }
    }
    return merged;
  }

  // ---- search index ---------------------------------------------------------------------

  /** Rewrite the search rows (trigram and gram index) of these customers from their current data. */
  private refreshSearch(customerIds: Iterable<string>): void {
    const ids = JSON.stringify([...new Set(customerIds)]);
    if (ids === '[]') return;
    const rows = this.stmt(`${SEARCH_ROW_SELECT} WHERE c.id IN (SELECT value FROM json_each(?))`).all(ids) as SearchRow[];
    // Most changes (notes, amounts, stages) leave the searchable text as it was: those rows are
    // kept. Rewriting them would only add FTS5 segments and dirty pages to every delta's commit.
    // (Both indexes are always written together from the same text, so comparing one suffices.)
    const current = new Map(
      (this.stmt('SELECT rowid AS rid, name, contact_names, city, tags FROM customer_search WHERE rowid IN (SELECT value FROM json_each(?))').all(
        JSON.stringify(rows.map((r) => r.rid)),
      ) as SearchRow[]).map((r) => [r.rid, r]),
    );
    const changed = rows.filter((r) => !sameSearchRow(current.get(r.rid), r));
    if (!changed.length) return;
    const rids = JSON.stringify(changed.map((r) => r.rid));
    this.stmt('DELETE FROM customer_search WHERE rowid IN (SELECT value FROM json_each(?))').run(rids);
    this.stmt('DELETE FROM customer_grams WHERE rowid IN (SELECT value FROM json_each(?))').run(rids);
    this.insertSearchRows(changed);
  }

  private rebuildSearch(): void {
    this.stmt('DELETE FROM customer_search').run();
    this.stmt('DELETE FROM customer_grams').run();
    this.insertSearchRows(this.stmt(SEARCH_ROW_SELECT).all() as SearchRow[]);
  }

  private insertSearchRows(rows: readonly SearchRow[]): void {
    const trigram = this.stmt('INSERT INTO customer_search(rowid, name, contact_names, city, tags) VALUES (?, ?, ?, ?, ?)');
    const grams = this.stmt('INSERT INTO customer_grams(rowid, grams) VALUES (?, ?)');
    for (const r of rows) {
      trigram.run(r.rid, r.name, r.contact_names, r.city, r.tags);
      grams.run(r.rid, gramsOf([r.name, r.contact_names, r.city, r.tags].filter(Boolean).join(' ')));
    }
  }

  // ---- local edits and the outbox -------------------------------------------------------

  applyLocalMutation(input: Mutation): void {
    const parsed = mutationSchema.safeParse(input);
    if (!parsed.success) throw new VaultError('invalid_input', `Invalid mutation: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const mutation = parsed.data;
    const { entity, recordId } = mutation;
    const fields = Object.fromEntries(Object.entries(mutation.fields).filter(([f]) => !SERVER_OWNED_FIELDS.has(f)));
    for (const f of Object.keys(fields)) {
      if (!FIELD_NAME.test(f)) throw new VaultError('invalid_input', 'A mutation names an invalid field.');
    }

    this.db.transaction(() => {
      if (this.stmt('SELECT 1 FROM outbox WHERE mutation_id = ?').get(mutation.mutationId)) {
        throw new VaultError('invalid_input', 'This mutation id is already in the outbox.');
      }
      let customerId: string;
      const existing = this.getRecord(entity, recordId);
      if (mutation.op === 'create') {
        if (existing) throw new VaultError('invalid_input', `A ${entity} with this id already exists.`);
        const record: StoredRecord = { ...fields, id: recordId, updatedAt: mutation.createdAt, version: 0 };
        const me = this.storedGrant()?.sub ?? null;
        if (entity === 'customer') {
          const ownerId = stringOr(record.ownerId) ?? me;
          if (!ownerId) throw new VaultError('invalid_input', 'A new customer needs an owner (no grant is stored).');
          record.ownerId = ownerId;
          customerId = recordId;
        } else {
          const parent = stringOr(record.customerId);
          if (!parent || !this.getRecord('customer', parent)) throw new VaultError('record_missing', `The customer of this ${entity} is not in the vault.`);
          customerId = parent;
          if (entity === 'opportunity' && !record.ownerId && me) record.ownerId = me;
          if (entity === 'activity' && !record.authorId && me) record.authorId = me;
        }
        this.writeRecord(entity, record, customerId, true);
        if (entity === 'customer') this.setBuckets(recordId, [ownerBucket(String(record.ownerId))]);
      } else if (mutation.op === 'update') {
        if (!existing) throw new VaultError('record_missing', `This ${entity} is not in the vault.`);
        customerId = entity === 'customer' ? recordId : (this.parentOf(entity, recordId) as string);
        const record = { ...existing, ...fields, id: recordId } as StoredRecord;
        if (entity !== 'customer') record.customerId = customerId; // moving a child is not an update
        this.stmt(`UPDATE ${TABLE[entity]} SET record = ? WHERE id = ?`).run(JSON.stringify(record), recordId);
      } else {
        if (!existing) throw new VaultError('record_missing', `This ${entity} is not in the vault.`);
        customerId = entity === 'customer' ? recordId : (this.parentOf(entity, recordId) as string);
        this.deleteRecord(entity, recordId);
      }
      this.stmt('INSERT INTO outbox(mutation_id, entity, op, record_id, customer_id, mutation) VALUES (?, ?, ?, ?, ?, ?)').run(
        mutation.mutationId,
        entity,
        mutation.op,
        recordId,
        customerId,
        JSON.stringify({ ...mutation, fields }),
      );
      if (entity === 'customer' || entity === 'contact') this.refreshSearch([customerId]);
    })();
  }

  outbox(limit = 500): Mutation[] {
    return (this.stmt('SELECT mutation FROM outbox ORDER BY seq LIMIT ?').all(limit) as { mutation: string }[]).map((r) => JSON.parse(r.mutation) as Mutation);
  }

  outboxCount(): number {
    return (this.stmt('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  listOutbox(): OutboxItem[] {
    const rows = this.stmt('SELECT mutation, attempts FROM outbox ORDER BY seq').all() as { mutation: string; attempts: number }[];
    return rows.map((row) => {
      const m = JSON.parse(row.mutation) as Mutation;
      return {
        mutationId: m.mutationId,
        entity: m.entity,
        op: m.op,
        recordId: m.recordId,
        label: this.labelFor(m.entity, m.recordId, m.fields),
        createdAt: m.createdAt,
        attempts: row.attempts,
      };
    });
  }

  settlePush(sent: readonly Mutation[], results: readonly MutationResult[]): void {
    const byId = new Map(results.map((r) => [r.mutationId, r]));
    let removedSomething = false;
    const dropsCreates = sent.some((m) => m.op === 'create' && byId.get(m.mutationId)?.status === 'rejected' && !byId.get(m.mutationId)?.record);
    this.db.transaction(() => {
      const searchPurge = this.beginSearchPurge(dropsCreates ? 1 : 0);
      for (const mutation of sent) {
        const result = byId.get(mutation.mutationId);
        if (!result) {
          // Not answered (the batch was cut short): keep it, in order, for the next push.
          this.stmt('UPDATE outbox SET attempts = attempts + 1 WHERE mutation_id = ?').run(mutation.mutationId);
          continue;
        }
        const stored = this.stmt('DELETE FROM outbox WHERE mutation_id = ? RETURNING mutation').get(mutation.mutationId) as { mutation: string } | undefined;
        if (!stored) continue; // settled before (a retried settle after a crash)
        const label = this.labelFor(mutation.entity, mutation.recordId, mutation.fields);
        if (result.record) {
          this.storeServerRecord(mutation.entity, result.record as StoredRecord);
        } else if (result.status === 'rejected' && mutation.op === 'create') {
          // The server never took it: the optimistic row goes; the issue keeps what the user typed.
          if (this.deleteRecord(mutation.entity, mutation.recordId) !== undefined) removedSomething = true;
          if (mutation.entity === 'contact') this.refreshSearch([String(mutation.fields.customerId ?? '')]);
        } else if (result.status === 'rejected' && mutation.op === 'update') {
          // No server state came back: undo the optimistic edit from the values it started from,
          // or the vault would show a change the server refused until the record changes again.
          this.revertFields(mutation.entity, mutation.recordId, mutation.baseValues);
        }
        if (result.status === 'conflict' || result.status === 'rejected') {
          this.stmt(
            `INSERT OR REPLACE INTO issues(id, kind, entity, record_id, label, created_at, reason, conflicts, mutation)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            result.heldId ?? randomUUID(),
            result.status,
            mutation.entity,
            mutation.recordId,
            label,
            this.clock.now(),
            result.reason ?? null,
            JSON.stringify(result.conflicts ?? []),
            stored.mutation,
          );
        }
      }
      this.endSearchPurge(searchPurge);
    })();
    if (removedSomething) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  private revertFields(entity: EntityType, id: string, baseValues: Record<string, unknown>): void {
    const current = this.getRecord(entity, id);
    if (!current) return;
    const reverted = { ...current } as StoredRecord;
    for (const [field, value] of Object.entries(baseValues)) {
      if (FIELD_NAME.test(field) && !SERVER_OWNED_FIELDS.has(field) && Object.hasOwn(current, field)) reverted[field] = value;
    }
    const overlaid = this.overlayPending(entity, reverted);
    if (overlaid === null) return;
    this.stmt(`UPDATE ${TABLE[entity]} SET record = ? WHERE id = ?`).run(JSON.stringify(overlaid), id);
    const customerId = entity === 'customer' ? id : this.parentOf(entity, id);
    if (customerId && (entity === 'customer' || entity === 'contact')) this.refreshSearch([customerId]);
  }

  /** Store the server's current state of a record after a push, keeping later pending edits on top. */
  private storeServerRecord(entity: EntityType, serverRecord: StoredRecord): void {
    const claims = this.storedGrant();
    let record = claims ? (projectRecord(entity, serverRecord, claims.readClearance, claims.classification) as StoredRecord) : serverRecord;
    const existingParent = entity === 'customer' ? null : this.parentOf(entity, record.id);
    const customerId = entity === 'customer' ? record.id : (stringOr(record.customerId) ?? existingParent);
    if (!customerId) return; // a child whose customer we cannot place: the next pull brings it
    if (entity !== 'customer' && !this.getRecord('customer', customerId)) return;
    const overlaid = this.overlayPending(entity, record);
    if (overlaid === null) return;
    record = overlaid;
    const row = this.stmt(`SELECT writable FROM ${TABLE[entity]} WHERE id = ?`).get(record.id) as { writable: number } | undefined;
    this.writeRecord(entity, record, customerId, row ? row.writable === 1 : true);
    const owner = stringOr(record.ownerId);
    if (entity === 'customer' && owner && !this.hasBuckets(customerId)) this.setBuckets(customerId, [ownerBucket(owner)]);
    if (entity === 'customer' || entity === 'contact') this.refreshSearch([customerId]);
  }

  listIssues(): SyncIssue[] {
    const rows = this.stmt('SELECT id, kind, entity, record_id, label, created_at, reason, conflicts FROM issues ORDER BY created_at, id').all() as {
      id: string; kind: SyncIssue['kind']; entity: EntityType; record_id: string; label: string; created_at: number; reason: string | null; conflicts: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      entity: r.entity,
      recordId: r.record_id,
      label: r.label,
      createdAt: r.created_at,
      reason: r.reason,
      conflicts: JSON.parse(r.conflicts) as SyncIssue['conflicts'],
    }));
  }

  dismissIssue(id: string): void {
    this.stmt('DELETE FROM issues WHERE id = ?').run(id);
  }

  private labelFor(entity: EntityType, recordId: string, fields: Record<string, unknown>): string {
    const stored = this.getRecord(entity, recordId) ?? {};
    const pick = (key: string): string | null => stringOr(fields[key]) ?? stringOr(stored[key]);
    switch (entity) {
      case 'customer':
      case 'contact':
        return pick('name') ?? recordId;
      case 'opportunity':
        return pick('title') ?? recordId;
      case 'activity': {
        const kind = pick('kind') ?? 'activity';
        const text = pick('text');
        return text ? `${kind}: ${text.slice(0, 60)}` : kind;
      }
    }
  }

  // ---- offline audit queue ----------------------------------------------------------------

  recordAudit(entry: Omit<OfflineAuditEntry, 'id'>): void {
    const parsed = offlineAuditEntrySchema.safeParse({ ...entry, id: randomUUID() });
    if (!parsed.success) throw new VaultError('invalid_input', `Invalid audit entry: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    this.stmt('INSERT INTO audit_queue(id, entry) VALUES (?, ?)').run(parsed.data.id, JSON.stringify(parsed.data));
  }

  pendingAudit(limit: number): OfflineAuditEntry[] {
    return (this.stmt('SELECT entry FROM audit_queue ORDER BY seq LIMIT ?').all(Math.max(0, Math.floor(limit))) as { entry: string }[]).map(
      (r) => JSON.parse(r.entry) as OfflineAuditEntry,
    );
  }

  ackAudit(ids: readonly string[]): void {
    if (!ids.length) return;
    this.stmt('DELETE FROM audit_queue WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
  }

  // ---- reading ----------------------------------------------------------------------------

  getRecord(entity: EntityType, id: string): Record<string, unknown> | null {
    if (!ENTITY_TYPES.includes(entity)) return null;
    const row = this.stmt(`SELECT record FROM ${TABLE[entity]} WHERE id = ?`).get(id) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as Record<string, unknown>) : null;
  }

  /** Stored record counts per entity (progress, diagnostics, tests). */
  recordCounts(): Record<EntityType, number> {
    const count = (entity: EntityType) => (this.stmt(`SELECT count(*) AS n FROM ${TABLE[entity]}`).get() as { n: number }).n;
    return { customer: count('customer'), contact: count('contact'), opportunity: count('opportunity'), activity: count('activity') };
  }

  searchCustomers(rawInput: SearchInput): { total: number; rows: CustomerListItem[] } {
    const parsed = searchCustomersInput.safeParse(rawInput);
    if (!parsed.success) throw new VaultError('invalid_input', `Invalid search: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const input = parsed.data;
    const where: string[] = [];
    const params: unknown[] = [];
    const filter = buildSearchFilter(input.query);
    const from = 'customers c';
    if (filter.trigramMatch) {
      where.push('c.rid IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)');
      params.push(filter.trigramMatch);
    }
    if (filter.gramMatch) {
      where.push('c.rid IN (SELECT rowid FROM customer_grams WHERE customer_grams MATCH ?)');
      params.push(filter.gramMatch);
    }
    for (const pattern of filter.likePatterns) {
      const columns = ['s.name', 's.contact_names', 's.city', 's.tags'].map((col) => `${col} LIKE ? ESCAPE '${LIKE_ESCAPE}'`).join(' OR ');
      where.push(`c.rid IN (SELECT s.rowid FROM customer_search s WHERE ${columns})`);
      params.push(pattern, pattern, pattern, pattern);
    }
    if (input.city) {
      where.push('c.city = ?');
      params.push(input.city);
    }
    if (input.industry) {
      where.push('c.industry = ?');
      params.push(input.industry);
    }
    if (input.tag) {
      where.push(`EXISTS (SELECT 1 FROM json_each(c.record, '$.tags') t WHERE t.value = ?)`);
      params.push(input.tag);
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.stmt(`SELECT count(*) AS n FROM ${from} ${whereSql}`).get(...params) as { n: number }).n;
    const rows = this.stmt(
      `SELECT c.record, u.display_name AS owner_name,
              EXISTS (SELECT 1 FROM outbox o WHERE o.customer_id = c.id) AS pending
       FROM ${from} LEFT JOIN users u ON u.id = c.owner_id
       ${whereSql} ORDER BY c.name, c.id LIMIT ? OFFSET ?`,
    ).all(...params, input.limit, input.offset) as { record: string; owner_name: string | null; pending: number }[];
    return { total, rows: rows.map((r) => toListItem(JSON.parse(r.record) as StoredRecord, r.owner_name, r.pending === 1)) };
  }

  getCustomer(id: string, grant: GrantClaims): CustomerDetail | null {
    const row = this.stmt('SELECT record, writable FROM customers WHERE id = ?').get(id) as { record: string; writable: number } | undefined;
    if (!row) return null;
    const customer = JSON.parse(row.record) as CustomerDetail['customer'];
    const children = <T>(entity: (typeof CHILD_ENTITIES)[number], order: string): T[] =>
      (this.stmt(`SELECT record FROM ${TABLE[entity]} WHERE customer_id = ? ORDER BY ${order}`).all(id) as { record: string }[]).map(
        (r) => JSON.parse(r.record) as T,
      );

    // Offline the client has neither the org tree nor the shares; the server decided this
    // record's access with the same engine and sent it as `writable` (see local-authz).
    const target = { kind: 'existing' as const, customerId: id, ownerId: String(customer.ownerId ?? ''), writable: row.writable === 1 };
    const now = this.clock.now();
    const may = (entity: EntityType, verb: 'update' | 'create') => authorizeLocalEdit(grant, `${entity}.${verb}`, entity, target, [], now).allowed;
    const accessFor = (entity: EntityType): FieldAccess => ({
      readable: readableFields(entity, grant.readClearance, grant.classification),
      writable: may(entity, 'update') ? writableFields(entity, grant.writeClearance, grant.classification, grant.readClearance) : [],
    });
    const pending = Boolean(this.stmt('SELECT 1 FROM outbox WHERE customer_id = ? LIMIT 1').get(id));
    return {
      customer,
      contacts: children('contact', 'name, id'),
      opportunities: children('opportunity', 'expected_close_date, id'),
      activities: children('activity', 'at DESC, id'),
      access: { customer: accessFor('customer'), contact: accessFor('contact'), opportunity: accessFor('opportunity'), activity: accessFor('activity') },
      canEdit: may('customer', 'update'),
      canLogActivity: may('activity', 'create'),
      pending,
    };
  }

  facets(): { cities: string[]; industries: string[]; tags: string[] } {
    const column = (sql: string) => (this.stmt(sql).all() as { v: string }[]).map((r) => r.v);
    return {
      cities: column(`SELECT DISTINCT city AS v FROM customers WHERE city IS NOT NULL AND city <> '' ORDER BY v`),
      industries: column(`SELECT DISTINCT industry AS v FROM customers WHERE industry IS NOT NULL AND industry <> '' ORDER BY v`),
      tags: column(`SELECT DISTINCT t.value AS v FROM customers c, json_each(c.record, '$.tags') t WHERE t.type = 'text' ORDER BY v`),
    };
  }

  /**
   * The team dashboard over everything in the vault (the vault holds exactly the user's scope).
   * pipelineByStage covers every stage; pipelineByRep is the open pipeline (not won or lost).
   * Amounts above the user's clearance are absent and count as 0.
   */
  teamDashboard(now: number): TeamDashboard {
    const byStage = new Map(
      (this.stmt('SELECT stage, count(*) AS n, total(amount) AS amount FROM opportunities WHERE stage IS NOT NULL GROUP BY stage').all() as {
        stage: string; n: number; amount: number;
      }[]).map((r) => [r.stage, r]),
    );
    const pipelineByStage = OPPORTUNITY_STAGES.map((stage: OpportunityStage) => ({
      stage,
      count: byStage.get(stage)?.n ?? 0,
      amount: byStage.get(stage)?.amount ?? 0,
    }));

    const pipelineByRep = (
      this.stmt(
        `SELECT o.owner_id AS ownerId, coalesce(u.display_name, o.owner_id) AS ownerName, count(*) AS count, total(o.amount) AS amount
         FROM opportunities o LEFT JOIN users u ON u.id = o.owner_id
         WHERE o.stage NOT IN ('won', 'lost') AND o.owner_id IS NOT NULL
         GROUP BY o.owner_id ORDER BY amount DESC, o.owner_id`,
      ).all() as TeamDashboard['pipelineByRep']
    );

    const won = byStage.get('won')?.n ?? 0;
    const lost = byStage.get('lost')?.n ?? 0;

    const thisWeek = isoWeekStart(now);
    const firstWeek = thisWeek - (DASHBOARD_WEEKS - 1) * WEEK_MS;
    const perWeek = new Map(
      (this.stmt('SELECT CAST((at - ?) / ? AS INTEGER) AS week, count(*) AS n FROM activities WHERE at >= ? AND at < ? GROUP BY week').all(
        firstWeek, WEEK_MS, firstWeek, thisWeek + WEEK_MS,
      ) as { week: number; n: number }[]).map((r) => [r.week, r.n]),
    );
    const activitiesPerWeek = Array.from({ length: DASHBOARD_WEEKS }, (_, i) => ({
      weekStart: isoDate(firstWeek + i * WEEK_MS),
      count: perWeek.get(i) ?? 0,
    }));

    const notContacted30d = (
      this.stmt(
        // last_activity_at is kept by triggers (schema.ts); the index (last_activity_at, name, id)
        // is read in this order (never contacted first: NULLs sort first) and stops at the limit.
        `SELECT id AS customerId, coalesce(name, id) AS name, last_activity_at AS lastActivityAt FROM customers
         WHERE last_activity_at IS NULL OR last_activity_at < ?
         ORDER BY last_activity_at, name, id LIMIT ?`,
      ).all(now - NOT_CONTACTED_DAYS * DAY_MS, NOT_CONTACTED_LIMIT) as TeamDashboard['notContacted30d']
    );

    const overdue = (
      this.stmt(`SELECT count(*) AS n FROM opportunities WHERE expected_close_date < ? AND stage NOT IN ('won', 'lost')`).get(isoDate(now)) as { n: number }
    ).n;

    return {
      pipelineByStage,
      pipelineByRep,
      winRate: { won, lost, rate: won + lost > 0 ? won / (won + lost) : null },
      activitiesPerWeek,
      notContacted30d,
      overdue,
      computedAt: now,
    };
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** The stored grant's claims (it was verified before it was stored), or null. */
  private storedGrant(): GrantClaims | null {
    const jws = this.getMeta('grant');
    if (!jws) return null;
    const payload = jws.split('.')[1];
    if (!payload) return null;
    try {
      const parsed = grantClaimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private stmt(sql: string): Statement {
    let stmt = this.stmts.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.stmts.set(sql, stmt);
    }
    return stmt;
  }
}

/** The search row of a customer: name, its contacts' names, city, tags (space-joined). */
const SEARCH_ROW_SELECT = `
  SELECT c.rid, c.name,
         (SELECT group_concat(ct.name, ' ') FROM contacts ct WHERE ct.customer_id = c.id) AS contact_names,
         c.city,
         (SELECT group_concat(t.value, ' ') FROM json_each(c.record, '$.tags') t) AS tags
  FROM customers c`;

interface SearchRow {
  rid: number;
  name: string | null;
  contact_names: string | null;
  city: string | null;
  tags: string | null;
}

function sameSearchRow(stored: SearchRow | undefined, next: SearchRow): boolean {
  return (
    stored !== undefined &&
    stored.name === next.name &&
    stored.contact_names === next.contact_names &&
    stored.city === next.city &&
    stored.tags === next.tags
  );
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new VaultError('vault_corrupt', `The vault was written by a newer app version (schema ${version}); update the app.`);
  }
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i] as string);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

/**
 * Recreate the indexes a bulk import deferred: at its end, and at the next open after a crash
 * in the middle of it, so no query runs without them outside an import. No-op when none are.
 */
function restoreDeferredIndexes(db: Db): void {
  if ((db.pragma('user_version', { simple: true }) as number) === 0) return; // a new file: no meta table yet
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(`internal:${DEFERRED_INDEXES}`) as { value: string } | undefined;
  if (!row) return;
  db.transaction(() => {
    for (const sql of JSON.parse(row.value) as string[]) db.exec(sql);
    db.prepare('DELETE FROM meta WHERE key = ?').run(`internal:${DEFERRED_INDEXES}`);
  })();
}

function toListItem(record: StoredRecord, ownerName: string | null, pending: boolean): CustomerListItem {
  const item: CustomerListItem = {
    id: record.id,
    name: stringOr(record.name) ?? '',
    ownerId: String(record.ownerId ?? ''),
    ownerName,
    updatedAt: Number(record.updatedAt ?? 0),
    pending,
  };
  // Optional fields only when the user may read them (present in the stored projection).
  if (record.type === 'company' || record.type === 'person') item.type = record.type;
  if (typeof record.industry === 'string') item.industry = record.industry;
  if (typeof record.city === 'string') item.city = record.city;
  if (Array.isArray(record.tags)) item.tags = record.tags.filter((t): t is string => typeof t === 'string');
  return item;
}

function stringOr(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
