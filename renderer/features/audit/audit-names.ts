// How the audit trail names people, devices and targets: the names the server resolved
// (AuditEntryView.names), the raw value only where there is no name (a customer record id, an
// entry from the server itself, a user deleted since).

import type { AuditDeviceRef, AuditEntryView, AuditPersonRef } from '../../../shared/protocol/routes';

export function personLabel(person: AuditPersonRef): string {
  return person.displayName === person.username ? person.username : `${person.displayName} (${person.username})`;
}

export function deviceLabel(device: AuditDeviceRef): string {
  const host = device.hostName?.trim();
  // the app names a device after its host already ("LAPTOP-1 · SalesVault on Windows")
  return host && !device.name.includes(host) ? `${host} · ${device.name}` : device.name;
}

/** The actor in words: null when the server or its command line acted (no actor id). */
export function actorLabel(entry: AuditEntryView): string | null {
  if (entry.names?.actor) return personLabel(entry.names.actor);
  return entry.actorId;
}

export function entryDeviceLabel(entry: AuditEntryView): string | null {
  if (entry.names?.device) return deviceLabel(entry.names.device);
  return entry.deviceId;
}

export function targetLabel(entry: AuditEntryView): string | null {
  const target = entry.names?.target;
  if (!target) return entry.target;
  if (target.kind === 'user') return personLabel(target);
  return target.ownerName ? `${deviceLabel(target)} (${target.ownerName})` : deviceLabel(target);
}
