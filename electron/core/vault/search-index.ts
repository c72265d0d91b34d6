// The customer search index: three FTS5 tables kept in step with the records — a trigram index
// and a gram index (single/double characters) over each customer's name, its contacts' names,
// city and tags (the trigram index also over its contacts' phone numbers, e-mail addresses and
// WeChat ids), and a token index of the pinyin of the names and city (pinyin.ts).
//
// Sensitive fields: the vault stores a record projected to the user's read clearance, and the
// index is built from what is stored, so a field the user may not read is never searchable
// either. When the clearance drops, the pull's field purge rebuilds the index from the purged
// records (pull-apply.ts), so the old values leave the index with the fields.
//
// Purging: FTS5 deletes normally leave the old tokens in older index segments until a merge, and
// a purged customer's name could be pieced back together from its trigrams. Out-of-scope data
// must really go: a few rows are deleted with FTS5 'secure-delete' (removed from the index at
// once, but costly per row); many rows are deleted normally and the index is then rewritten with
// 'optimize', which drops every deleted entry (freed pages are zeroed by secure_delete).
// Ordinary updates of in-scope records need neither.

import type { PullResponse } from '../../../shared/protocol/sync';
import type { VaultDb } from './db';
import { pinyinIndex } from './pinyin';
import { gramsOf } from './search-query';

/** Internal meta flag: the index's layout changed (a migration emptied it); rebuilt at open. */
export const SEARCH_REBUILD = 'search-rebuild';

/** Above this many search rows leaving scope, one index rewrite beats per-row secure deletes. */
export const BULK_SEARCH_PURGE_ROWS = 1000;
/** How a purge treats the search index; a bulk one carries the merge settings it put aside. */
export type SearchPurgeMode = { kind: 'none' } | { kind: 'secure' } | { kind: 'bulk'; merges: MergeSettingsByTable };
/** The index's tables; each row's rowid is its customer's rid. */
export const SEARCH_TABLES = ['customer_search', 'customer_grams', 'customer_pinyin'] as const;

/**
 * The search row of a customer: name, its contacts' names, city, tags (space-joined), and its
 * contacts' phones, e-mails and WeChat ids as stored (absent when above the user's clearance).
 */
const SEARCH_ROW_SELECT = `
  SELECT c.rid, c.name,
         (SELECT group_concat(ct.name, ' ') FROM contacts ct WHERE ct.customer_id = c.id) AS contact_names,
         c.city,
         (SELECT group_concat(t.value, ' ') FROM json_each(c.record, '$.tags') t) AS tags,
         (SELECT group_concat(concat_ws(' ', json_extract(ct.record, '$.phone'), json_extract(ct.record, '$.email'), json_extract(ct.record, '$.wechat')), ' ')
          FROM contacts ct WHERE ct.customer_id = c.id) AS contact_points
  FROM customers c`;

interface SearchRow {
  rid: number;
  name: string | null;
  contact_names: string | null;
  city: string | null;
  tags: string | null;
  contact_points: string | null;
}

function sameSearchRow(stored: SearchRow | undefined, next: SearchRow): boolean {
  return (
    stored !== undefined &&
    stored.name === next.name &&
    stored.contact_names === next.contact_names &&
    stored.city === next.city &&
    stored.tags === next.tags &&
    (stored.contact_points ?? '') === (contactPointsText(next.contact_points) ?? '')
  );
}

/** Upper bound of the search rows a page takes out of scope (Infinity = the whole index). */
export function searchRowsLeaving(db: VaultDb, page: PullResponse): number {
  if (page.fieldPurges.some((p) => p.entity === 'customer' || p.entity === 'contact')) return Infinity;
  let rows = page.removals.filter((r) => r.entity === 'customer' || r.entity === 'contact').length;
  if (page.droppedBuckets.length) {
    rows += (db.stmt(
      `SELECT count(DISTINCT id) AS n FROM record_buckets WHERE entity = 'customer' AND bucket IN (SELECT value FROM json_each(?))`,
    ).get(JSON.stringify(page.droppedBuckets)) as { n: number }).n;
  }
  return rows;
}

