// The packaging configuration, checked without packaging (that would download Electron):
// valid against electron-builder's own JSON schema, and every security-relevant setting —
// fuses, asar, hardened runtime, what gets shipped — pinned.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const require = createRequire(import.meta.url);

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const config = readJson(path.join(here, 'electron-builder.json')) as {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; category: string; maintainer: string };
  win: { target: string[] };
  mac: { target: string[]; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string };
  icon: string;
};

// The same validator settings electron-builder uses (app-builder-lib/out/util/config/schemaValidator.js).
function schemaValidator() {
  const scheme = readJson(require.resolve('app-builder-lib/scheme.json'));
  return new Ajv({ allErrors: true, coerceTypes: true, strict: false }).compile(scheme);
}

describe('build/electron-builder.json', () => {
  it('is valid against electron-builder’s JSON schema', () => {
    const validate = schemaValidator();
    const valid = validate(structuredClone(config));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check is not vacuous: a misspelt or misplaced option fails', () => {
    const validate = schemaValidator();
    expect(validate({ ...structuredClone(config), electronFuse: { runAsNode: false } })).toBe(false);
    expect(validate({ ...structuredClone(config), electronFuses: { ...config.electronFuses, runAsNod: false } })).toBe(false);
    expect(validate({ ...structuredClone(config), linux: { ...config.linux, title: 'x' } })).toBe(false);
  });

  it('names the app', () => {
    expect(config.appId).toBe('com.salesvault.desktop');
    expect(config.productName).toBe('SalesVault');
  });

  it('hardens the Electron fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('ships the built renderer and main bundles in an asar, native modules unpacked', () => {
    expect(config.asar).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['dist/renderer/**/*', 'dist-electron/**/*', 'package.json']));
    expect([...config.asarUnpack].sort()).toEqual(['node_modules/better-sqlite3-multiple-ciphers/**/*', 'node_modules/keytar/**/*']);
    // Only the runtime externals of the main bundle (and what they require) are shipped from node_modules.
    const shippedModules = config.files.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/')[1]).sort();
    expect(shippedModules).toEqual(['better-sqlite3-multiple-ciphers', 'bindings', 'file-uri-to-path', 'keytar']);
    // The entry point electron-builder packages is the bundle these files include.
    expect(readJson(path.join(repoRoot, 'package.json')).main).toBe('dist-electron/main.cjs');
    // No sources, source maps or the build folder itself.
    expect(config.files).toEqual(expect.arrayContaining(['!**/*.{ts,tsx,map}']));
    expect(config.files.some((f) => f.startsWith('build/') || f.startsWith('electron/') || f.startsWith('shared/'))).toBe(false);
  });

  it('builds AppImage + deb, NSIS and a hardened-runtime DMG', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Office');
    expect(config.linux.maintainer).toMatch(/<[^@\s]+@[^>\s]+>/);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac.entitlementsInherit).toBe('build/entitlements.mac.plist');
  });

  it('grants the mac build only the JIT entitlement', () => {
    const plist = readFileSync(path.join(repoRoot, config.mac.entitlements), 'utf8');
    const granted = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((m) => m[1]);
    expect(granted).toEqual(['com.apple.security.cs.allow-jit']);
  });

  it('has a 512×512 RGBA PNG icon', () => {
    const png = readFileSync(path.join(repoRoot, config.icon));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([512, 512, 8, 6]);
  });
});
