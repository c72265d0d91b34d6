// The security decisions of the Electron shell, kept free of `electron` so they run and are
// tested under plain Node: which URL maps to which renderer file, which IPC sender is ours,
// which links may leave the app, the page's Content-Security-Policy, and what the packaged app
// keeps closed (DevTools, debug switches, the default menu).

import path from 'node:path';
import { RENDERER_CSP_HEADER } from '../../shared/csp';

/** The renderer is served from app://salesvault/ (a standard, secure scheme), never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'salesvault';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The CSP header set on every app:// response (the same policy as the page's meta tag). */
export const CONTENT_SECURITY_POLICY = RENDERER_CSP_HEADER;

/** Extra headers on every app:// response. */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
};

export type AppPathResult =
  | { ok: true; filePath: string }
  | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Maps an app:// request URL to a file inside `rootDir` (the built renderer). Anything that
 * could escape the root — `..` segments (raw or percent-encoded), backslashes, NUL bytes,
 * absolute paths, another host — is refused rather than normalised.
 */
export function resolveAppPath(rootDir: string, requestUrl: string): AppPathResult {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400, reason: 'malformed URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) {
    return { ok: false, status: 403, reason: 'foreign origin' };
  }
  // The WHATWG parser already folds plain `..`; check the raw request too, then the decoded path.
  const rawPath = requestUrl.slice(APP_ORIGIN.length).split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) {
    return { ok: false, status: 400, reason: 'forbidden character in path' };
  }
  const segments = [...rawPath.split('/'), ...decoded.split('/')];
  if (segments.some((segment) => segment === '..' || /^(\.|%2e){2}$/i.test(segment))) {
    return { ok: false, status: 403, reason: 'path traversal' };
  }
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const root = path.resolve(rootDir);
  const filePath = path.resolve(root, relative);
  // Final guard: whatever the checks above missed, the file must lie inside the root.
  const fromRoot = path.relative(root, filePath);
  if (fromRoot === '' || fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) {
    return { ok: false, status: 403, reason: 'outside the renderer directory' };
  }
  return { ok: true, filePath };
}

/**
 * Is this IPC message from our own page? The frame must be showing app://salesvault/ and the
 * sending webContents must be the main window's (not a devtools page or a stray window).
 */
export function isTrustedSender(
  frameUrl: string | null | undefined,
  senderWebContentsId: number,
  mainWebContentsId: number | null,
): boolean {
  if (mainWebContentsId === null || senderWebContentsId !== mainWebContentsId) return false;
  if (typeof frameUrl !== 'string') return false;
  try {
    const url = new URL(frameUrl);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && frameUrl.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}

/**
 * Links the app may hand to the OS browser: `https:` only, to a named host, without user names
 * or passwords. Plain `http:` is refused (a link followed in clear can be rewritten on the way),
 * and so is everything else: `file:`, `javascript:`, `mailto:` (the app has no mail links) and
 * custom schemes that would start other programs.
 */
export function isExternalWebLink(target: string): boolean {
  try {
    const url = new URL(target);
    return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/**
 * Can DevTools be opened in this build? Never in the packaged app — anyone at the keyboard of
 * an unlocked laptop could otherwise read every decrypted record the page shows and call the
 * API as the user — only in development runs from source.
 */
export function devToolsAllowed(isPackaged: boolean): boolean {
  return !isPackaged;
}

/**
 * Command-line switches that open a debugger into a running app (the Chromium remote debugging
 * port exposes every page the way DevTools does; --inspect is also refused by the packaged
 * build's fuses). The packaged app refuses to start with any of them.
 */
const DEBUG_SWITCHES = ['--remote-debugging-port', '--remote-debugging-pipe', '--remote-debugging-address', '--inspect', '--inspect-brk', '--inspect-port', '--inspect-publish-uid'];

export function debugSwitchesIn(argv: readonly string[]): string[] {
  return argv.filter((arg) => {
    const name = arg.split('=', 1)[0]!.toLowerCase();
    return DEBUG_SWITCHES.includes(name);
  });
}

/** A menu item as Electron's Menu.buildFromTemplate takes it (only what this app uses). */
export interface MenuItemSpec {
  label?: string;
  role?: string;
  type?: 'separator';
  submenu?: MenuItemSpec[];
}

/**
 * The application menu: Electron's default one in development (with View → Toggle Developer
 * Tools, Reload); in the packaged app, none on Windows and Linux, and on macOS (where an app
 * always has a menu bar) a minimal one — app, Edit (copy/paste shortcuts need it), Window —
 * with no View menu, no reload and no developer tools.
 */
export type ApplicationMenu = { kind: 'default' } | { kind: 'none' } | { kind: 'template'; template: MenuItemSpec[] };

export function applicationMenuFor(platform: string, isPackaged: boolean, appName: string): ApplicationMenu {
  if (!isPackaged) return { kind: 'default' };
  if (platform !== 'darwin') return { kind: 'none' };
  const separator: MenuItemSpec = { type: 'separator' };
  return {
    kind: 'template',
    template: [
      { label: appName, submenu: [{ role: 'about' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }] },
      {
        label: 'Edit',
        submenu: [{ role: 'undo' }, { role: 'redo' }, separator, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
      },
      { label: 'Window', submenu: [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }] },
    ],
  };
}

/**
 * Content types of the files a Vite build emits. Set explicitly (not left to the file loader's
 * guess) because module scripts need a JavaScript MIME type under `nosniff`.
 */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** The content type for a renderer file, or null to keep what the file loader reported. */
export function contentTypeFor(filePath: string): string | null {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? null;
}
