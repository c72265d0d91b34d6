import { describe, expect, it } from 'vitest';
import type { DeviceView } from '../../../shared/protocol/routes';
import { filterDevices, userMatches, type DeviceFilter } from './device-filter';

const NOW = Date.UTC(2026, 10, 29, 12);
const DAY = 86_400_000;

function device(id: string, extra: Partial<DeviceView>): DeviceView {
  return {
    id, userId: 'u-zhang', name: `SalesVault (${id})`, platform: 'win32', appVersion: '1.4.0', status: 'active',
    enrolledAt: NOW - 90 * DAY, lastCheckInAt: NOW - DAY, revokedAt: null, wipeConfirmedAt: null, lifecycle: 'active',
    hostName: null, osVersion: null, lastIp: null, signedOutAt: null, ...extra,
  };
}

const devices = [
  device('d-office', { hostName: 'LAPTOP-ZHANG-OFFICE', osVersion: 'Windows 11', lastIp: '10.1.2.3' }),
  device('d-home', { hostName: 'ZHANG-HOME-PC', lastCheckInAt: NOW - 20 * DAY }),
  device('d-old', { hostName: 'LAPTOP-ZHANG-OLD', status: 'revoked', lifecycle: 'signed_out', signedOutAt: NOW - 40 * DAY }),
  device('d-lost', { hostName: 'LAPTOP-ZHANG-LOST', status: 'revoked', lifecycle: 'revoked', revokedAt: NOW - DAY }),
  device('d-wiped', { hostName: 'MACBOOK-ZHANG', platform: 'darwin', status: 'revoked', lifecycle: 'wipe_confirmed', revokedAt: NOW - 2 * DAY, wipeConfirmedAt: NOW - 2 * DAY }),
  device('d-li', { userId: 'u-li', hostName: 'LAPTOP-LI' }),
];
const owners: Record<string, { displayName: string; username: string }> = {
  'u-zhang': { displayName: '张伟', username: 'zhang.wei' },
  'u-li': { displayName: '李娜', username: 'li.na' },
};

function ids(filter: DeviceFilter, query = '', staleDays = 14): string[] {
  return filterDevices(devices, { query, filter, now: NOW, staleDays, ownerOf: (id) => owners[id] }).map((d) => d.id);
}

describe('device inventory filters and search', () => {
  it('filters by state, with stale after N days', () => {
    expect(ids('active')).toEqual(['d-office', 'd-li']);
    expect(ids('stale')).toEqual(['d-home']);
    expect(ids('stale', '', 30)).toEqual([]);
    expect(ids('signed_out')).toEqual(['d-old']);
    expect(ids('revoked')).toEqual(['d-lost', 'd-wiped']);
    expect(ids('wipe_pending')).toEqual(['d-lost']);
    expect(ids('wipe_confirmed')).toEqual(['d-wiped']);
    expect(ids('all')).toHaveLength(6);
  });

  it('finds a laptop by host name among one user’s devices, and by owner name, username or IP', () => {
    expect(ids('all', 'zhang-lost')).toEqual(['d-lost']);
    expect(ids('all', 'laptop zhang')).toEqual(['d-office', 'd-old', 'd-lost']);
    expect(ids('all', '李娜')).toEqual(['d-li']);
    expect(ids('all', 'li.na')).toEqual(['d-li']);
    expect(ids('all', '10.1.2')).toEqual(['d-office']);
    expect(ids('active', 'macbook')).toEqual([]);
  });
});

describe('user search', () => {
  it('finds a person by display name or username, every word must match', () => {
    const zhang = { displayName: '张伟', username: 'zhang.wei' };
    expect(userMatches(zhang, '张')).toBe(true);
    expect(userMatches(zhang, 'ZHANG')).toBe(true);
    expect(userMatches(zhang, '张 wei')).toBe(true);
    expect(userMatches(zhang, 'li')).toBe(false);
    expect(userMatches(zhang, '  ')).toBe(true);
  });
});
