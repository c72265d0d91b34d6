import { describe, expect, it } from 'vitest';
import { checkServerUrl, isLoopbackHost, type ServerUrlCheck } from './server-url';

describe('checkServerUrl', () => {
  const table: [string, ServerUrlCheck][] = [
    // https to any host
    ['https://crm.example.com', { ok: true, url: 'https://crm.example.com' }],
    ['https://crm.example.com:8443/', { ok: true, url: 'https://crm.example.com:8443' }],
    ['  https://crm.example.com/api//  ', { ok: true, url: 'https://crm.example.com/api' }],
    ['https://10.0.0.1:8787', { ok: true, url: 'https://10.0.0.1:8787' }],
    ['HTTPS://CRM.EXAMPLE.COM', { ok: true, url: 'https://crm.example.com' }],
    // http only to loopback, in every spelling the URL parser folds to it
    ['http://127.0.0.1:8787', { ok: true, url: 'http://127.0.0.1:8787' }],
    ['http://127.1.2.3/', { ok: true, url: 'http://127.1.2.3' }],
    ['http://127.1:8787', { ok: true, url: 'http://127.0.0.1:8787' }],
    ['http://2130706433', { ok: true, url: 'http://127.0.0.1' }],
    ['http://localhost:8787', { ok: true, url: 'http://localhost:8787' }],
    ['HTTP://LocalHost', { ok: true, url: 'http://localhost' }],
    ['http://[::1]:8787/', { ok: true, url: 'http://[::1]:8787' }],
    ['http://[0:0:0:0:0:0:0:1]', { ok: true, url: 'http://[::1]' }],
    // plain http anywhere else
    ['http://10.0.0.1:8787', { ok: false, reason: 'plain_http' }],
    ['http://192.168.1.20', { ok: false, reason: 'plain_http' }],
    ['http://172.16.0.5', { ok: false, reason: 'plain_http' }],
    ['http://example.com', { ok: false, reason: 'plain_http' }],
    ['http://128.0.0.1', { ok: false, reason: 'plain_http' }],
    ['http://0.0.0.0:8787', { ok: false, reason: 'plain_http' }],
    ['http://localhost.example.com', { ok: false, reason: 'plain_http' }],
    ['http://127.0.0.1.nip.io', { ok: false, reason: 'plain_http' }],
    ['http://evil.localhost', { ok: false, reason: 'plain_http' }],
    ['http://[::ffff:127.0.0.1]', { ok: false, reason: 'plain_http' }],
    ['http://[fe80::1]', { ok: false, reason: 'plain_http' }],
    // other schemes
    ['javascript:alert(1)', { ok: false, reason: 'scheme' }],
    ['file:///etc/passwd', { ok: false, reason: 'scheme' }],
    ['ftp://crm.example.com', { ok: false, reason: 'scheme' }],
    ['ws://127.0.0.1:8787', { ok: false, reason: 'scheme' }],
    ['data:text/plain,hi', { ok: false, reason: 'scheme' }],
    // credentials, query, fragment, garbage
    ['https://admin:secret@crm.example.com', { ok: false, reason: 'credentials' }],
    ['http://user@127.0.0.1:8787', { ok: false, reason: 'credentials' }],
    ['https://crm.example.com/?next=x', { ok: false, reason: 'malformed' }],
    ['https://crm.example.com/#x', { ok: false, reason: 'malformed' }],
    ['crm.example.com', { ok: false, reason: 'malformed' }],
    ['', { ok: false, reason: 'malformed' }],
    ['https://', { ok: false, reason: 'malformed' }],
  ];

  it.each(table)('%s', (raw, expected) => {
    expect(checkServerUrl(raw)).toEqual(expected);
  });
});

describe('isLoopbackHost', () => {
  it('accepts only the canonical loopback names', () => {
    for (const host of ['127.0.0.1', '127.255.255.254', 'localhost', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['128.0.0.1', '10.0.0.1', 'example.com', 'localhost.', 'a.localhost', '[::2]', '']) expect(isLoopbackHost(host), host).toBe(false);
  });
});
