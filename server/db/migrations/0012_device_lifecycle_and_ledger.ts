// 0012: the device lifecycle as IT needs to see it.
//   devices.install_id     a random id the app keeps outside its vault (in settings.json, never a
//                          secret): the same installation signing in again is recognised as the
//                          same machine. Not a credential — it only decides whether a sign-in is
//                          reported as a "new device".
//   devices.host_name      the machine's host name, as the app reports it at enrolment/check-in
//   devices.os_version     the operating system and its version, as reported
//   devices.last_ip        the address of the device's last enrolment or check-in, as seen here
//   devices.signed_out_at  when the device signed itself out (its user chose "sign out"). A
//                          signed-out device is retired: status 'revoked' with revoke_reason
//                          'signed_out', so it no longer counts toward the role's device limit
//                          and every later request from it is refused.

import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../../context';

export function deviceLifecycleMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('devices').addColumn('install_id', 'text').execute();
      await db.schema.alterTable('devices').addColumn('host_name', 'text').execute();
      await db.schema.alterTable('devices').addColumn('os_version', 'text').execute();
      await db.schema.alterTable('devices').addColumn('last_ip', 'text').execute();
      await db.schema.alterTable('devices').addColumn('signed_out_at', time).execute();
      await db.schema.createIndex('devices_user_install').on('devices').columns(['user_id', 'install_id']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('devices_user_install').execute();
      for (const column of ['signed_out_at', 'last_ip', 'os_version', 'host_name', 'install_id']) {
        await db.schema.alterTable('devices').dropColumn(column).execute();
      }
    },
  };
}
