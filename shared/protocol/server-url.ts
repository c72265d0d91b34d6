// Which server addresses the client may talk to. Passwords, TOTP codes, tokens, customer data
// and the first pinning of the server key all travel over this connection, so plaintext is
// allowed only where it never leaves the machine:
//   - `https:` to any host;
//   - `http:` only to loopback: 127.0.0.0/8, `localhost`, `[::1]` (development and tests);
//   - everything else is refused: other schemes (`javascript:`, `file:`, `ftp:` …), user names
//     or passwords inside the URL, a query or fragment, and `http:` to any other host (LAN or
//     public — a LAN is not a trusted network).
// Pure: no Node, no DOM. The client core applies it before it creates any server connection;
// the sign-in form uses it for immediate feedback.

/** Why an address was refused (for logs and tests; the user sees one localized message). */
export type ServerUrlRefusal = 'malformed' | 'scheme' | 'credentials' | 'plain_http';

export type ServerUrlCheck = { ok: true; url: string } | { ok: false; reason: ServerUrlRefusal };

/** The error code shown to the user when an address is refused ("use https://…"). */
export const INSECURE_SERVER_URL = 'insecure_server_url' as const;

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Is this (WHATWG-normalized) hostname a loopback address? The URL parser has already turned
 * the other spellings of an IPv4 address (`127.1`, `0x7f.0.0.1`, `2130706433`) into dotted
 * decimal and lower-cased names, so only the canonical forms need matching. Names that merely
 * end in `.localhost` and IPv4-mapped IPv6 addresses are not accepted: keep the rule small.
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || IPV4_LOOPBACK.test(hostname);
}

/**
 * Decide whether `raw` may be used as the server's base URL. On success, `url` is the
 * normalized base (scheme, host, port, path without trailing slashes) to connect to.
 */
export function checkServerUrl(raw: string): ServerUrlCheck {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'scheme' };
  if (url.hostname === '') return { ok: false, reason: 'malformed' };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'credentials' };
  if (url.search !== '' || url.hash !== '') return { ok: false, reason: 'malformed' };
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return { ok: false, reason: 'plain_http' };
  return { ok: true, url: `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}` };
}
