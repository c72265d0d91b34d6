// What the app tells the server about the machine it runs on, so that IT can tell laptops apart
// (host name, operating system and version). Nothing here is secret or identifies the user.

import { hostname, release, type, version } from 'node:os';

export interface HostFacts {
  hostName: string;
  osVersion: string;
}

export function hostFacts(): HostFacts {
  let detail = '';
  try {
    detail = version(); // e.g. "Windows 11 Pro" / "#1 SMP Debian …" / "Darwin Kernel Version …"
  } catch {
    // not available on every platform: the release alone
  }
  const os = `${type()} ${release()}${detail ? ` (${detail})` : ''}`;
  return { hostName: hostname().trim().slice(0, 100), osVersion: os.trim().slice(0, 100) };
}
