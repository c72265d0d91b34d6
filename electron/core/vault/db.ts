// The open vault database as the vault's modules share it: the connection, a statement cache,
// the clock and the meta table. No decisions here — each module does one job over this.

import type { Database as Db, Statement } from 'better-sqlite3-multiple-ciphers';
import type { Clock } from '../contracts';

const DATA_VERSION = 'data-version';

export class VaultDb {
  private readonly stmts = new Map<string, Statement>();

  constructor(
    readonly raw: Db,
    readonly clock: Clock,
  ) {}

  /** A prepared statement, cached by its SQL text. */
  stmt(sql: string): Statement {
    let stmt = this.stmts.get(sql);
    if (!stmt) {
      stmt = this.raw.prepare(sql);
      this.stmts.set(sql, stmt);
    }
    return stmt;
  }

  getMeta(key: string): string | null {
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? row.value : null;
  }

  setMeta(key: string, value: string): void {
    this.stmt('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /**
   * setMeta now or not at all: false, with nothing written, when another connection (the import
   * worker, in the middle of a page) holds the write lock, instead of waiting for it under the
   * connection's busy timeout — a wait of seconds at the end of a first sync, on the thread that
   * answers the UI. For writes that may simply be tried again later.
   */
  trySetMeta(key: string, value: string): boolean {
    const timeout = this.raw.pragma('busy_timeout', { simple: true }) as number;
    this.raw.pragma('busy_timeout = 0');
    try {
      this.setMeta(key, value);
      return true;
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return false;
      throw err;
    } finally {
      this.raw.pragma(`busy_timeout = ${timeout}`);
    }
  }

  /** Bookkeeping rows of the vault itself, kept apart from the VaultMeta contract keys. */
  internalMeta(key: string): string | null {
    return this.getMeta(`internal:${key}`);
  }

  /**
   * The data version: a counter that moves when, and only when, records the user can see
   * changed (a pull that wrote or removed rows, a local edit, a settled push). The UI reloads
   * its lists when it moves; a sync that changed nothing leaves it, and the screen, as they were.
   * Call inside the transaction that made the change.
   */
  dataVersion(): number {
    return Number(this.internalMeta(DATA_VERSION) ?? 0);
  }

  bumpDataVersion(): void {
    this.setInternalMeta(DATA_VERSION, String(this.dataVersion() + 1));
  }

  setInternalMeta(key: string, value: string | null): void {
    if (value === null) this.stmt('DELETE FROM meta WHERE key = ?').run(`internal:${key}`);
    else this.setMeta(`internal:${key}`, value);
  }
}
