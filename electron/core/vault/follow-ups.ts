// Reads for follow-ups and the home page (docs/follow-ups.md): open follow-ups by due moment,
// opportunities closing soon, recently viewed customers and due reminders, all from the vault.
// A follow-up is an activity with a due moment (`dueAt`), open while `doneAt` is null; the
// columns are generated from the stored record (schema.ts, migration 6). Like every vault
// read, these return what is stored: whether the user may act on a row is decided by the caller.

import type { HomeOverview } from '../../../shared/api/desktop-api';
import type { OpportunityStage } from '../../../shared/domain/model';
import type { FollowUpQuery, StoredFollowUp } from '../contracts';
import type { VaultDb } from './db';
import { stringOr, type StoredRecord } from './records';

/** The user's local calendar day around `now`: [start, end) in epoch ms and its yyyy-mm-dd. */
export function localDay(now: number): { start: number; end: number; iso: string } {
  const d = new Date(now);
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  return { start, end, iso: localIsoDate(start) };
}

function localIsoDate(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const FOLLOW_UP_COLUMNS = `a.record, a.customer_id, coalesce(c.name, a.customer_id) AS customer_name, c.writable,
  u.display_name AS author_name,
  EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'activity' AND o.record_id = a.id) AS pending`;
const FOLLOW_UP_JOINS = `activities a LEFT JOIN customers c ON c.id = a.customer_id
  LEFT JOIN users u ON u.id = a.author_id`;

interface FollowUpRow {
  record: string;
  customer_id: string;
  customer_name: string;
  writable: number | null;
  author_name: string | null;
  pending: number;
}

function toStored(row: FollowUpRow): StoredFollowUp {
  return {
    record: JSON.parse(row.record) as StoredRecord,
    customerId: row.customer_id,
    customerName: row.customer_name,
    authorName: row.author_name,
    writable: row.writable === 1,
    pending: row.pending === 1,
  };
}

function openWhere(q: Omit<FollowUpQuery, 'limit'>): { sql: string; params: unknown[] } {
  // The partial index activities_open_due has exactly this condition.
  const where = ['a.due_at IS NOT NULL', 'a.done_at IS NULL'];
  const params: unknown[] = [];
  if (q.from !== undefined) {
    where.push('a.due_at >= ?');
    params.push(q.from);
  }
  if (q.before !== undefined) {
    where.push('a.due_at < ?');
    params.push(q.before);
  }
  if (q.authorId !== null) {
    where.push('a.author_id = ?');
    params.push(q.authorId);
  }
  return { sql: where.join(' AND '), params };
}

/** Open follow-ups, earliest due first. */
export function listOpenFollowUps(db: VaultDb, q: FollowUpQuery): StoredFollowUp[] {
  const { sql, params } = openWhere(q);
  const rows = db.stmt(`SELECT ${FOLLOW_UP_COLUMNS} FROM ${FOLLOW_UP_JOINS} WHERE ${sql} ORDER BY a.due_at, a.id LIMIT ?`).all(...params, q.limit) as FollowUpRow[];
  return rows.map(toStored);
}

export function countOpenFollowUps(db: VaultDb, q: Omit<FollowUpQuery, 'limit'>): number {
  const { sql, params } = openWhere(q);
  return (db.stmt(`SELECT count(*) AS n FROM activities a WHERE ${sql}`).get(...params) as { n: number }).n;
}

/** One follow-up (open or done) as stored; null when it is not a follow-up of this vault. */
export function getFollowUp(db: VaultDb, id: string): StoredFollowUp | null {
  const row = db.stmt(`SELECT ${FOLLOW_UP_COLUMNS} FROM ${FOLLOW_UP_JOINS} WHERE a.id = ? AND a.due_at IS NOT NULL`).get(id) as FollowUpRow | undefined;
  return row ? toStored(row) : null;
}

/**
 * The user's own reminders that are due (reminder moment reached, follow-up still open) and not
 * dismissed for that moment. Reminder bookkeeping of follow-ups no longer stored is dropped here.
 */
export function dueReminders(db: VaultDb, authorId: string, now: number, limit = 20): StoredFollowUp[] {
  db.stmt('DELETE FROM reminder_state WHERE activity_id NOT IN (SELECT id FROM activities)').run();
  const rows = db.stmt(
    `SELECT ${FOLLOW_UP_COLUMNS} FROM ${FOLLOW_UP_JOINS}
     LEFT JOIN reminder_state r ON r.activity_id = a.id AND r.reminder_at = a.reminder_at
     WHERE a.reminder_at IS NOT NULL AND a.done_at IS NULL AND a.reminder_at <= ?
       AND a.author_id = ? AND r.dismissed_at IS NULL
     ORDER BY a.reminder_at, a.id LIMIT ?`,
  ).all(now, authorId, limit) as FollowUpRow[];
  return rows.map(toStored);
}

/** Due reminders not yet shown as a desktop notification (marked as notified by the caller). */
export function unnotifiedReminders(db: VaultDb, authorId: string, now: number): StoredFollowUp[] {
  return dueReminders(db, authorId, now, 50).filter((f) => {
    const row = db.stmt('SELECT notified_at FROM reminder_state WHERE activity_id = ? AND reminder_at = ?').get(f.record.id, f.record.reminderAt) as { notified_at: number | null } | undefined;
    return !row?.notified_at;
  });
}

function markReminder(db: VaultDb, id: string, column: 'notified_at' | 'dismissed_at', at: number): void {
  const row = db.stmt('SELECT reminder_at FROM activities WHERE id = ?').get(id) as { reminder_at: number | null } | undefined;
  if (!row || row.reminder_at === null) return;
  db.stmt(
    `INSERT INTO reminder_state(activity_id, reminder_at, ${column}) VALUES (?, ?, ?)
     ON CONFLICT(activity_id) DO UPDATE SET
       notified_at = CASE WHEN reminder_state.reminder_at = excluded.reminder_at THEN coalesce(excluded.notified_at, reminder_state.notified_at) ELSE excluded.notified_at END,
       dismissed_at = CASE WHEN reminder_state.reminder_at = excluded.reminder_at THEN coalesce(excluded.dismissed_at, reminder_state.dismissed_at) ELSE excluded.dismissed_at END,
       reminder_at = excluded.reminder_at`,
  ).run(id, row.reminder_at, at);
}

export function markReminderNotified(db: VaultDb, id: string, at: number): void {
  markReminder(db, id, 'notified_at', at);
}

export function dismissReminder(db: VaultDb, id: string, at: number): void {
  markReminder(db, id, 'dismissed_at', at);
}

const RECENT_KEEP = 50;

/** Remember that the user opened this customer (kept on this device only). */
export function recordView(db: VaultDb, customerId: string, at: number): void {
  db.raw.transaction(() => {
    db.stmt('INSERT INTO recent_views(customer_id, viewed_at) VALUES (?, ?) ON CONFLICT(customer_id) DO UPDATE SET viewed_at = excluded.viewed_at').run(customerId, at);
    db.stmt(`DELETE FROM recent_views WHERE customer_id NOT IN (SELECT customer_id FROM recent_views ORDER BY viewed_at DESC LIMIT ${RECENT_KEEP})`).run();
  })();
}

export function recentCustomers(db: VaultDb, limit: number): HomeOverview['recentCustomers'] {
  const rows = db.stmt(
    `SELECT c.record, r.viewed_at FROM recent_views r JOIN customers c ON c.id = r.customer_id
     ORDER BY r.viewed_at DESC LIMIT ?`,
  ).all(limit) as { record: string; viewed_at: number }[];
  return rows.map((r) => {
    const record = JSON.parse(r.record) as StoredRecord;
    const item: HomeOverview['recentCustomers'][number] = { id: record.id, name: stringOr(record.name) ?? record.id, viewedAt: r.viewed_at };
    if (typeof record.city === 'string') item.city = record.city;
    return item;
  });
}

/** Open opportunities (not won or lost) expected to close between two yyyy-mm-dd dates (inclusive). */
export function closingSoon(db: VaultDb, ownerId: string | null, from: string, to: string, limit: number): HomeOverview['closingSoon'] {
  const rows = db.stmt(
    `SELECT o.record, o.customer_id, coalesce(c.name, o.customer_id) AS customer_name FROM opportunities o
     LEFT JOIN customers c ON c.id = o.customer_id
     WHERE o.expected_close_date >= ? AND o.expected_close_date <= ? AND o.stage NOT IN ('won', 'lost')
       AND (? IS NULL OR o.owner_id = ?)
     ORDER BY o.expected_close_date, o.id LIMIT ?`,
  ).all(from, to, ownerId, ownerId, limit) as { record: string; customer_id: string; customer_name: string }[];
  return rows.map((r) => {
    const record = JSON.parse(r.record) as StoredRecord;
    const item: HomeOverview['closingSoon'][number] = {
      id: record.id,
      customerId: r.customer_id,
      customerName: r.customer_name,
      title: stringOr(record.title) ?? '',
      expectedCloseDate: String(record.expectedCloseDate ?? ''),
    };
    if (typeof record.stage === 'string') item.stage = record.stage as OpportunityStage;
    if ('amount' in record) item.amount = typeof record.amount === 'number' ? record.amount : null;
    return item;
  });
}