export function beginSearchPurge(db: VaultDb, rows: number): SearchPurgeMode {
  if (rows === 0) return { kind: 'none' };
  if (rows > BULK_SEARCH_PURGE_ROWS) return { kind: 'bulk', merges: suspendMerges(db) };
  setSearchSecureDelete(db, true);
  return { kind: 'secure' };
}

export function endSearchPurge(db: VaultDb, mode: SearchPurgeMode): void {
  if (mode.kind === 'secure') setSearchSecureDelete(db, false);
  if (mode.kind === 'bulk') {
    for (const table of SEARCH_TABLES) db.stmt(`INSERT INTO ${table}(${table}) VALUES ('optimize')`).run();
    for (const table of SEARCH_TABLES) setMergeSettings(db, table, mode.merges.get(table) ?? MERGE_SETTINGS);
  }
}

/**
 * FTS5's incremental merging, as each index is configured (absent from its config: FTS5's
 * defaults). A bulk purge turns it off while it deletes: every delete would otherwise take part
 * in merging segments (and, in the contentless indexes, in rewriting a segment once a tenth of
 * its rows are deleted) that the 'optimize' at the end rewrites anyway — at full benchmark scale
 * about 0.4 s of CPU of the purge. The settings are stored in the index, so they are put back in
 * the same transaction (a rollback undoes both).
 */
const MERGE_SETTINGS = { automerge: 4, deletemerge: 10 } as const;
type MergeSettings = Record<keyof typeof MERGE_SETTINGS, number>;
type MergeSettingsByTable = Map<string, MergeSettings>;

/** Turn merging off in every search index; returns each index's settings to put back. */
function suspendMerges(db: VaultDb): MergeSettingsByTable {
  const saved: MergeSettingsByTable = new Map();
  for (const table of SEARCH_TABLES) {
    const stored = new Map((db.stmt(`SELECT k, v FROM ${table}_config`).all() as { k: string; v: unknown }[]).map((r) => [r.k, r.v]));
    const value = (key: keyof typeof MERGE_SETTINGS) => (typeof stored.get(key) === 'number' ? (stored.get(key) as number) : MERGE_SETTINGS[key]);
    saved.set(table, { automerge: value('automerge'), deletemerge: value('deletemerge') });
    setMergeSettings(db, table, { automerge: 0, deletemerge: 0 });
  }
  return saved;
}

function setMergeSettings(db: VaultDb, table: string, settings: MergeSettings): void {
  // Integer literals, as for 'secure-delete' below (the values are numbers read from the config or constants).
  for (const key of Object.keys(MERGE_SETTINGS) as (keyof typeof MERGE_SETTINGS)[]) {
    db.stmt(`INSERT INTO ${table}(${table}, rank) VALUES ('${key}', ${Math.trunc(settings[key])})`).run();
  }
}

function setSearchSecureDelete(db: VaultDb, on: boolean): void {
  // FTS5 wants an integer literal here (a bound JS number arrives as a REAL and is refused).
  const flag = on ? 1 : 0;
  for (const table of SEARCH_TABLES) db.stmt(`INSERT INTO ${table}(${table}, rank) VALUES ('secure-delete', ${flag})`).run();
}

