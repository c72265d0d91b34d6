// Alert thresholds edited over HTTP: read by IT admins and auditors, changed by IT admins only,
// validated (nothing stored on a bad value), audited with what changed, and applied by the
// monitor at once.

import { afterEach, describe, expect, it } from 'vitest';
import type { AlertThresholds } from '../../shared/protocol/alert-thresholds';
import type { AlertView } from '../../shared/protocol/routes';
import { callJson, moveClockToShanghaiHour } from '../../test/support/server/alert-kit';
import { enrollTestDevice, type TestDevice } from '../test/client';
import type { FixtureUserKey } from '../test/fixtures';
import { startTestServer, type TestServer } from '../test/server';
import { ALERT_CONFIG_META_KEY, DEFAULT_ALERT_CONFIG } from './config';

describe('alert thresholds on a screen', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  async function start(): Promise<TestServer> {
    s = await startTestServer();
    moveClockToShanghaiHour(s.clock, 10);
    return s;
  }
  function enroll(server: TestServer, key: FixtureUserKey): Promise<TestDevice> {
    const u = server.fixture.users[key];
    server.clock.advance(60_000);
    return enrollTestDevice(server.baseUrl, u.username, u.password, u.totpSecret, { now: server.clock.now });
  }

  it('IT reads the effective thresholds and changes them; the change is audited and applied', async () => {
    const server = await start();
    const admin = await enroll(server, 'itAdmin');
    const read = await callJson(admin, 'GET', '/v1/alerts/config');
    expect(read.status).toBe(200);
    expect(read.json.config).toEqual(DEFAULT_ALERT_CONFIG);

    const next: AlertThresholds = {
      ...DEFAULT_ALERT_CONFIG,
      failedSignIn: { ...DEFAULT_ALERT_CONFIG.failedSignIn, perUser: 5 },
      newDevice: { enabled: false },
      workingHours: { ...DEFAULT_ALERT_CONFIG.workingHours, start: '08:30', days: [1, 2, 3, 4, 5] },
    };
    const saved = await callJson(admin, 'POST', '/v1/alerts/config', next);
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    expect(saved.json.config).toEqual(next);
    expect((await callJson(admin, 'GET', '/v1/alerts/config')).json.config).toEqual(next);

    const audit = await server.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'admin.alert_thresholds.update').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(server.fixture.users.itAdmin.id);
    expect(JSON.parse(audit[0]!.details)).toEqual({
      changes: {
        'failedSignIn.perUser': [3, 5],
        'newDevice.enabled': [true, false],
        'workingHours.start': ['07:00', '08:30'],
        'workingHours.days': [[1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5]],
      },
    });

    // Applied at once: a new device raises no alert now.
    await enroll(server, 'rep');
    const alerts = (await callJson(admin, 'GET', '/v1/alerts')).json.alerts as AlertView[];
    expect(alerts.filter((a) => a.rule === 'new_device' && a.userId === server.fixture.users.rep.id)).toEqual([]);
  });

  it('refuses bad values with a 400 naming the field, and stores nothing', async () => {
    const server = await start();
    const admin = await enroll(server, 'itAdmin');
    const bad: [string, unknown][] = [
      ['volume.windowMs', { ...DEFAULT_ALERT_CONFIG, volume: { ...DEFAULT_ALERT_CONFIG.volume, windowMs: 0 } }],
      ['failedSignIn.perUser', { ...DEFAULT_ALERT_CONFIG, failedSignIn: { ...DEFAULT_ALERT_CONFIG.failedSignIn, perUser: 2.5 } }],
      ['workingHours.start', { ...DEFAULT_ALERT_CONFIG, workingHours: { ...DEFAULT_ALERT_CONFIG.workingHours, start: '25:00' } }],
      ['workingHours.timeZone', { ...DEFAULT_ALERT_CONFIG, workingHours: { ...DEFAULT_ALERT_CONFIG.workingHours, timeZone: 'Mars/Olympus' } }],
      ['workingHours.days', { ...DEFAULT_ALERT_CONFIG, workingHours: { ...DEFAULT_ALERT_CONFIG.workingHours, days: [] } }],
      ['volume', { ...DEFAULT_ALERT_CONFIG, volume: { ...DEFAULT_ALERT_CONFIG.volume, extra: 1 } }],
      ['newDevice', { volume: DEFAULT_ALERT_CONFIG.volume }],
    ];
    for (const [field, body] of bad) {
      const res = await callJson(admin, 'POST', '/v1/alerts/config', body);
      expect(res.status, field).toBe(400);
      expect(JSON.stringify(res.json), field).toContain(field.split('.')[0]!);
    }
    expect(await server.database.db.selectFrom('meta').selectAll().where('key', '=', ALERT_CONFIG_META_KEY).execute()).toEqual([]);
    expect(await server.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'admin.alert_thresholds.update').execute()).toEqual([]);
  });

  it('an auditor reads but may not change them; a rep may not read them', async () => {
    const server = await start();
    const auditor = await enroll(server, 'auditor');
    const rep = await enroll(server, 'rep');
    expect((await callJson(auditor, 'GET', '/v1/alerts/config')).status).toBe(200);
    const refused = await callJson(auditor, 'POST', '/v1/alerts/config', DEFAULT_ALERT_CONFIG);
    expect(refused.status).toBe(403);
    expect((await callJson(rep, 'GET', '/v1/alerts/config')).status).toBe(403);
    const denied = await server.database.db.selectFrom('audit_log').select(['action', 'outcome']).where('outcome', '=', 'denied').execute();
    expect(denied.map((d) => d.action).sort()).toEqual(['access.getAlertConfig', 'access.updateAlertConfig']);
  });
});
