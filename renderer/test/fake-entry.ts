// Installs the in-memory fake as window.salesVault before the app loads, for looking at the
// UI without a server (renderer/test/screenshots.mjs injects this as an init script).
// Configure with window.__SV_FAKE__ = { signedInAs?: string, initial?: Partial<AppState> }.
import './zod-jitless';
import { createFakeApi, type FakeApiOptions } from './fake-api';

declare global {
  interface Window {
    __SV_FAKE__?: FakeApiOptions;
    __SV_FAKE_API__?: ReturnType<typeof createFakeApi>;
  }
}

const api = createFakeApi({ now: () => Date.now(), ...window.__SV_FAKE__ });
window.salesVault = api;
window.__SV_FAKE_API__ = api;
