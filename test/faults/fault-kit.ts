// TEST SUPPORT for the fault-injection tests: byte-level damage to a vault file (the child
// process that is SIGKILLed lives in process-kit.ts).

import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';

const PAGE = 4096;

/** Flip 16 bytes in page `pageNo` (1-based) of a closed database file, at `offset` inside the page. */
export function flipBytes(path: string, pageNo: number, offset = 2048): void {
  const buf = readFileSync(path);
  const at = (pageNo - 1) * PAGE + offset;
  if (at + 16 > buf.length) throw new Error(`page ${pageNo} is beyond the file (${buf.length / PAGE} pages)`);
  for (let i = 0; i < 16; i++) buf[at + i] = (buf[at + i] as number) ^ 0xa5;
  writeFileSync(path, buf);
}


/**
 * The page in the middle of the pages that hold data (SQLite's dbstat over the decrypted file),
 * outside the outbox's own pages: a free page holds nothing, and damage to the outbox's pages is
 * the one case where unsent edits cannot be salvaged (they are then named as lost).
 */
export function middleDataPage(path: string, keyHex: string, table?: string): number {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(`key="x'${keyHex}'"`);
    const pages = (
      table
        ? db.prepare('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno').all(table)
        : // A page of the records: not the outbox, and not the schema or meta pages, without which
          // nothing can be read (that is the first-page case, whose edits the keychain mark names).
          db.prepare("SELECT pageno FROM dbstat WHERE name NOT LIKE '%outbox%' AND name NOT IN ('sqlite_schema', 'sqlite_master', 'meta') AND name NOT LIKE 'sqlite_autoindex_meta%' AND pageno > 1 ORDER BY pageno").all()
    ).map((r) => (r as { pageno: number }).pageno);
    const page = pages[Math.floor(pages.length / 2)];
    if (page === undefined) throw new Error('the vault holds no data pages');
    return page;
  } finally {
    db.close();
  }
}
