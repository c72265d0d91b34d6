// 0015: the minimum app version per platform, and access reviews that finish at their due date.
//   app_min_versions      one row per platform IT set a minimum for (win32, darwin, linux): below it
//                         a device's check-in, pull and push are refused with app_update_required
//   review_campaigns.due_action     what happens to undecided items at the due date: 'keep'
//                                   (certified by the deadline) or 'revoke' (access removed); chosen
//                                   when the campaign is created. Existing campaigns keep access.
//   review_campaigns.reminder_days  reminders go to reviewers with undecided items this many days
//                                   before the due date (0 = none)
//   review_campaigns.reminded_at    when the reminders were sent (once per campaign)
//   review_campaigns.close_reason   'all_items_decided' or 'due_date'
//   review_items.decision_source    'reviewer' or 'due_date' (an item the deadline decided)

import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../../context';

export function minAppVersionAndReviewDeadlinesMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('app_min_versions')
        .addColumn('platform', 'text', (c) => c.primaryKey())
        .addColumn('min_version', 'text', (c) => c.notNull())
        .addColumn('set_by', 'text')
        .addColumn('set_at', time, (c) => c.notNull())
        .execute();
      await db.schema.alterTable('review_campaigns')
        .addColumn('due_action', 'text', (c) => c.notNull().defaultTo('keep').check(sql`due_action in ('keep', 'revoke')`))
        .execute();
      await db.schema.alterTable('review_campaigns').addColumn('reminder_days', 'integer', (c) => c.notNull().defaultTo(3)).execute();
      await db.schema.alterTable('review_campaigns').addColumn('reminded_at', time).execute();
      await db.schema.alterTable('review_campaigns').addColumn('close_reason', 'text').execute();
      await db.schema.alterTable('review_items').addColumn('decision_source', 'text').execute();
      // Items decided before this migration were decided by a reviewer.
      await sql`update review_items set decision_source = 'reviewer' where decision is not null`.execute(db);
      await sql`update review_campaigns set close_reason = 'all_items_decided' where status = 'closed'`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('review_items').dropColumn('decision_source').execute();
      for (const column of ['close_reason', 'reminded_at', 'reminder_days', 'due_action']) {
        await db.schema.alterTable('review_campaigns').dropColumn(column).execute();
      }
      await db.schema.dropTable('app_min_versions').execute();
    },
  };
}
