// Applying a pull page to the vault (one transaction per page, with its cursor): field purges,
// dropped buckets, removals and upserts, the search index kept in step. Into an empty vault (the
// first sync) the secondary indexes and the search index are built once, at the end.

import type { EntityType } from '../../../shared/domain/model';
import { projectRecord } from '../../../shared/permissions/engine';
import type { GrantClaims } from '../../../shared/protocol/grant';
import type { Mutation, PullResponse } from '../../../shared/protocol/sync';
import type { ImportStage } from '../contracts';
import type { VaultDb } from './db';
import { VaultCorruptError, VaultError } from './errors';
import { rebuildActivityWeeks, rebuildFacetCounts, subtractFacetCounts } from './facet-counts';
import { BULK_IMPORT_CACHE_KIB, DEFERRED_INDEXES, VAULT_CACHE_KIB, restoreDeferredIndexes } from './open';
import { nameSortKey } from './collation';
import { CHILD_ENTITIES, ClusterRids, FIELD_NAME, SORT_FIELD, TABLE, deleteRecord, overlayPending, parentOf, setPageBuckets, stringOr, writeRecord, type StoredRecord } from './records';
import { BULK_SEARCH_PURGE_ROWS, SEARCH_TABLES, beginSearchPurge, endSearchPurge, rebuildSearch, refreshSearch, searchRowsLeaving } from './search-index';

/**
 * Internal meta flag: a bulk import (first sync) is under way; the search index and the facet
 * counts are rebuilt when it ends (the facet triggers of schema.ts test this flag by its name).
 */
const SEARCH_STALE = 'search-stale';
/** Tables whose secondary indexes a bulk import builds once at the end (UNIQUE ids stay: upserts need them). */
const DEFERRABLE_INDEX_TABLES = ['customers', 'contacts', 'opportunities', 'activities', 'record_buckets'];
/** Indexes the triggers look children up by (schema.ts): without them a trigger would scan a whole table per row. */
const TRIGGER_INDEXES = ['contacts_customer', 'opportunities_customer', 'activities_customer_at'];
/**
 * Per-row delete triggers a bulk scope shrink replaces by set-based statements (see
 * deleteLeftCustomersInBulk): the cascade, last_activity_at, the recently viewed list and the
 * facet counts. activities_weeks_deleted keeps firing: it reads the values the delete has already
 * derived from the row, which measured cheaper than a separate grouped pass over the activities'
 * JSON.
 */
const BULK_DELETE_TRIGGERS = ['customers_deleted', 'activities_deleted', 'customers_deleted_recent', 'customers_facets_deleted'];

/**
 * Display names for owner ids (the grant only names the current user), and the org unit of the
 * owners the server sent one for. An entry without a unit clears it (an owner now outside the
 * owner buckets); the current user's own entry (from the grant) keeps the unit it had.
 */
export function rememberUserNames(db: VaultDb, users: readonly { id: string; displayName: string; unitId?: string | undefined }[]): void {
  const upsert = db.stmt(
    `INSERT INTO users(id, display_name, unit_id, sort_key) VALUES (?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name, sort_key = excluded.sort_key,
       unit_id = CASE WHEN ? THEN excluded.unit_id ELSE unit_id END`,
  );
  db.raw.transaction(() => {
    for (const user of users) upsert.run(user.id, user.displayName, user.unitId ?? null, nameSortKey(user.displayName), 'unitId' in user ? 1 : 0);
  })();
}

/**
 * What a pull page says about people and org units (its `directory` and `units`), stored before
 * the page's records: harmless if the page itself then fails to apply (it is pulled again).
 */
export function rememberDirectory(db: VaultDb, page: Pick<PullResponse, 'directory' | 'units'>): void {
  if (page.directory?.length) rememberUserNames(db, page.directory);
  if (page.units) rememberOrgUnits(db, page.units);
}

/** The org units of the user's scope, as a whole (a full directory page replaces them). */
export function rememberOrgUnits(db: VaultDb, units: NonNullable<PullResponse['units']>): void {
  const insert = db.stmt('INSERT INTO org_units(id, parent_id, name, kind) VALUES (?, ?, ?, ?)');
  db.raw.transaction(() => {
    db.stmt('DELETE FROM org_units').run();
    for (const u of units) insert.run(u.id, u.parentId, u.name, u.kind);
  })();
}

/** Is this page part of a bulk import (the first sync into an empty vault, until its last page)? */
export function isBulkImport(db: VaultDb, page: PullResponse): boolean {
  return db.internalMeta(SEARCH_STALE) === '1' || (page.upserts.length > 0 && !db.stmt('SELECT 1 FROM customers LIMIT 1').get());
}

