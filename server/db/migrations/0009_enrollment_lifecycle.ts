// 0009: an enrollment that never finished does not hold a device slot.
//   devices.check_in_due_at   set at enrollment to the moment by which the new device must check
//                             in (its first sync starts with a check-in, which the client sends
//                             only once its vault and first grant are saved); cleared by that
//                             check-in. A device still active past it is retired at the user's
//                             next enrollment, so it never counts toward the role's device limit.
//                             null = nothing due (every device enrolled before this column).

import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../../context';

export function enrollmentLifecycleMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('devices').addColumn('check_in_due_at', time).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('devices').dropColumn('check_in_due_at').execute();
    },
  };
}
