// Helpers shared by the vault, wipe and keychain tests (not a test file itself).

import { randomUUID } from 'node:crypto';
import { createDecipheriv, createHmac, pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLASSIFICATION, DEFAULT_OFFLINE_POLICY, type EntityType } from '../../shared/domain/model';
import { grantClaimsSchema, type GrantClaims } from '../../shared/protocol/grant';
import type { Mutation, PullResponse } from '../../shared/protocol/sync';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../../electron/core/contracts';
import { KeytarSecretStore } from '../../electron/core/keychain';

/** A real OS-keychain store under a service name nobody else uses. */
export function testKeychain(label: string): { secrets: KeytarSecretStore; service: string; cleanup: () => Promise<void> } {
  const service = `salesvault-test-${label}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const secrets = new KeytarSecretStore(service);
  return {
    secrets,
    service,
    cleanup: async () => {
      await secrets.delete(VAULT_KEY_ACCOUNT);
      await secrets.delete(DEVICE_KEY_ACCOUNT);
    },
  };
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `sv-${label}-`));
}

export function grantFor(overrides: Partial<GrantClaims> = {}): GrantClaims {
  return {
    iss: 'salesvault',
    sub: 'u-rep',
    did: 'd-1',
    username: 'rep',
    displayName: '王小明',
    unitId: 'team-1',
    role: { id: 'r-rep', key: 'rep', name: 'Rep' },
    actions: ['customer.read', 'customer.create', 'customer.update', 'contact.read', 'contact.create', 'contact.update', 'opportunity.read', 'opportunity.update', 'activity.read', 'activity.create'],
    dataScope: 'own',
    readClearance: 'sensitive',
    writeClearance: 'internal',
    offline: DEFAULT_OFFLINE_POLICY,
    buckets: ['o:u-rep'],
    scopeVersion: 1,
    classification: DEFAULT_CLASSIFICATION,
    iat: 1_700_000_000,
    leaseUntil: 1_700_000_000_000 + 72 * 3_600_000,
    wipeAfter: 1_700_000_000_000 + 14 * 24 * 3_600_000,
    ...overrides,
  };
}

type Upsert = PullResponse['upserts'][number];

export function upsert(entity: EntityType, record: Record<string, unknown> & { id: string }, buckets: string[], writable = true): Upsert {
  const full = { updatedAt: 1_700_000_000_000, version: 1, ...record };
  return { entity, record: full, buckets, writable, ...(entity !== 'customer' ? { customerId: String(record.customerId) } : {}) };
}

export function page(parts: Partial<PullResponse>): PullResponse {
  return { droppedBuckets: [], fieldPurges: [], upserts: [], removals: [], cursor: `c-${randomUUID()}`, hasMore: false, serverTime: 1_700_000_000_000, ...parts };
}

/** SQLCipher 4 default page size. */
const PAGE = 4096;

/**
 * An independent reader of the SQLCipher 4 on-disk format (the published defaults: 4096-byte
 * pages, AES-256-CBC, per-page IV, HMAC-SHA512 keyed by PBKDF2-SHA512(key, salt^0x3a, 2) over
 * ciphertext+IV+page number LE). Verifies every page's HMAC and returns the plain SQLite image.
 * Written from the format specification, not from the library under test.
 */
export function decryptSqlcipher4(file: Buffer, keyHex: string): Buffer {
  const key = Buffer.from(keyHex, 'hex');
  const salt = file.subarray(0, 16);
  const hmacSalt = Buffer.from(salt.map((b) => b ^ 0x3a));
  const hmacKey = pbkdf2Sync(key, hmacSalt, 2, 32, 'sha512');
  if (file.length % PAGE !== 0) throw new Error(`file size ${file.length} is not a multiple of ${PAGE}`);
  const out = Buffer.alloc(file.length);
  for (let pgno = 1; pgno * PAGE <= file.length; pgno++) {
    decryptPage(file.subarray((pgno - 1) * PAGE, pgno * PAGE), pgno, key, hmacKey).copy(out, (pgno - 1) * PAGE);
  }
  return out;
}

function decryptPage(pageBytes: Buffer, pgno: number, key: Buffer, hmacKey: Buffer): Buffer {
  const IV = 16;
  const HMAC = 64;
  const RESERVE = IV + HMAC;
  const offset = pgno === 1 ? 16 : 0;
  const cipherText = pageBytes.subarray(offset, PAGE - RESERVE);
  const iv = pageBytes.subarray(PAGE - RESERVE, PAGE - HMAC);
  const mac = pageBytes.subarray(PAGE - HMAC);
  const pgnoLe = Buffer.alloc(4);
  pgnoLe.writeUInt32LE(pgno);
  const expected = createHmac('sha512', hmacKey).update(pageBytes.subarray(offset, PAGE - HMAC)).update(pgnoLe).digest();
  if (!expected.equals(mac)) throw new Error(`HMAC mismatch on page ${pgno}`);
  const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  const target = Buffer.alloc(PAGE);
  if (pgno === 1) Buffer.from('SQLite format 3\0', 'latin1').copy(target, 0);
  plain.copy(target, offset);
  return target;
}

/**
 * The page images in a SQLCipher 4 WAL file, decrypted (the WAL holds whole encrypted pages,
 * each after a 24-byte frame header whose first 4 bytes are the page number, big-endian). The
 * salt comes from the database file's first 16 bytes. An empty WAL gives an empty buffer.
 */
export function decryptSqlcipher4Wal(wal: Buffer, dbFile: Buffer, keyHex: string): Buffer {
  const WAL_HEADER = 32;
  const FRAME_HEADER = 24;
  if (wal.length === 0) return Buffer.alloc(0);
  const key = Buffer.from(keyHex, 'hex');
  const hmacKey = pbkdf2Sync(key, Buffer.from(dbFile.subarray(0, 16).map((b) => b ^ 0x3a)), 2, 32, 'sha512');
  const pages: Buffer[] = [];
  for (let at = WAL_HEADER; at + FRAME_HEADER + PAGE <= wal.length; at += FRAME_HEADER + PAGE) {
    const pgno = wal.readUInt32BE(at);
    pages.push(decryptPage(wal.subarray(at + FRAME_HEADER, at + FRAME_HEADER + PAGE), pgno, key, hmacKey));
  }
  return Buffer.concat(pages);
}

/** Does `needle` occur (UTF-8) in the file's raw bytes? Missing file = no. */
export function fileContains(path: string, needle: string): boolean {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return false;
  }
  return bytes.includes(Buffer.from(needle, 'utf8'));
}

/** A stored grant's claims, decoded WITHOUT verifying (tests reading what the vault holds). */
export function decodeStoredGrant(jws: string): GrantClaims | null {
  const payloadPart = jws.split('.')[1];
  if (!payloadPart) return null;
  try {
    const parsed = grantClaimsSchema.safeParse(JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// ---- the vault suites' shared seed -------------------------------------------------------

/** A local edit as the outbox keeps it (base version 1 unless a create). */
export function mutation(parts: Partial<Mutation> & Pick<Mutation, 'entity' | 'op' | 'recordId'>): Mutation {
  return { mutationId: randomUUID(), baseVersion: parts.op === 'create' ? null : 1, fields: {}, baseValues: {}, createdAt: 1_700_000_100_000, ...parts };
}

export const HUAWEI = '深圳华为技术有限公司';
export const LATIN = 'Northwind Traders';
export const CONTACT = 'Zhang Weiqiang';
export const PHONE = '+86 138 0013 8000';

/** Four customers (CJK, Latin, LIKE metacharacters, a quote) and three contacts, two owners and two shares. */
export function seedPage() {
  return page({
    upserts: [
      upsert('customer', { id: 'c1', name: HUAWEI, ownerId: 'u-rep', city: '深圳', industry: '通信', tags: ['战略客户', 'VIP'], taxId: '91440300TAX' }, ['o:u-rep']),
      upsert('customer', { id: 'c2', name: LATIN, ownerId: 'u-rep', city: 'Shanghai', industry: 'Retail', tags: ['export'] }, ['o:u-rep', 's:share-1']),
      upsert('customer', { id: 'c3', name: '100% Pure_Water Co', ownerId: 'u-other', city: 'Beijing', industry: 'Retail', tags: [] }, ['s:share-2']),
      upsert('customer', { id: 'c4', name: "O'Brien (Asia) Ltd", ownerId: 'u-rep', city: 'Hong Kong', industry: 'Finance', tags: ['VIP'] }, ['o:u-rep']),
      upsert('contact', { id: 'k1', customerId: 'c1', name: CONTACT, title: 'CTO', phone: PHONE }, ['o:u-rep']),
      upsert('contact', { id: 'k2', customerId: 'c2', name: '李娜', title: '采购经理' }, ['o:u-rep', 's:share-1']),
      upsert('contact', { id: 'k3', customerId: 'c3', name: 'Ann Lee', title: 'Owner' }, ['s:share-2']),
    ],
  });
}

/** SQL undoing vault migration 12 (the dashboard's index on customers, and the opportunity indexes as they were). */
export const UNDO_MIGRATION_12 = `DROP INDEX customers_owner_activity;
  DROP INDEX opportunities_owner; CREATE INDEX opportunities_owner ON opportunities(owner_id, stage, amount);
  DROP INDEX opportunities_close; CREATE INDEX opportunities_close ON opportunities(expected_close_date, stage);`;

/** SQL undoing vault migration 11 (activity_weeks) and those after it, for tests that replay an earlier migration. */
export const UNDO_MIGRATION_11 = `${UNDO_MIGRATION_12} DROP TRIGGER activities_weeks_inserted; DROP TRIGGER activities_weeks_deleted; DROP TRIGGER activities_weeks_changed;
  DROP TABLE activity_weeks;`;