/**
 * Apply one pull page atomically: field purges, dropped buckets, removals, upserts (projected to
 * `claims`' read clearance as defence in depth), the search index and the new cursor.
 * `onStage` is told when the end of a bulk import starts building indexes.
 */
export function applyPullPage(
  db: VaultDb,
  page: PullResponse,
  claims: GrantClaims,
  onStage?: (stage: ImportStage) => void,
): { upserted: number; removed: number } {
  let upserted = 0;
  let removed = 0;
  let purged = false;
  /** Did a record (or a membership) change? Only then does the data version move. */
  let changed = false;
  const dirtyCustomers = new Set<string>();
  let searchNeedsRebuild = false;

  // Into an empty vault (first sync) the search index and the secondary indexes are built
  // once, after the last page: one bulk build (a sort) is several times cheaper than keeping
  // them up to date row by row, page by page. Until then (also across a crash mid-sync) the
  // flag stays set and search may miss records. (A crash mid-import recreates the indexes at
  // the next open, so queries never run without them outside an import.)
  const bulkImport = isBulkImport(db, page);
  // A bulk-import page is committed without waiting for the disk (synchronous=NORMAL; WAL
  // mode keeps the file consistent either way). An application crash loses nothing; only a
  // power loss can lose the last pages, and the cursor is committed in the same transaction,
  // so a lost page is simply pulled again. Local edits keep synchronous=FULL. Its page cache is
  // smaller (the client's peak memory; see BULK_IMPORT_CACHE_KIB).
  if (bulkImport) {
    db.raw.pragma('synchronous = NORMAL');
    db.raw.pragma(`cache_size = -${BULK_IMPORT_CACHE_KIB}`);
  }
  try {
    db.raw.transaction(() => {
      if (bulkImport) {
        db.setInternalMeta(SEARCH_STALE, '1');
        deferIndexes(db);
      }

      rememberUserNames(db, [{ id: claims.sub, displayName: claims.displayName }]);
      const searchPurge = beginSearchPurge(db, searchRowsLeaving(db, page));

      for (const purge of page.fieldPurges) {
        const fields = purge.fields.filter((f) => FIELD_NAME.test(f));
        if (fields.length !== purge.fields.length) throw new VaultError('invalid_input', 'A field purge names an invalid field.');
        if (!fields.length) continue;
        purgeFields(db, purge.entity, fields);
        purged = true;
        if (purge.entity === 'customer' || purge.entity === 'contact') searchNeedsRebuild = true;
      }

      // Bucket drops in two steps around the upserts: a customer that leaves one bucket but is
      // upserted into another in the same page (e.g. reassigned to me while shared with me)
      // must keep its children, which the page does not resend.
      if (page.droppedBuckets.length) leaveBuckets(db, page.droppedBuckets);

      for (const removal of page.removals) {
        const parent = deleteRecord(db, removal.entity, removal.id);
        if (parent === undefined) continue;
        removed += 1;
        purged = true;
        if (removal.entity === 'contact' && parent) dirtyCustomers.add(parent);
      }

      const checkPending = Boolean(db.stmt('SELECT 1 FROM outbox LIMIT 1').get());
      const rids = new ClusterRids(db);
      const project = pageProjector(claims);
      const memberships = new Map<string, readonly string[]>();
      // Parents first, so a child in the same page finds its customer (in page order otherwise).
      const upserts = page.upserts.filter((u) => u.entity === 'customer');
      for (const upsert of page.upserts) if (upsert.entity !== 'customer') upserts.push(upsert);
      for (const upsert of upserts) {
        const entity = upsert.entity;
        // Defence in depth: even a misbehaving server cannot put a field above clearance on disk.
        let record = project(entity, upsert.record as StoredRecord);
        const customerId = entity === 'customer' ? record.id : (upsert.customerId ?? stringOr(record.customerId));
        if (!customerId) throw new VaultError('invalid_input', `A ${entity} upsert has no customer id.`);
        if (checkPending) {
          const overlaid = overlayPending(db, entity, record);
          if (overlaid === null) continue; // a pending local delete wins until it is pushed
          record = overlaid;
        }
        // A contact moving to another customer changes two search rows (not needed in a bulk import: all are built at the end).
        const previousParent = entity === 'contact' && !bulkImport ? parentOf(db, 'contact', record.id) : null;
        if (writeRecord(db, entity, record, customerId, upsert.writable, rids)) changed = true;
        if (entity === 'customer') memberships.set(record.id, upsert.buckets);
        upserted += 1;
        if (entity === 'customer') dirtyCustomers.add(record.id);
        if (entity === 'contact') {
          dirtyCustomers.add(customerId);
          if (previousParent && previousParent !== customerId) dirtyCustomers.add(previousParent);
        }
      }
      if (setPageBuckets(db, memberships)) changed = true;

      if (page.droppedBuckets.length) {
        // Deleted customers lose their search rows by trigger: nothing to refresh.
        removed += deleteCustomersInNoBucket(db);
        purged = true;
      }

      if (bulkImport) {
        if (!page.hasMore) {
          onStage?.('indexes');
          restoreDeferredIndexes(db.raw); // prepared statements are re-planned by SQLite after a schema change
          onStage?.('search');
          rebuildSearch(db);
          rebuildFacetCounts(db);
          rebuildActivityWeeks(db);
          db.setInternalMeta(SEARCH_STALE, null);
        }
      } else if (searchNeedsRebuild) rebuildSearch(db);
      else refreshSearch(db, dirtyCustomers);
      endSearchPurge(db, searchPurge);
      if (changed || purged || removed > 0) db.bumpDataVersion();
      db.setMeta('cursor', page.cursor);
    })();
  } finally {
    if (bulkImport) {
      db.raw.pragma('synchronous = FULL');
      db.raw.pragma(`cache_size = -${VAULT_CACHE_KIB}`);
    }
  }

  // secure_delete zeroes the main file's pages; the old page images still sit in the WAL
  // until it is checkpointed and truncated.
  if (purged) db.raw.pragma('wal_checkpoint(TRUNCATE)');
  return { upserted, removed };
}

