// 0001: every table of ../schema.ts. One definition for both dialects; the only differences are
// the column types for epoch-ms times (bigint on PostgreSQL, where integer is 32-bit) and the
// auto-numbered sequence columns (identity on PG, INTEGER PRIMARY KEY AUTOINCREMENT on SQLite).

import { sql, type Expression, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../../context';

export function initialMigration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const time = pg ? 'bigint' : 'integer';
  const real = pg ? 'double precision' : 'real';

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('org_units')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('parent_id', 'text', (c) => c.references('org_units.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['company', 'region', 'branch', 'team'])))
        .execute();

      await db.schema
        .createTable('roles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('key', 'text', (c) => c.unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('actions', 'text', (c) => c.notNull())
        .addColumn('data_scope', 'text', (c) => c.notNull())
        .addColumn('read_clearance', 'text', (c) => c.notNull())
        .addColumn('write_clearance', 'text', (c) => c.notNull())
        .addColumn('offline', 'text', (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
        .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
        .addColumn('managed_unit_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['active', 'deactivated'])))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('totp_secret', 'text')
        .addColumn('totp_pending_secret', 'text')
        .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', time)
        .addColumn('last_sign_in_at', time)
        .addColumn('last_totp_step', time)
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_unit_id').on('users').column('unit_id').execute();

      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('app_version', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['active', 'revoked'])))
        .addColumn('enrolled_at', time, (c) => c.notNull())
        .addColumn('last_check_in_at', time)
        .addColumn('revoked_at', time)
        .addColumn('revoke_reason', 'text')
        .addColumn('wipe_confirmed_at', time)
        .addColumn('synced_buckets', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('synced_read_clearance', 'text')
        .addColumn('synced_classification', 'text')
        .execute();
      await db.schema.createIndex('devices_user_id').on('devices').column('user_id').execute();

      await db.schema
        .createTable('customers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('industry', 'text', (c) => c.notNull())
        .addColumn('city', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('credit_limit', real)
        .addColumn('payment_terms', 'text')
        .addColumn('tax_id', 'text')
        .addColumn('notes', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('customers_owner_id').on('customers').column('owner_id').execute();

      await db.schema
        .createTable('contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('email', 'text')
        .addColumn('wechat', 'text')
        .execute();
      await db.schema.createIndex('contacts_customer_id').on('contacts').column('customer_id').execute();

      await db.schema
        .createTable('opportunities')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('amount', real)
        .addColumn('expected_close_date', 'text', (c) => c.notNull())
        .addColumn('probability', real, (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
        .execute();
      await db.schema.createIndex('opportunities_customer_id').on('opportunities').column('customer_id').execute();

      await db.schema
        .createTable('activities')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('text', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('activities_customer_id').on('activities').column('customer_id').execute();

      await db.schema
        .createTable('shares')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('grantee_type', 'text', (c) => c.notNull().check(sqlIn('grantee_type', ['user', 'unit'])))
        .addColumn('grantee_id', 'text', (c) => c.notNull())
        .addColumn('access', 'text', (c) => c.notNull().check(sqlIn('access', ['read', 'write'])))
        .addColumn('expires_at', time)
        .addColumn('revoked_at', time)
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('shares_customer_id').on('shares').column('customer_id').execute();
      await db.schema.createIndex('shares_grantee_id').on('shares').column('grantee_id').execute();

      await db.schema
        .createTable('field_classification')
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('field_classification_pk', ['entity', 'field'])
        .execute();

      await db.schema
        .createTable('change_log')
        .addColumn('seq', pg ? 'bigint' : 'integer', (c) =>
          pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('op', 'text', (c) => c.notNull().check(sqlIn('op', ['create', 'update', 'delete', 'reassign'])))
        .addColumn('owner_before', 'text')
        .addColumn('owner_after', 'text')
        .addColumn('actor_id', 'text')
        .execute();
      await db.schema.createIndex('change_log_customer_id').on('change_log').column('customer_id').execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('seq', pg ? 'bigint' : 'integer', (c) =>
          pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('device_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull().check(sqlIn('outcome', ['ok', 'denied', 'failed'])))
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      // Audit screens filter by actor and action, newest first.
      await db.schema.createIndex('audit_log_actor_id').on('audit_log').columns(['actor_id', 'seq']).execute();
      await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'seq']).execute();

      await db.schema
        .createTable('used_nonces')
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('used_nonces_pk', ['device_id', 'nonce'])
        .execute();
      await db.schema.createIndex('used_nonces_expires_at').on('used_nonces').column('expires_at').execute();

      await db.schema
        .createTable('applied_mutations')
        .addColumn('mutation_id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('held_mutations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('mutation_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['conflict', 'rejected'])))
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('resolved_at', time)
        .addColumn('resolved_by', 'text')
        .execute();
      await db.schema.createIndex('held_mutations_customer_id').on('held_mutations').column('customer_id').execute();

      await db.schema
        .createTable('auth_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['mfa', 'enroll'])))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('expires_at', time, (c) => c.notNull())
        .addColumn('used_at', time)
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of [
        'auth_tokens', 'held_mutations', 'applied_mutations', 'used_nonces', 'audit_log', 'change_log',
        'field_classification', 'shares', 'activities', 'opportunities', 'contacts', 'customers',
        'devices', 'users', 'roles', 'org_units', 'meta',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/** CHECK (column IN (...)) for the enum-like text columns. */
function sqlIn(column: string, values: readonly string[]): Expression<unknown> {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}
