// 0016: follow-ups (docs/follow-ups.md). A follow-up is an activity with a due moment:
//   activities.due_at       epoch ms the follow-up is due; null for a logged activity
//   activities.done_at      epoch ms it was completed; null while open (and for logged ones)
//   activities.reminder_at  epoch ms its author wants a reminder; null for none
// The three fields are classified like the activity's own `at` (public): who sees an activity
// sees when it is due. They are added to the stored classification only where absent, so an
// administrator's classification is never overwritten. Rescheduling and completing a follow-up
// is an update of the activity: the built-in rep and manager roles gain `activity.update` when
// they hold `activity.create` (a role an administrator changed otherwise is left as it is).

import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../../context';
import type { Database } from '../schema';

const FOLLOW_UP_FIELDS = ['dueAt', 'doneAt', 'reminderAt'] as const;
const ROLE_KEYS = ['rep', 'manager'];

export function followUpsMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(untyped: Kysely<unknown>): Promise<void> {
      await untyped.schema.alterTable('activities').addColumn('due_at', time).execute();
      await untyped.schema.alterTable('activities').addColumn('done_at', time).execute();
      await untyped.schema.alterTable('activities').addColumn('reminder_at', time).execute();
      const db = untyped as Kysely<Database>;
      for (const field of FOLLOW_UP_FIELDS) {
        await db.insertInto('field_classification').values({ entity: 'activity', field, level: 'public' }).onConflict((oc) => oc.doNothing()).execute();
      }
      const roles = await db.selectFrom('roles').select(['id', 'actions']).where('key', 'in', ROLE_KEYS).execute();
      for (const role of roles) {
        const actions = JSON.parse(role.actions) as string[];
        if (!actions.includes('activity.create') || actions.includes('activity.update')) continue;
        await db.updateTable('roles').set({ actions: JSON.stringify([...actions, 'activity.update']), updated_at: Date.now() }).where('id', '=', role.id).execute();
      }
    },
    async down(untyped: Kysely<unknown>): Promise<void> {
      const db = untyped as Kysely<Database>;
      await db.deleteFrom('field_classification').where('entity', '=', 'activity').where('field', 'in', [...FOLLOW_UP_FIELDS]).execute();
      for (const column of ['reminder_at', 'done_at', 'due_at']) {
        await untyped.schema.alterTable('activities').dropColumn(column).execute();
      }
    },
  };
}
