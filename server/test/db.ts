// Test databases: a fresh, migrated database per call. SQLite in a temp file by default; with
// SV_TEST_DB=postgres a uniquely named PG database on 127.0.0.1 (other engineers run tests on the
// same PG at the same time), dropped on cleanup.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Kysely } from 'kysely';
import type { Dialect } from '../context';
import { migrateToLatest, openDatabase } from '../db/connection';
import type { Database } from '../db/schema';

export const PG_ADMIN_URL = process.env.SV_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** what openDatabase needs to open this same database again (e.g. from a child process) */
  location: { databaseUrl?: string; sqlitePath?: string };
  cleanup(): Promise<void>;
}

export function testDialect(): Dialect {
  return process.env.SV_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
}

/** `poolSize`: PostgreSQL connections (default 5: many test databases are open at once). */
export async function withTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (testDialect() === 'postgres') return createPostgresTestDatabase(options.poolSize ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'sv-server-test-'));
  const sqlitePath = join(dir, 'server.db');
  const opened = await openDatabase({ sqlitePath });
  await migrateToLatest(opened.db, opened.dialect);
  return {
    db: opened.db,
    dialect: opened.dialect,
    location: { sqlitePath },
    async cleanup() {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgresTestDatabase(poolSize: number): Promise<TestDatabase> {
  const name = `sv_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const opened = await openDatabase({ databaseUrl, poolSize });
  await migrateToLatest(opened.db, opened.dialect);
  return {
    db: opened.db,
    dialect: opened.dialect,
    location: { databaseUrl },
    async cleanup() {
      await opened.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
