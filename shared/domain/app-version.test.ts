import { describe, expect, it } from 'vitest';
import { asAppPlatform, compareVersions, isBelowMinimum, isSemver } from './app-version';

describe('app versions', () => {
  it('orders semantic versions, pre-releases below their release, build metadata ignored', () => {
    const ordered = ['0.9.0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0'];
    for (let i = 0; i < ordered.length - 1; i++) {
      expect(compareVersions(ordered[i]!, ordered[i + 1]!), `${ordered[i]} < ${ordered[i + 1]}`).toBe(-1);
      expect(compareVersions(ordered[i + 1]!, ordered[i]!)).toBe(1);
    }
    expect(compareVersions('1.4.0+build.7', '1.4.0')).toBe(0);
  });

  it('treats what is not a semantic version as below any minimum, and no minimum as none', () => {
    for (const v of ['harness', 'e2e', '1', '1.4', '01.2.3', '1.2.3.4', '']) {
      expect(isSemver(v), v).toBe(false);
      expect(isBelowMinimum(v, '0.0.1'), v).toBe(true);
    }
    expect(isBelowMinimum('harness', null)).toBe(false);
    expect(isBelowMinimum('1.4.0', '1.4.0')).toBe(false);
    expect(isBelowMinimum('1.4.0-rc.1', '1.4.0')).toBe(true);
    expect(isBelowMinimum('1.3.9', '1.4.0')).toBe(true);
    expect(isBelowMinimum('1.5.0', '1.4.0')).toBe(false);
  });

  it('knows the three platforms', () => {
    expect(asAppPlatform('win32')).toBe('win32');
    expect(asAppPlatform('freebsd')).toBeNull();
  });
});
