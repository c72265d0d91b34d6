// The device inventory's search and state filter, and the users list's search, as pure functions
// (tested apart from the UI).
//
// States a person filters by: active (checked in within the stale period), stale (active but no
// check-in for N days), signed out, revoked (wipe not confirmed yet: "wipe pending"), and wipe
// confirmed. "revoked" lists every device IT or a deactivation revoked, wiped or not.

import type { DeviceView } from '../../../shared/protocol/routes';

export const DEVICE_FILTERS = ['all', 'active', 'stale', 'signed_out', 'revoked', 'wipe_pending', 'wipe_confirmed'] as const;
export type DeviceFilter = (typeof DEVICE_FILTERS)[number];

const DAY_MS = 86_400_000;

export function isStale(device: DeviceView, now: number, staleDays: number): boolean {
  return device.lifecycle === 'active' && (device.lastCheckInAt ?? device.enrolledAt) < now - staleDays * DAY_MS;
}

export function matchesFilter(device: DeviceView, filter: DeviceFilter, now: number, staleDays: number): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'active':
      return device.lifecycle === 'active' && !isStale(device, now, staleDays);
    case 'stale':
      return isStale(device, now, staleDays);
    case 'signed_out':
      return device.lifecycle === 'signed_out';
    case 'revoked':
      return device.lifecycle === 'revoked' || device.lifecycle === 'wipe_confirmed';
    case 'wipe_pending':
      return device.lifecycle === 'revoked';
    case 'wipe_confirmed':
      return device.lifecycle === 'wipe_confirmed';
  }
}

/**
 * Free-text search over what tells laptops apart: host name, device name, OS, version, last IP,
 * device id, and the owner's display name and username (case-insensitive; every word must match).
 */
export function matchesSearch(device: DeviceView, query: string, owner?: { displayName: string; username: string }): boolean {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [
    device.hostName, device.name, device.osVersion, device.platform, device.appVersion, device.lastIp, device.id,
    owner?.displayName, owner?.username,
  ].filter(Boolean).join('\n').toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export function filterDevices(
  devices: readonly DeviceView[],
  opts: { query: string; filter: DeviceFilter; now: number; staleDays: number; ownerOf: (userId: string) => { displayName: string; username: string } | undefined },
): DeviceView[] {
  return devices.filter((d) => matchesFilter(d, opts.filter, opts.now, opts.staleDays) && matchesSearch(d, opts.query, opts.ownerOf(d.userId)));
}

/** A user matches when every word is in the display name or the username (case-insensitive). */
export function userMatches(user: { displayName: string; username: string }, query: string): boolean {
  const hay = `${user.displayName}\n${user.username}`.toLowerCase();
  return query.trim().toLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}
