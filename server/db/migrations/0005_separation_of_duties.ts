// 0005: separation of duties.
//   approval_requests  changes that widen someone's access, made by an administrator whose own
//                      scope does not cover them, wait here for a second administrator. `change`
//                      is the validated change as JSON (server/approvals/changes.ts); `secret`
//                      holds what must never be shown back (a new user's password hash).
//   default roles      stored copies of the shipped roles are brought in line: an administering
//                      role keeps only administering actions and the data scope `none`, a
//                      record-working role only record actions, and the auditor loses
//                      review.conduct (auditors read and export, they decide nothing). Other
//                      edits an administrator made to these roles are kept.

import { sql, type Kysely, type Migration } from 'kysely';
import type { Action } from '../../../shared/domain/model';
import { DEFAULT_ROLES } from '../../../shared/permissions/default-roles';
import { actionKind, roleKind } from '../../../shared/permissions/separation';
import type { Dialect } from '../../context';
import type { Database } from '../schema';

export const APPROVAL_KINDS = ['user.create', 'user.update', 'role.update', 'share.create', 'classification.set'] as const;

export function separationOfDutiesMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(untyped: Kysely<unknown>): Promise<void> {
      await untyped.schema
        .createTable('approval_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', APPROVAL_KINDS)))
        .addColumn('permission', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('change', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('requested_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('requested_device', 'text')
        .addColumn('requested_at', time, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['pending', 'approved', 'rejected'])))
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', time)
        .execute();
      await untyped.schema.createIndex('approval_requests_status').on('approval_requests').columns(['status', 'requested_at']).execute();

      const db = untyped as Kysely<Database>;
      for (const shipped of DEFAULT_ROLES) {
        const row = await db.selectFrom('roles').select(['actions', 'data_scope']).where('id', '=', shipped.id).executeTakeFirst();
        if (!row) continue;
        const kind = roleKind(shipped);
        let actions = (JSON.parse(row.actions) as Action[]).filter((a) => kind === 'empty' || actionKind(a) === kind);
        if (shipped.key === 'auditor') actions = actions.filter((a) => a !== 'review.conduct');
        const dataScope = kind === 'administering' ? 'none' : row.data_scope;
        await db.updateTable('roles').set({ actions: JSON.stringify(actions), data_scope: dataScope }).where('id', '=', shipped.id).execute();
      }
    },

    async down(untyped: Kysely<unknown>): Promise<void> {
      // The role fixes are not undone: they close a hole, and the old grants are not recorded.
      await untyped.schema.dropTable('approval_requests').ifExists().execute();
    },
  };
}

function sqlIn(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}
