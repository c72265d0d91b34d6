import { describe, expect, it } from 'vitest';
import { AlertConfigSource, DEFAULT_ALERT_CONFIG, parseAlertConfigOverride } from './config';
import { isWithinWorkingHours, localTime, signalsOf } from './rules';
import type { ServerContext } from '../context';

// 2026-11-30 is a Monday. Shanghai is UTC+8 all year.
const shanghai = (day: number, hh: number, mm = 0) => Date.UTC(2026, 10, day, hh - 8, mm);

describe('working hours', () => {
  const hours = DEFAULT_ALERT_CONFIG.workingHours;

  it('uses the configured zone, start inclusive and end exclusive', () => {
    expect(localTime(shanghai(30, 3, 5), 'Asia/Shanghai')).toEqual({ minutes: 185, weekday: 1, date: '2026-11-30' });
    expect(isWithinWorkingHours(shanghai(30, 6, 59), hours)).toBe(false);
    expect(isWithinWorkingHours(shanghai(30, 7, 0), hours)).toBe(true);
    expect(isWithinWorkingHours(shanghai(30, 21, 59), hours)).toBe(true);
    expect(isWithinWorkingHours(shanghai(30, 22, 0), hours)).toBe(false);
  });

  it('supports windows across midnight and working days', () => {
    const night = { ...hours, start: '22:00', end: '06:00' };
    expect(isWithinWorkingHours(shanghai(30, 23), night)).toBe(true);
    expect(isWithinWorkingHours(shanghai(30, 5), night)).toBe(true);
    expect(isWithinWorkingHours(shanghai(30, 12), night)).toBe(false);
    const weekdays = { ...hours, days: [1, 2, 3, 4, 5] };
    expect(isWithinWorkingHours(shanghai(30, 10), weekdays)).toBe(true); // Monday
    expect(isWithinWorkingHours(shanghai(29, 10), weekdays)).toBe(false); // Sunday
  });
});

describe('signals derived from audit entries', () => {
  const base = { actorId: 'u1', deviceId: 'd1', target: null, outcome: 'ok' as const };

  it('maps the actions the server already audits', () => {
    expect(signalsOf({ ...base, action: 'sync.pull', details: { records: 40 } })).toEqual([{ kind: 'pull', userId: 'u1', deviceId: 'd1', amount: 40 }]);
    expect(signalsOf({ ...base, action: 'sync.pull', details: { records: 0 } })).toEqual([]);
    expect(signalsOf({ ...base, action: 'offline.export', details: { count: 7 } })[0]).toEqual({ kind: 'offline_export', userId: 'u1', deviceId: 'd1', amount: 7 });
    expect(signalsOf({ ...base, action: 'auth.mfa', outcome: 'failed', details: { ip: '10.0.0.1' } })).toEqual([
      { kind: 'auth_failure', userId: 'u1', ip: '10.0.0.1', step: 'auth.mfa' },
    ]);
    expect(signalsOf({ ...base, action: 'device.check_in' })).toEqual([]);
    expect(signalsOf({ ...base, action: 'record.update' })).toEqual([{ kind: 'activity', userId: 'u1', deviceId: 'd1', action: 'record.update' }]);
  });

  it('ignores its own entries and actions without a user', () => {
    expect(signalsOf({ ...base, action: 'alert.raised' })).toEqual([]);
    expect(signalsOf({ ...base, actorId: null, action: 'admin.device.revoke' })).toEqual([]);
    // Garbage in details is not a number of records.
    expect(signalsOf({ ...base, action: 'sync.pull', details: { records: 'many' } })).toEqual([]);
  });
});

describe('configuration overrides', () => {
  it('rejects bad overrides naming the field', () => {
    expect(() => parseAlertConfigOverride('{', 'SV_ALERTS')).toThrow('SV_ALERTS is not valid JSON');
    expect(() => parseAlertConfigOverride('{"workingHours":{"start":"25:00"}}', 'SV_ALERTS')).toThrow(/workingHours\.start/);
    expect(() => parseAlertConfigOverride('{"workingHours":{"timeZone":"Mars/Base"}}', 'SV_ALERTS')).toThrow(/timeZone/);
    expect(() => parseAlertConfigOverride('{"volume":{"pullRecordz":5}}', 'SV_ALERTS')).toThrow(/volume/);
    expect(() => new AlertConfigSource({} as ServerContext, '{"failedSignIn":{"perUser":0}}')).toThrow(/failedSignIn\.perUser/);
  });

  it('merges a partial override over the defaults', async () => {
    const ctx = { db: { selectFrom: () => ({ select: () => ({ where: () => ({ executeTakeFirst: async () => undefined }) }) }) } } as unknown as ServerContext;
    const config = await new AlertConfigSource(ctx, '{"volume":{"autoSuspend":true}}').current();
    expect(config.volume).toEqual({ ...DEFAULT_ALERT_CONFIG.volume, autoSuspend: true });
    expect(config.workingHours).toEqual(DEFAULT_ALERT_CONFIG.workingHours);
  });
});
