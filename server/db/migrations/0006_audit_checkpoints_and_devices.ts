// 0006: audit checkpoints, sign-in throttling per (address, username), and clean-up of device
// rows that earlier versions accepted.
//   audit_checkpoints  the audit chain head (seq, hash, time) signed by the server key at
//             intervals and at every `audit-verify`. Kept apart from audit_log so that deleting
//             the newest audit rows leaves the checkpoint that covered them behind (see
//             server/audit/checkpoints.ts for what is and is not detected).
//   sign_in_throttle  failed sign-in steps per (username, client address), and per username
//             across all addresses (ip = '*'). Keyed by the username as typed, so unknown
//             usernames are counted exactly like real ones.
//   devices   a wipe confirmation stored without a revocation before it (or before the
//             revocation) is cleared; a device enrolled with a key that is not a full-order
//             Ed25519 point is revoked (its signatures may be forgeable).

import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../../context';
import { deviceKeyProblem } from '../../devices/public-key';

export function auditCheckpointsAndDevicesMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('seq', time, (c) => c.primaryKey())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('jws', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sign_in_throttle')
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('last_failure_at', time, (c) => c.notNull())
        .addColumn('locked_until', time)
        .addPrimaryKeyConstraint('sign_in_throttle_pk', ['username', 'ip'])
        .execute();
      await db.schema.createIndex('sign_in_throttle_last_failure_at').on('sign_in_throttle').column('last_failure_at').execute();

      await sql`update devices set wipe_confirmed_at = null
        where wipe_confirmed_at is not null and (revoked_at is null or wipe_confirmed_at < revoked_at)`.execute(db);

      const now = Date.now();
      const devices = await sql<{ id: string; public_key: string }>`select id, public_key from devices where status = 'active'`.execute(db);
      for (const device of devices.rows) {
        if (deviceKeyProblem(device.public_key) === null) continue;
        await sql`update devices set status = 'revoked', revoked_at = ${now}, revoke_reason = 'device_key_invalid'
          where id = ${device.id}`.execute(db);
      }
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('sign_in_throttle').execute();
      await db.schema.dropTable('audit_checkpoints').execute();
    },
  };
}
