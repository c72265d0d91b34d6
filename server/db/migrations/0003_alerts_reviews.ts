// 0003: anomaly alerts (server/alerts) and access reviews (server/reviews).
//   alerts              one row per raised alert; `dedupe_key` is unique so that a rule firing
//                       again for the same subject and window (or from two processes) adds nothing
//   alert_signals       the sliding-window counters the rules sum over (pruned as they age out)
//   alert_device_state  when each device first pulled: its first sync is exempt from volume rules
//   review_campaigns / review_items   a campaign and its per-user snapshot, flags and decision

import { sql, type Expression, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../../context';

export function alertsReviewsMigration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const time = pg ? 'bigint' : 'integer';

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull().check(sqlIn('severity', ['low', 'medium', 'high'])))
        .addColumn('user_id', 'text')
        .addColumn('device_id', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['open', 'acknowledged'])))
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('acknowledged_by', 'text')
        .addColumn('acknowledged_at', time)
        .addColumn('note', 'text')
        .execute();
      // The alert screen lists open alerts newest first.
      await db.schema.createIndex('alerts_status_at').on('alerts').columns(['status', 'at']).execute();

      await db.schema
        .createTable('alert_signals')
        .addColumn('id', pg ? 'bigint' : 'integer', (c) =>
          pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('device_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('amount', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_signals_device').on('alert_signals').columns(['kind', 'device_id', 'at']).execute();
      await db.schema.createIndex('alert_signals_user').on('alert_signals').columns(['kind', 'user_id', 'at']).execute();
      await db.schema.createIndex('alert_signals_ip').on('alert_signals').columns(['kind', 'ip', 'at']).execute();
      await db.schema.createIndex('alert_signals_at').on('alert_signals').column('at').execute();

      await db.schema
        .createTable('alert_device_state')
        .addColumn('device_id', 'text', (c) => c.primaryKey())
        .addColumn('first_pull_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('review_campaigns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('due_at', time, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['open', 'closed'])))
        .addColumn('stale_days', 'integer', (c) => c.notNull())
        .addColumn('closed_at', time)
        .execute();

      await db.schema
        .createTable('review_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('campaign_id', 'text', (c) => c.notNull().references('review_campaigns.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('reviewer_id', 'text')
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('flags', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.check(sqlIn('decision', ['certified', 'revoked'])))
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', time)
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('review_items_campaign').on('review_items').column('campaign_id').execute();
      await db.schema.createIndex('review_items_user').on('review_items').column('user_id').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['review_items', 'review_campaigns', 'alert_device_state', 'alert_signals', 'alerts']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/** CHECK (column IN (...)) for the enum-like text columns. */
function sqlIn(column: string, values: readonly string[]): Expression<unknown> {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}
