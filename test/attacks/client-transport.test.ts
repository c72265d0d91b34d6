// Finding 9: the client signed in over plain http to any host and accepted `javascript:` and
// `file:` addresses, so the password, the TOTP code, tokens and customer data could travel in
// clear (and the server key be pinned over plaintext). The real client core (createAppService)
// must refuse such an address before it opens any connection, while loopback http still works.
//
// Every request of the core goes through the `fetch` it is given: a spy records each URL and
// passes only loopback requests on to the network, so this test never sends a packet to the
// addresses it tries (even against a core that would, it only records the attempt).
//
// Runs inside a keyring session (the core stores its keys in the OS keychain).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServerUrl } from '../../shared/protocol/server-url';
import { newTestApp, signInAndSync, stateOf, type TestApp } from '../support/test-app';
import { startRealServer, type RealServer } from '../support/real-server';

const REFUSED = ['http://10.0.0.1:8787', 'http://example.com', 'http://192.168.1.10:8787/', 'javascript:alert(1)', 'file:///etc/passwd', 'https://rep.li:secret@crm.example.com'];

describe('attack: signing in over plaintext or to a non-web address (finding 9)', () => {
  let server: RealServer;
  let t: TestApp;
  const requested: string[] = [];

  const spyFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    requested.push(url);
    // Only this machine is ever contacted; anything else fails like an unreachable host.
    if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new TypeError(`spy: no connection to ${url}`);
    return fetch(input, init);
  };

  beforeAll(async () => {
    server = await startRealServer();
    t = await newTestApp('attack-transport', { fetch: spyFetch });
  });
  afterAll(async () => {
    await t?.cleanup();
    await server?.cleanup();
  });

  it.each(REFUSED)('refuses %s before any request, with insecure_server_url', async (serverUrl) => {
    requested.length = 0;
    const { password, username } = server.fixture.users.rep;
    const result = await t.app.signIn({ serverUrl, username, password });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('insecure_server_url');
    // Nothing left the process: no sign-in request, no server-key fetch, nothing.
    expect(requested).toEqual([]);
    // And no half sign-in waits for a TOTP code to send to that address.
    const next = await t.app.verifyMfa({ code: '123456' });
    expect(next.ok).toBe(false);
    if (!next.ok) expect(next.error.code).toBe('not_signed_in');
    expect(requested).toEqual([]);
    expect((await stateOf(t.app)).phase).toBe('signed-out');
  });

  it('still signs in, enrolls and syncs over http to loopback', async () => {
    expect(checkServerUrl(server.url).ok).toBe(true);
    requested.length = 0;
    const state = await signInAndSync(t.app, server, server.fixture.users.rep);
    expect(state.phase).toBe('ready');
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.every((url) => url.startsWith(`${server.url}/`))).toBe(true);
  });
});
