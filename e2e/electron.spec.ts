// The Electron target: the same sign-in + first-sync flow as rep-sign-in.spec.ts, through the
// packaged main process (dist-electron/main.cjs) with Playwright's _electron. The Electron binary
// is downloaded by electron's install script, which cannot run on machines without internet
// (like this project's CI): there the spec is skipped, and says why.

import { _electron as electron, type ElectronApplication } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import keytar from 'keytar';
import { DEVICE_KEY_ACCOUNT, VAULT_KEY_ACCOUNT } from '../electron/core/contracts';
import { App } from './pages/App';
import { expect, signInAs, test } from './support/fixtures';
import { expectListMatchesServerScope } from './support/flows';
import { ROOT } from './support/paths';

const ELECTRON_DIST = join(ROOT, 'node_modules/electron/dist');
const MAIN = join(ROOT, 'dist-electron/main.cjs');
const REP = 'rep.sh2.2';

test.skip(!existsSync(ELECTRON_DIST), 'the Electron binary is not installed (node_modules/electron/dist is missing: its download needs the internet)');

test('electron: a rep signs in with TOTP and the first sync shows only their customers', async ({ server, totp, shot }) => {
  expect(existsSync(MAIN), 'dist-electron/main.cjs is built (node build/bundle-electron.mjs)').toBe(true);
  const dataDir = mkdtempSync(join(tmpdir(), 'sv-e2e-electron-'));
  const keychainService = `SalesVault-e2e-electron-${process.pid}-${randomUUID().slice(0, 8)}`;
  let electronApp: ElectronApplication | null = null;
  try {
    electronApp = await electron.launch({
      args: [MAIN],
      cwd: ROOT,
      env: { ...process.env, SV_DATA_DIR: dataDir, SV_SERVER_URL: server.url, SV_KEYCHAIN_SERVICE: keychainService } as Record<string, string>,
    });
    const window = await electronApp.firstWindow();
    const app = new App(window);
    await expect(app.signIn.serverUrl).toHaveValue(server.url);
    await signInAs(app, { serverUrl: server.url, username: REP, totp });
    await expectListMatchesServerScope(app, server, REP);
    await shot(window, 'electron-customer-list');
    expect(await keytar.getPassword(keychainService, VAULT_KEY_ACCOUNT)).toMatch(/^[0-9a-f]{64}$/);
  } finally {
    await electronApp?.close();
    await keytar.deletePassword(keychainService, VAULT_KEY_ACCOUNT).catch(() => false);
    await keytar.deletePassword(keychainService, DEVICE_KEY_ACCOUNT).catch(() => false);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
