import { describe, expect, it, vi } from 'vitest';
import type { AppState, DesktopCalls, Result } from '../../shared/api/desktop-api';
import { DESKTOP_METHODS } from '../../shared/api/desktop-api';
import { createIpcCallHandler, createIpcDispatch } from './ipc-dispatch';

const STATE: AppState = {
  revision: 0,
  phase: 'signed-out',
  serverUrl: null,
  user: null,
  online: false,
  lastSyncAt: null,
  dataVersion: 0,
  outboxCount: 0,
  issueCount: 0,
  leaseUntil: null,
  wipeAfter: null,
  progress: null,
  reason: null,
  locale: 'en',
  sync: { status: 'idle', lastError: null },
};

/** A service whose every method records its input and answers ok, unless overridden. */
function fakeService(overrides: Partial<Record<string, (input: unknown) => Promise<unknown>>> = {}) {
  const calls: { method: string; input: unknown }[] = [];
  const service = Object.fromEntries(
    DESKTOP_METHODS.map((method) => [
      method,
      async (input: unknown) => {
        calls.push({ method, input });
        const override = overrides[method];
        return override ? override(input) : { ok: true, value: STATE };
      },
    ]),
  ) as unknown as DesktopCalls;
  return { service, calls };
}

describe('createIpcDispatch', () => {
  it('calls the service with the parsed input (defaults applied) and returns its Result', async () => {
    const { service, calls } = fakeService();
    const dispatch = createIpcDispatch(() => service);
    expect(await dispatch('getState', undefined)).toEqual({ ok: true, value: STATE });
    await dispatch('searchCustomers', { query: '张' });
    expect(calls).toEqual([
      { method: 'getState', input: undefined },
      { method: 'searchCustomers', input: { query: '张', offset: 0, limit: 100 } },
    ]);
  });

  it('waits for a service that is still starting', async () => {
    const { service } = fakeService();
    let resolve!: (s: DesktopCalls) => void;
    const starting = new Promise<DesktopCalls>((r) => (resolve = r));
    const pending = createIpcDispatch(() => starting)('getState', undefined);
    resolve(service);
    expect(await pending).toEqual({ ok: true, value: STATE });
  });

  it.each([['deleteEverything'], ['constructor'], ['__proto__'], ['toString'], [''], [42], [null], [{ method: 'getState' }]])(
    'refuses the unknown method %j without calling the service',
    async (method) => {
      const { service, calls } = fakeService();
      const result = await createIpcDispatch(() => service)(method, undefined);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('validation_failed');
      expect(calls).toEqual([]);
    },
  );

  it.each([
    ['getCustomer', { id: '../../etc' }],
    ['getCustomer', {}],
    ['getCustomer', 'c1'],
    ['verifyMfa', { code: '12345' }],
    ['signIn', { serverUrl: 'not a url', username: 'a', password: 'b' }],
    ['searchCustomers', { query: 'x'.repeat(201) }],
    ['searchCustomers', { limit: 100_000 }],
    ['getState', { sneaky: true }],
    ['setLocale', { locale: 'fr' }],
  ])('refuses invalid input for %s with validation_failed', async (method, input) => {
    const { service, calls } = fakeService();
    const result = await createIpcDispatch(() => service)(method, input);
    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    if (!result.ok) expect(result.error.message).toContain(method);
    expect(calls).toEqual([]);
  });

  it('turns a thrown error into {ok:false} without leaking its text, and reports it', async () => {
    const { service } = fakeService({
      getState: async () => {
        throw new Error('SQLITE_CORRUPT at /home/rep/.config/SalesVault/vault.db');
      },
    });
    const onInternalError = vi.fn();
    const result = await createIpcDispatch(() => service, onInternalError)('getState', undefined);
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'getState failed unexpectedly' } });
    expect(onInternalError).toHaveBeenCalledWith('getState', expect.any(Error));
  });

  it('turns a service that failed to start into {ok:false}', async () => {
    const result = await createIpcDispatch(() => Promise.reject(new Error('keychain gone')))('getState', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('passes an error Result through unchanged', async () => {
    const denied: Result<never> = { ok: false, error: { code: 'forbidden', message: 'no' } };
    const { service } = fakeService({ getCustomer: async () => denied });
    expect(await createIpcDispatch(() => service)('getCustomer', { id: 'c1' })).toEqual(denied);
  });

  it('refuses to forward something that is not a Result', async () => {
    const { service } = fakeService({ listOutbox: async () => [{ secret: 'raw row' }] });
    const result = await createIpcDispatch(() => service)('listOutbox', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

describe('createIpcCallHandler', () => {
  const MAIN_ID = 3;
  const event = (url: string | null, id = MAIN_ID) => ({ senderFrame: url === null ? null : { url }, sender: { id } });

  it('dispatches calls from our window showing app://salesvault/', async () => {
    const { service, calls } = fakeService();
    const handle = createIpcCallHandler(createIpcDispatch(() => service), () => MAIN_ID);
    expect(await handle(event('app://salesvault/index.html'), 'getState', undefined)).toEqual({ ok: true, value: STATE });
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['a foreign page in our window', event('https://evil.example/')],
    ['a file:// page in our window', event('file:///tmp/x.html')],
    ['our URL in another webContents', event('app://salesvault/index.html', 99)],
    ['no frame (frame gone)', event(null)],
  ])('refuses %s with forbidden, without calling the service', async (_name, ev) => {
    const { service, calls } = fakeService();
    const refused = vi.fn();
    const handle = createIpcCallHandler(createIpcDispatch(() => service), () => MAIN_ID, refused);
    expect(await handle(ev, 'getState', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calls).toEqual([]);
    expect(refused).toHaveBeenCalledOnce();
  });

  it('refuses everything while there is no main window', async () => {
    const { service, calls } = fakeService();
    const handle = createIpcCallHandler(createIpcDispatch(() => service), () => null);
    expect(await handle(event('app://salesvault/'), 'getState', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calls).toEqual([]);
  });
});