/**
 * projectRecord for every upsert of one page, with the engine's decision asked once per entity
 * and field name: it depends only on those, the read clearance and the classification, which are
 * the same for the whole page. A record whose fields are all readable (what a correct server
 * sends) is stored as it arrived, without a copy; any other goes through projectRecord itself.
 */
function pageProjector(claims: GrantClaims): (entity: EntityType, record: StoredRecord) => StoredRecord {
  const readable = new Map<EntityType, Map<string, boolean>>();
  return (entity, record) => {
    let fields = readable.get(entity);
    if (!fields) readable.set(entity, (fields = new Map()));
    let all = true;
    for (const field of Object.keys(record)) {
      let keep = fields.get(field);
      if (keep === undefined) {
        // A computed key is an own property even for '__proto__'.
        keep = Object.hasOwn(projectRecord(entity, { [field]: null }, claims.readClearance, claims.classification), field);
        fields.set(field, keep);
      }
      if (!keep) {
        all = false;
        break;
      }
    }
    return all ? record : (projectRecord(entity, record, claims.readClearance, claims.classification) as StoredRecord);
  };
}

// The deferred secondary indexes of a bulk import: their definitions are read from the schema
// itself and kept in meta in the same transaction as the DROP, so the schema stays the one place
// that defines them and a crash cannot lose them.
function deferIndexes(db: VaultDb): void {
  if (db.internalMeta(DEFERRED_INDEXES) !== null) return;
  // Partial indexes stay: they hold only the rows matching their condition (open follow-ups, a
  // small part of the activities), so keeping them costs the condition per row, while building
  // one at the end reads the whole table again (~0.5 s each for 300k activities).
  const indexes = db.stmt(
    `SELECT m.name, m.sql FROM sqlite_master m
     WHERE m.type = 'index' AND m.sql IS NOT NULL AND m.tbl_name IN (${DEFERRABLE_INDEX_TABLES.map((t) => `'${t}'`).join(', ')})
       AND m.name NOT IN (${TRIGGER_INDEXES.map((t) => `'${t}'`).join(', ')})
       AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.tbl_name) il WHERE il.name = m.name AND il.partial)`,
  ).all() as { name: string; sql: string }[];
  db.setInternalMeta(DEFERRED_INDEXES, JSON.stringify(indexes.map((i) => i.sql)));
  for (const index of indexes) db.raw.exec(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);
}

