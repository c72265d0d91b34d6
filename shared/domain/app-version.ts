// App versions and the minimum version IT sets per platform (docs/app-versions.md).
//
// Versions are compared as semantic versions (MAJOR.MINOR.PATCH, an optional pre-release after
// `-`, build metadata after `+` ignored): 1.2.0-beta.1 < 1.2.0 < 1.2.1 < 1.10.0. A version that
// is not a semantic version (a development build says "harness" or "e2e") counts as below any
// minimum: a server that requires a minimum lets through only apps that can say they meet it.

export const APP_PLATFORMS = ['win32', 'darwin', 'linux'] as const;
export type AppPlatform = (typeof APP_PLATFORMS)[number];

/** MAJOR.MINOR.PATCH[-pre][+build], numbers without leading zeros. */
export const SEMVER_PATTERN = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

interface ParsedVersion {
  core: [number, number, number];
  pre: string[];
}

export function parseVersion(text: string): ParsedVersion | null {
  const m = SEMVER_PATTERN.exec(text.trim());
  if (!m) return null;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

export function isSemver(text: string): boolean {
  return parseVersion(text) !== null;
}

function comparePre(a: string[], b: string[]): number {
  // A release ranks above its pre-releases.
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : null;
    const ny = /^\d+$/.test(y) ? Number(y) : null;
    if (nx !== null && ny !== null) {
      if (nx !== ny) return nx < ny ? -1 : 1;
    } else if (nx !== null || ny !== null) {
      return nx !== null ? -1 : 1; // numeric identifiers rank below alphanumeric ones
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** -1, 0 or 1; null when either is not a semantic version. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 | null {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return null;
  for (let i = 0; i < 3; i++) {
    if (pa.core[i] !== pb.core[i]) return pa.core[i]! < pb.core[i]! ? -1 : 1;
  }
  const pre = comparePre(pa.pre, pb.pre);
  return pre === 0 ? 0 : pre < 0 ? -1 : 1;
}

/** Is `version` below `minimum`? A version that cannot be compared is below (fail closed). */
export function isBelowMinimum(version: string, minimum: string | null | undefined): boolean {
  if (!minimum) return false;
  const order = compareVersions(version, minimum);
  return order === null || order < 0;
}

/** The platform a device reported, when it is one IT can set a minimum for. */
export function asAppPlatform(platform: string): AppPlatform | null {
  return (APP_PLATFORMS as readonly string[]).includes(platform) ? (platform as AppPlatform) : null;
}