/** Rewrite the search rows (every index) of these customers from their current data. */
export function refreshSearch(db: VaultDb, customerIds: Iterable<string>): void {
  const ids = JSON.stringify([...new Set(customerIds)]);
  if (ids === '[]') return;
  const rows = db.stmt(`${SEARCH_ROW_SELECT} WHERE c.id IN (SELECT value FROM json_each(?))`).all(ids) as SearchRow[];
  // Most changes (notes, amounts, stages) leave the searchable text as it was: those rows are
  // kept. Rewriting them would only add FTS5 segments and dirty pages to every delta's commit.
  // (Both indexes are always written together from the same text, so comparing one suffices.)
  const current = new Map(
    (db.stmt('SELECT rowid AS rid, name, contact_names, city, tags, contact_points FROM customer_search WHERE rowid IN (SELECT value FROM json_each(?))').all(
      JSON.stringify(rows.map((r) => r.rid)),
    ) as SearchRow[]).map((r) => [r.rid, r]),
  );
  const changed = rows.filter((r) => !sameSearchRow(current.get(r.rid), r));
  if (!changed.length) return;
  const rids = JSON.stringify(changed.map((r) => r.rid));
  for (const table of SEARCH_TABLES) db.stmt(`DELETE FROM ${table} WHERE rowid IN (SELECT value FROM json_each(?))`).run(rids);
  insertSearchRows(db, changed);
}

/**
 * Customers read per batch when the whole index is rebuilt. Reading them all at once held every
 * customer's search text as JS strings at the same time (≈ 80 MB of heap on the import worker
 * for 100k customers, the largest part of the client's peak memory during a first sync); in
 * batches by rid (the table's own order, so the index is written in the same order) the heap
 * holds one batch.
 */
export const SEARCH_REBUILD_BATCH = 2_000;

export function rebuildSearch(db: VaultDb): void {
  for (const table of SEARCH_TABLES) db.stmt(`DELETE FROM ${table}`).run();
  const batch = db.stmt(`${SEARCH_ROW_SELECT} WHERE c.rid > ? ORDER BY c.rid LIMIT ${SEARCH_REBUILD_BATCH}`);
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = batch.all(after) as SearchRow[];
    if (rows.length === 0) break;
    insertSearchRows(db, rows);
    after = (rows[rows.length - 1] as SearchRow).rid;
    if (rows.length < SEARCH_REBUILD_BATCH) break;
  }
}

/** Rebuild the index once at open if a migration changed its layout (and emptied it). */
export function ensureSearchIndex(db: VaultDb): void {
  if (db.internalMeta(SEARCH_REBUILD) !== '1') return;
  db.raw.transaction(() => {
    rebuildSearch(db);
    db.setInternalMeta(SEARCH_REBUILD, null);
  })();
}

/**
 * Phone numbers are also indexed as their digits alone, so `13800138000` finds
 * `+86 138-0013-8000`. Only 3+ character fragments search these (the trigram index): 1–2 digit
 * grams of every phone number would match nearly every customer and bloat the gram index.
 */
function contactPointsText(points: string | null): string | null {
  if (!points) return null;
  const digitRuns = points.match(/\+?[\d][\d\s().-]{5,}\d/g) ?? [];
  const digitsOnly = digitRuns.map((p) => p.replace(/\D/g, '')).filter((d) => !points.includes(d));
  return [points, ...digitsOnly].join(' ');
}

function insertSearchRows(db: VaultDb, rows: readonly SearchRow[]): void {
  const trigram = db.stmt('INSERT INTO customer_search(rowid, name, contact_names, city, tags, contact_points) VALUES (?, ?, ?, ?, ?, ?)');
  const grams = db.stmt('INSERT INTO customer_grams(rowid, grams) VALUES (?, ?)');
  const pinyinTokens = db.stmt('INSERT INTO customer_pinyin(rowid, head, tail, initials) VALUES (?, ?, ?, ?)');
  for (const r of rows) {
    trigram.run(r.rid, r.name, r.contact_names, r.city, r.tags, contactPointsText(r.contact_points));
    grams.run(r.rid, gramsOf([r.name, r.contact_names, r.city, r.tags].filter(Boolean).join(' ')));
    const pinyin = pinyinIndex([r.name, r.contact_names, r.city]);
    if (pinyin.head !== null) pinyinTokens.run(r.rid, pinyin.head, pinyin.tail, pinyin.initials);
  }
}
