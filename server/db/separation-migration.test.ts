// Migration 0005 on a database that predates it: stored default roles are brought in line with
// separation of duties (the auditor loses review.conduct; an administering role keeps only
// administering actions and the scope none; a record role loses administering actions), while
// an administrator's other edits to them survive.

import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from './connection';
import { migrationProvider } from './migrations';
import { withTestDatabase, type TestDatabase } from '../test/db';

describe('migration 0005_separation_of_duties', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
  });

  it('fixes the stored default roles and keeps other edits', async () => {
    t = await withTestDatabase();
    const migrator = new Migrator({ db: t.db, provider: migrationProvider(t.dialect) });
    const down = await migrator.migrateTo('0004_sync_performance');
    expect(down.error).toBeUndefined();
    // The roles as an older server shipped them, plus edits an administrator made.
    const set = (id: string, actions: string[], dataScope: string, readClearance = 'public') =>
      t!.db.updateTable('roles').set({ actions: JSON.stringify(actions), data_scope: dataScope, read_clearance: readClearance }).where('id', '=', id).execute();
    await set('role-auditor', ['audit.read', 'review.conduct'], 'none');
    await set('role-it-admin', ['admin.users', 'admin.devices', 'admin.roles', 'review.conduct', 'audit.read', 'customer.read'], 'all', 'confidential');
    await set('role-rep', ['customer.read', 'customer.create', 'admin.users'], 'own', 'sensitive');

    expect((await migrateToLatest(t.db, t.dialect)).applied).toContain('0005_separation_of_duties');
    const roles = new Map((await t.db.selectFrom('roles').selectAll().execute()).map((r) => [r.id, r]));
    const view = (id: string) => {
      const r = roles.get(id)!;
      return { actions: JSON.parse(r.actions) as string[], dataScope: r.data_scope, readClearance: r.read_clearance };
    };
    expect(view('role-auditor')).toEqual({ actions: ['audit.read'], dataScope: 'none', readClearance: 'public' });
    expect(view('role-it-admin')).toEqual({
      actions: ['admin.users', 'admin.devices', 'admin.roles', 'review.conduct', 'audit.read'], dataScope: 'none', readClearance: 'confidential',
    });
    expect(view('role-rep')).toEqual({ actions: ['customer.read', 'customer.create'], dataScope: 'own', readClearance: 'sensitive' });
    expect(await t.db.selectFrom('approval_requests').selectAll().execute()).toEqual([]);
  });
});
