import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema, MAX_BODY_BYTES } from '../../shared/protocol/common';
import { enrollTestDevice, type TestDevice } from '../test/client';
import { startTestServer, type TestServer } from '../test/server';

interface BadRequest {
  name: string;
  send: () => Promise<Response>;
  status: number;
  code: string;
  /** the message must mention this (e.g. the bad field) */
  mentions?: string;
}

describe('bad input gets a clear 4xx, never a 500', () => {
  let s: TestServer;
  let auditor: TestDevice;

  beforeAll(async () => {
    s = await startTestServer();
    const a = s.fixture.users.auditor;
    auditor = await enrollTestDevice(s.baseUrl, a.username, a.password, a.totpSecret, { now: s.clock.now });
  });
  afterAll(async () => {
    await s.close();
  });

  const raw = (path: string, body: BodyInit | undefined, contentType?: string, method = 'POST') => () =>
    fetch(s.baseUrl + path, { method, headers: contentType ? { 'content-type': contentType } : {}, body });
  const json = (path: string, body: unknown) => raw(path, JSON.stringify(body), 'application/json');

  const cases = (): BadRequest[] => [
    { name: 'malformed JSON', send: raw('/v1/auth/sign-in', '{"username":', 'application/json'), status: 400, code: 'validation_failed', mentions: 'JSON' },
    { name: 'invalid UTF-8', send: raw('/v1/auth/sign-in', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'application/json'), status: 400, code: 'validation_failed' },
    { name: 'oversized body', send: raw('/v1/auth/sign-in', JSON.stringify({ username: 'a', password: 'x'.repeat(MAX_BODY_BYTES) }), 'application/json'), status: 413, code: 'payload_too_large' },
    { name: 'text/plain body', send: raw('/v1/auth/sign-in', 'username=a&password=b', 'text/plain'), status: 415, code: 'validation_failed', mentions: 'application/json' },
    { name: 'form body', send: raw('/v1/auth/sign-in', 'username=a&password=b', 'application/x-www-form-urlencoded'), status: 415, code: 'validation_failed' },
    { name: 'no body at all', send: raw('/v1/auth/sign-in', undefined), status: 400, code: 'validation_failed', mentions: 'body' },
    { name: 'empty JSON body', send: raw('/v1/auth/sign-in', '', 'application/json'), status: 400, code: 'validation_failed' },
    { name: 'JSON array', send: json('/v1/auth/sign-in', [1, 2]), status: 400, code: 'validation_failed' },
    { name: 'JSON null', send: raw('/v1/auth/sign-in', 'null', 'application/json'), status: 400, code: 'validation_failed' },
    { name: 'JSON string', send: json('/v1/auth/sign-in', 'hello'), status: 400, code: 'validation_failed' },
    { name: 'number for username', send: json('/v1/auth/sign-in', { username: 123, password: 'password1' }), status: 400, code: 'validation_failed', mentions: 'body.username' },
    { name: 'missing password', send: json('/v1/auth/sign-in', { username: 'rep.li' }), status: 400, code: 'validation_failed', mentions: 'body.password' },
    { name: 'password too long', send: json('/v1/auth/sign-in', { username: 'rep.li', password: 'p'.repeat(300) }), status: 400, code: 'validation_failed', mentions: 'body.password' },
    { name: 'SQL in username', send: json('/v1/auth/sign-in', { username: "x' OR '1'='1", password: 'password1' }), status: 400, code: 'validation_failed', mentions: 'body.username' },
    { name: 'prototype keys', send: raw('/v1/auth/sign-in', '{"__proto__":{"admin":true},"username":"nobody","password":"password1"}', 'application/json'), status: 401, code: 'invalid_credentials' },
    { name: 'deeply nested JSON', send: raw('/v1/auth/sign-in', '['.repeat(5000) + ']'.repeat(5000), 'application/json'), status: 400, code: 'validation_failed' },
    { name: 'letters as TOTP code', send: json('/v1/auth/mfa', { mfaToken: 'x', code: 'abcdef' }), status: 400, code: 'validation_failed', mentions: 'body.code' },
    { name: 'unknown mfa token', send: json('/v1/auth/mfa', { mfaToken: 'made-up', code: '123456' }), status: 401, code: 'token_expired' },
    { name: 'bad public key', send: json('/v1/devices/enroll', { enrollmentToken: 'x', publicKey: 'short', name: 'n', platform: 'p', appVersion: '1' }), status: 400, code: 'validation_failed', mentions: 'body.publicKey' },
    { name: 'unknown route', send: raw('/v1/nothing-here', undefined, undefined, 'GET'), status: 404, code: 'not_found' },
    { name: 'wrong method', send: raw('/v1/auth/sign-in', undefined, undefined, 'PUT'), status: 404, code: 'not_found' },
    { name: 'unsigned admin call', send: raw('/v1/admin/users', undefined, undefined, 'GET'), status: 401, code: 'unauthorized' },
    {
      name: 'malformed signature headers',
      send: () => fetch(`${s.baseUrl}/v1/admin/users`, { headers: { 'x-sv-device': 'd', 'x-sv-timestamp': 'yesterday', 'x-sv-nonce': '!', 'x-sv-signature': '?' } }),
      status: 401, code: 'signature_invalid',
    },
    { name: 'bad query type', send: () => auditor.signedFetch('GET', '/v1/audit?limit=lots'), status: 400, code: 'validation_failed', mentions: 'query.limit' },
    { name: 'query out of range', send: () => auditor.signedFetch('GET', '/v1/audit?limit=100000'), status: 400, code: 'validation_failed', mentions: 'query.limit' },
    { name: 'bad id in path', send: () => auditor.signedFetch('POST', '/v1/admin/devices/a%20b%27/revoke'), status: 400, code: 'validation_failed', mentions: 'params.id' },
    { name: 'signed body of the wrong shape', send: () => auditor.signedFetch('POST', '/v1/session/refresh', { appVersion: 42 }), status: 400, code: 'validation_failed', mentions: 'body.appVersion' },
    { name: 'signed, wrong content type', send: () => auditor.signedFetch('POST', '/v1/session/refresh', undefined, { rawBody: 'appVersion=1', contentType: 'text/plain' }), status: 415, code: 'validation_failed' },
  ];

  it('answers every malformed, oversized, wrongly typed or wrongly encoded request with a 4xx error body', async () => {
    const seen: string[] = [];
    for (const c of cases()) {
      const res = await c.send();
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const parsed = errorBodySchema.safeParse(body);
      seen.push(c.name);
      expect({ name: c.name, status: res.status }).toEqual({ name: c.name, status: c.status });
      expect(parsed.success, `${c.name}: ${text.slice(0, 200)}`).toBe(true);
      expect(parsed.data!.error.code, c.name).toBe(c.code);
      if (c.mentions) expect(parsed.data!.error.message, c.name).toContain(c.mentions);
    }
    expect(seen.length).toBe(28);
    // The server is still healthy afterwards.
    expect((await fetch(`${s.baseUrl}/v1/server-key`)).status).toBe(200);
  });

  it('rate-limits the sign-in routes per IP', async () => {
    const limited = await startTestServer({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${limited.baseUrl}/v1/auth/sign-in`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nobody', password: 'password1' }),
        });
        statuses.push(res.status);
        if (res.status === 429) expect((await res.json()).error.code).toBe('rate_limited');
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
