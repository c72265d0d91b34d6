import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_RESPONSE_HEADERS,
  CONTENT_SECURITY_POLICY,
  applicationMenuFor,
  contentTypeFor,
  debugSwitchesIn,
  devToolsAllowed,
  isExternalWebLink,
  isTrustedSender,
  resolveAppPath,
  type MenuItemSpec,
} from './security';

const ROOT = path.resolve('/opt/salesvault/dist/renderer');

describe('resolveAppPath', () => {
  it.each([
    ['app://salesvault/', 'index.html'],
    ['app://salesvault/index.html', 'index.html'],
    ['app://salesvault/assets/index-abc.js', 'assets/index-abc.js'],
    ['app://salesvault/assets/a%20b.css?v=1#x', 'assets/a b.css'],
    ['app://salesvault/locales/%E4%B8%AD%E6%96%87.json', 'locales/中文.json'],
  ])('%s → %s', (url, relative) => {
    expect(resolveAppPath(ROOT, url)).toEqual({ ok: true, filePath: path.join(ROOT, relative) });
  });

  it.each([
    ['app://salesvault/../../etc/passwd', 403],
    ['app://salesvault/assets/../../secret', 403],
    ['app://salesvault/%2e%2e/%2e%2e/etc/passwd', 403],
    ['app://salesvault/%2E%2E/x', 403],
    ['app://salesvault/assets/%2e%2e%2f%2e%2e%2fx', 403],
    ['app://salesvault/..%2f..%2fetc%2fpasswd', 403],
    ['app://salesvault/..%5c..%5cwindows', 400],
    ['app://salesvault/a%00.html', 400],
    ['app://salesvault/%E0%A4%A', 400],
    ['app://evil/index.html', 403],
    ['file:///etc/passwd', 403],
    ['https://salesvault/index.html', 403],
    ['not a url', 400],
  ])('refuses %s (%i)', (url, status) => {
    const result = resolveAppPath(ROOT, url);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.status).toBe(status);
  });

  it('never resolves outside the root, whatever the input', () => {
    const tricky = ['//etc/passwd', '/./../x', '/assets/./../../x', '/%2e/%2e%2e/x', '/....//x', '/.../x'];
    for (const suffix of tricky) {
      const result = resolveAppPath(ROOT, `app://salesvault${suffix}`);
      if (result.ok) expect(result.filePath.startsWith(ROOT + path.sep)).toBe(true);
    }
  });
});

describe('isTrustedSender', () => {
  it.each([
    ['app://salesvault/index.html', 7, 7, true],
    ['app://salesvault/', 7, 7, true],
    ['app://salesvault/index.html', 8, 7, false], // another webContents (devtools, stray window)
    ['app://salesvault/index.html', 7, null, false], // no main window
    ['app://salesvault.evil.com/index.html', 7, 7, false],
    ['app://salesvaultx/', 7, 7, false],
    ['https://salesvault/', 7, 7, false],
    ['file:///opt/salesvault/dist/renderer/index.html', 7, 7, false],
    ['about:blank', 7, 7, false],
    ['', 7, 7, false],
    [null, 7, 7, false],
    [undefined, 7, 7, false],
  ] as const)('%s from webContents %s (main %s) → %s', (url, sender, main, trusted) => {
    expect(isTrustedSender(url, sender, main)).toBe(trusted);
  });
});

describe('isExternalWebLink', () => {
  it.each([
    ['https://example.com/help', true],
    ['HTTPS://Example.com/a?b=c#d', true],
    ['http://example.com', false],
    ['http://127.0.0.1:8787/', false],
    ['mailto:it@example.com', false],
    ['https://', false],
    ['javascript:alert(1)', false],
    ['file:///etc/passwd', false],
    ['app://salesvault/index.html', false],
    ['smb://share/x', false],
    ['ms-settings:privacy', false],
    ['https://user:pw@example.com', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(isExternalWebLink(url)).toBe(allowed);
  });
});

describe('packaged app: DevTools, debug switches, menu', () => {
  it('allows DevTools only in development runs', () => {
    expect(devToolsAllowed(true)).toBe(false);
    expect(devToolsAllowed(false)).toBe(true);
  });

  it('finds the switches that would attach a debugger', () => {
    expect(debugSwitchesIn(['/opt/SalesVault/salesvault', '--no-sandbox-x', '--remote-debugging-port=9222', '--inspect', '--INSPECT-BRK=0.0.0.0:9229', 'file.txt'])).toEqual([
      '--remote-debugging-port=9222',
      '--inspect',
      '--INSPECT-BRK=0.0.0.0:9229',
    ]);
    expect(debugSwitchesIn(['/opt/SalesVault/salesvault', '--lang=zh-CN', '--inspector'])).toEqual([]);
  });

  const allItems = (items: MenuItemSpec[]): MenuItemSpec[] => items.flatMap((item) => [item, ...allItems(item.submenu ?? [])]);

  it('keeps the default menu in development, none on Windows/Linux when packaged', () => {
    expect(applicationMenuFor('linux', false, 'SalesVault')).toEqual({ kind: 'default' });
    expect(applicationMenuFor('linux', true, 'SalesVault')).toEqual({ kind: 'none' });
    expect(applicationMenuFor('win32', true, 'SalesVault')).toEqual({ kind: 'none' });
  });

  it('gives macOS a minimal menu with no View, reload or developer tools', () => {
    const menu = applicationMenuFor('darwin', true, 'SalesVault');
    if (menu.kind !== 'template') throw new Error(`expected a template, got ${menu.kind}`);
    const items = allItems(menu.template);
    const roles = items.map((item) => item.role?.toLowerCase()).filter(Boolean);
    for (const forbidden of ['toggledevtools', 'viewmenu', 'reload', 'forcereload', 'defaultmenu']) expect(roles).not.toContain(forbidden);
    expect(items.some((item) => /view|develop|devtools/i.test(item.label ?? ''))).toBe(false);
    // What a Mac user needs still works: quit and the clipboard shortcuts.
    expect(roles).toEqual(expect.arrayContaining(['quit', 'copy', 'paste', 'selectall']));
  });
});

describe('Content-Security-Policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );

  it('allows scripts only from the app and forbids objects, base and framing', () => {
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*/);
    expect(directives.get('script-src')).not.toContain('unsafe-inline');
  });

  it('is sent on every app:// response', () => {
    expect(APP_RESPONSE_HEADERS['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(APP_RESPONSE_HEADERS['x-content-type-options']).toBe('nosniff');
  });
});

describe('contentTypeFor', () => {
  it.each([
    ['/r/index.html', 'text/html; charset=utf-8'],
    ['/r/assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['/r/assets/index-abc.CSS', 'text/css; charset=utf-8'],
    ['/r/logo.svg', 'image/svg+xml'],
    ['/r/fonts/x.woff2', 'font/woff2'],
    ['/r/README', null],
  ])('%s → %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });
});