function purgeFields(db: VaultDb, entity: EntityType, fields: readonly string[]): void {
  // Field names were checked against FIELD_NAME, so `$.<field>` is a plain JSON path.
  const remove = db.stmt(`UPDATE ${TABLE[entity]} SET record = json_remove(record, ?) WHERE json_type(record, ?) IS NOT NULL`);
  for (const field of fields) remove.run(`$.${field}`, `$.${field}`);
  // A purged name (or title) takes its sort key with it: the row sorts as one without a name.
  const sortField = SORT_FIELD[entity];
  if (sortField && fields.includes(sortField)) {
    db.stmt(`UPDATE ${TABLE[entity]} SET sort_key = ? WHERE sort_key IS NOT ? AND json_type(record, ?) IS NULL`).run(nameSortKey(null), nameSortKey(null), `$.${sortField}`);
  }
  // Pending edits must not carry the field back in either.
  const pending = db.stmt('SELECT mutation_id, mutation FROM outbox WHERE entity = ?').all(entity) as { mutation_id: string; mutation: string }[];
  const update = db.stmt('UPDATE outbox SET mutation = ? WHERE mutation_id = ?');
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
function leaveBuckets(db: VaultDb, buckets: readonly string[]): void {
  const list = JSON.stringify(buckets);
  db.raw.exec('CREATE TEMP TABLE IF NOT EXISTS left_customers (id TEXT PRIMARY KEY) WITHOUT ROWID');
  db.stmt('DELETE FROM temp.left_customers').run();
  db.stmt(
    `INSERT OR IGNORE INTO temp.left_customers SELECT id FROM record_buckets
     WHERE entity = 'customer' AND bucket IN (SELECT value FROM json_each(?))`,
  ).run(list);
  db.stmt('DELETE FROM record_buckets WHERE bucket IN (SELECT value FROM json_each(?))').run(list);
}

/** Delete the customers (with their children) that left a bucket and are now in none. Returns the records deleted. */
function deleteCustomersInNoBucket(db: VaultDb): number {
  db.stmt(
    `DELETE FROM temp.left_customers
     WHERE EXISTS (SELECT 1 FROM record_buckets rb WHERE rb.entity = 'customer' AND rb.id = left_customers.id)`,
  ).run();
  const leaving = (db.stmt('SELECT count(*) AS n FROM temp.left_customers').get() as { n: number }).n;
  const count = leaving > BULK_SEARCH_PURGE_ROWS ? deleteLeftCustomersInBulk(db) : deleteLeftCustomersByTrigger(db);
  db.stmt('DELETE FROM temp.left_customers').run();
  return count;
}

function deleteLeftCustomersByTrigger(db: VaultDb): number {
  // Children are counted here (index-only) and deleted by the customer trigger: deleting them
  // first would make the activity trigger recompute last_activity_at of customers about to go.
  let count = 0;
  for (const entity of CHILD_ENTITIES) {
    count += (db.stmt(`SELECT count(*) AS n FROM ${TABLE[entity]} WHERE customer_id IN (SELECT id FROM temp.left_customers)`).get() as { n: number }).n;
  }
  return count + db.stmt('DELETE FROM customers WHERE id IN (SELECT id FROM temp.left_customers)').run().changes;
}

/**
 * A large scope shrink: what the per-row delete triggers (schema.ts) do, done as one statement
 * per table instead of several per row. customers_deleted's cascade becomes one delete per
 * table; activities_deleted would only recompute last_activity_at of customers that are about to
 * go; customers_deleted_recent becomes one delete; the facet counts lose the leaving customers
 * grouped, in one pass (subtractFacetCounts). The triggers are dropped and recreated from their
 * stored definitions inside this transaction (DDL is transactional: an error or a crash leaves
 * them as they were). Keep in step with them.
 */
function deleteLeftCustomersInBulk(db: VaultDb): number {
  const triggers = db.raw
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (${BULK_DELETE_TRIGGERS.map((t) => `'${t}'`).join(', ')})`)
    .all() as { name: string; sql: string }[];
  if (triggers.length !== BULK_DELETE_TRIGGERS.length) throw new VaultCorruptError('The vault schema is missing its delete triggers.');
  for (const trigger of triggers) db.raw.exec(`DROP TRIGGER "${trigger.name}"`);
  // The leaving customers' rids, in order: their rows, search rows and facet values are then
  // visited in file order, and the search tables are asked by rowid without a join per row.
  db.raw.exec('CREATE TEMP TABLE IF NOT EXISTS left_rids (rid INTEGER PRIMARY KEY)');
  db.stmt('DELETE FROM temp.left_rids').run();
  db.stmt('INSERT INTO temp.left_rids SELECT rid FROM customers WHERE id IN (SELECT id FROM temp.left_customers)').run();
  const leaving = 'SELECT id FROM temp.left_customers';
  const leftRids = 'SELECT rid FROM temp.left_rids';
  subtractFacetCounts(db, leftRids);
  let count = 0;
  for (const entity of CHILD_ENTITIES) {
    count += db.stmt(`DELETE FROM ${TABLE[entity]} WHERE customer_id IN (${leaving})`).run().changes;
  }
  db.stmt(`DELETE FROM record_buckets WHERE entity = 'customer' AND id IN (${leaving})`).run();
  db.stmt(`DELETE FROM recent_views WHERE customer_id IN (${leaving})`).run();
  for (const table of SEARCH_TABLES) db.stmt(`DELETE FROM ${table} WHERE rowid IN (${leftRids})`).run();
  count += db.stmt(`DELETE FROM customers WHERE rid IN (${leftRids})`).run().changes;
  db.stmt('DELETE FROM temp.left_rids').run();
  for (const trigger of triggers) db.raw.exec(trigger.sql);
  return count;
}
