// Revocation and crypto-shred against the REAL server: while connected (event stream), while
// offline (at next contact), on user deactivation; and forged directives that must NOT wipe.

import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER, WIPE_TYP } from '../../../shared/protocol/grant';
import { VAULT_FILE } from '../app-service';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../contracts';
import { expectShredded, newTestApp, signInAndSync, stateOf, unwrap, waitFor, type TestApp } from '../../../test/support/test-app';
import { startRealServer, type RealServer } from '../../../test/support/real-server';

async function expectIntact(t: TestApp) {
  expect(await t.secrets.get(VAULT_KEY_ACCOUNT)).toMatch(/^[0-9a-f]{64}$/);
  expect(await t.secrets.get(DEVICE_KEY_ACCOUNT)).toBeTruthy();
  expect(existsSync(join(t.dataDir, VAULT_FILE))).toBe(true);
  const state = await stateOf(t.app);
  expect(state.phase).toBe('ready');
  expect(unwrap(await t.app.searchCustomers({ query: '' })).total).toBeGreaterThan(0);
}

async function deviceIdOf(server: RealServer, userId: string): Promise<string> {
  const devices = await server.devicesOf(userId);
  const active = devices.find((d) => d.status === 'active');
  if (!active) throw new Error('no active device');
  return active.id;
}

describe('revocation wipes the device (real server, vault, keychain)', () => {
  let server: RealServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    server = await startRealServer();
  });
  afterAll(async () => {
    for (const t of apps) await t.cleanup();
    await server?.cleanup();
  });

  it('revoked while connected: wiped through the event stream, wipe confirmed to the server', async () => {
    const t = await newTestApp('revoke-online');
    apps.push(t);
    const rep = server.fixture.users.rep;
    await signInAndSync(t.app, server, rep);
    await waitFor(async () => (await stateOf(t.app)).online, 'event stream connected');
    const deviceId = await deviceIdOf(server, rep.id);

    // No sync is scheduled (interval 1 h): only the event stream can deliver this.
    await server.revokeDevice(deviceId);
    const state = await waitFor(async () => {
      const s = await stateOf(t.app);
      return s.phase === 'revoked' ? s : null;
    }, 'revoked phase');
    expect(state.reason).toBe('device_revoked');
    expect(state.user).toBeNull();
    await expectShredded(t);
    const confirmed = await waitFor(async () => (await server.devicesOf(rep.id)).find((d) => d.id === deviceId && d.wipe_confirmed_at), 'wipe confirmation');
    expect(confirmed.status).toBe('revoked');
    // The data methods now refuse; the revoked screen survives a restart.
    expect(await t.app.searchCustomers({ query: '' })).toMatchObject({ ok: false, error: { code: 'revoked' } });
    await t.app.close();
    const reopened = await t.reopen();
    expect((await stateOf(reopened)).phase).toBe('revoked');
  });

  it('revoked while offline: wiped at the next contact, no outbox push', async () => {
    const t = await newTestApp('revoke-offline');
    apps.push(t);
    const rep2 = server.fixture.users.rep2;
    await signInAndSync(t.app, server, rep2);
    const deviceId = await deviceIdOf(server, rep2.id);
    const customer = server.customers.otherRep;

    await server.stop();
    await waitFor(async () => !(await stateOf(t.app)).online, 'offline');
    // An edit made offline; it must never reach the server after the revocation.
    unwrap(await t.app.updateCustomer({ id: customer.id, fields: { notes: 'EDIT-FROM-REVOKED-DEVICE' } }));
    expect((await stateOf(t.app)).outboxCount).toBe(1);
    await server.revokeDevice(deviceId);
    expect((await stateOf(t.app)).phase).toBe('ready');

    await server.restart();
    await waitFor(async () => (await stateOf(t.app)).phase === 'revoked', 'revoked at next contact');
    await expectShredded(t);
    const row = await server.customerRow(customer.id);
    expect(row?.notes).not.toBe('EDIT-FROM-REVOKED-DEVICE');
    const pushes = (await server.auditRows()).filter((r) => r.action.startsWith('record.') && r.actor_id === rep2.id);
    expect(pushes).toEqual([]);
  });

  it('user deactivated while connected: every device of the user wipes', async () => {
    const t = await newTestApp('deactivate');
    apps.push(t);
    const service = server.fixture.users.service;
    await signInAndSync(t.app, server, service);
    await waitFor(async () => (await stateOf(t.app)).online, 'event stream connected');
    await server.deactivateUser(service.id);
    const state = await waitFor(async () => {
      const s = await stateOf(t.app);
      return s.phase === 'revoked' ? s : null;
    }, 'revoked after deactivation');
    expect(state.reason).toBe('user_deactivated');
    await expectShredded(t);
  });

  it('a forged wipe directive (another key, or another device) does NOT wipe', async () => {
    const { privateKey: attackerKey } = generateKeyPairSync('ed25519');
    const manager = server.fixture.users.manager;
    let forgedBody: string | null = null;
    let forgedEvents = 0;
    const forgingFetch: typeof fetch = async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (forgedBody && url.includes('/v1/session/refresh')) {
        return new Response(forgedBody, { status: 403, headers: { 'content-type': 'application/json' } });
      }
      if (forgedBody && url.includes('/v1/events')) {
        forgedEvents += 1;
        const directive = (JSON.parse(forgedBody) as { wipe: string }).wipe;
        const frame = `event: revoked\ndata: ${JSON.stringify({ type: 'revoked', directive })}\n\n`;
        return new Response(frame, { status: 200, headers: { 'content-type': 'text/event-stream' } });
      }
      return fetch(input, init);
    };
    const t = await newTestApp('forged', { fetch: forgingFetch });
    apps.push(t);
    await signInAndSync(t.app, server, manager);
    const deviceId = await deviceIdOf(server, manager.id);

    const claims = { iss: ISSUER, sub: manager.id, did: deviceId, reason: 'device_revoked', iat: Math.floor(Date.now() / 1000) };
    const byAttacker = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: 'EdDSA', typ: WIPE_TYP })
      .sign(attackerKey);
    // Signed by the REAL server key, but for another device: not ours to obey either.
    const forAnotherDevice = await server.ctx.keys.sign({ ...claims, did: 'some-other-device' }, WIPE_TYP);

    for (const wipe of [byAttacker, forAnotherDevice]) {
      forgedBody = JSON.stringify({ error: { code: 'device_revoked', message: 'revoked' }, wipe });
      const before = forgedEvents;
      // Drop the live event stream so that its reconnects are served the forgery.
      await server.stop();
      await server.restart();
      const result = await t.app.syncNow();
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      // And the same directive over the event stream (it reconnects and is served the forgery).
      await waitFor(() => forgedEvents >= before + 2, 'forged events delivered');
      forgedBody = null;
      await expectIntact(t);
    }
    // Once the forgery stops, syncing works again.
    expect(unwrap(await t.app.syncNow()).phase).toBe('ready');
  });
});
