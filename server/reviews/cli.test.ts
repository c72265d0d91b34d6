import { afterEach, describe, expect, it } from 'vitest';
import { cliOn } from '../test/cli';
import { withTestDatabase, type TestDatabase } from '../test/db';
import { createFixtureOrg } from '../test/fixtures';

describe('server CLI: alerts and review-create', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  // The CLI in-process (server/test/cli.ts), against the test's database.
  const cli = (db: TestDatabase, args: string[]) => cliOn(db, args);

  it('opens a campaign for every active user and lists open alerts', async () => {
    t = await withTestDatabase();
    await createFixtureOrg(t.db);
    expect((await cli(t, ['review-create'])).code).toBe(2);
    const created = await cli(t, ['review-create', '--name', 'Year-end review', '--stale-days', '45']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/review campaign review-\S+ "Year-end review" opened with 8 item\(s\)/);
    const campaign = await t.db.selectFrom('review_campaigns').selectAll().executeTakeFirstOrThrow();
    expect(campaign).toMatchObject({ name: 'Year-end review', stale_days: 45, created_by: null, status: 'open' });
    const audited = await t.db.selectFrom('audit_log').select('action').where('action', '=', 'review.campaign.create').execute();
    expect(audited).toHaveLength(1);

    await t.db.insertInto('alerts').values({
      id: 'a1', at: Date.now(), rule: 'new_device', severity: 'low', user_id: 'user-rep-li', device_id: 'd1', details: '{}',
      status: 'open', dedupe_key: 'k1', acknowledged_by: null, acknowledged_at: null, note: null,
    }).execute();
    const listed = await cli(t, ['alerts']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('new_device');
    expect(listed.stdout).toContain('1 open alert(s)');
  });
});
