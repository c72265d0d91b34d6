// "Check for updates" through the DesktopApi: the app service over a fake Updater. The status
// reaches the renderer in AppState.update (onStateChange); without an updater the app says
// "unavailable" (the browser harness, a development build).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppState } from '../../../shared/api/desktop-api';
import { FakeUpdater } from '../../../test/support/fake-updater';
import { createAppService, type AppService } from '../app-service';
import { MemorySecretStore } from '../keychain';

describe('the updater behind the desktop API', () => {
  const dirs: string[] = [];
  const apps: AppService[] = [];
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function service(updater?: FakeUpdater): Promise<AppService> {
    const dataDir = mkdtempSync(join(tmpdir(), 'sv-updater-'));
    dirs.push(dataDir);
    const app = await createAppService({ dataDir, secrets: new MemorySecretStore(), appVersion: '1.0.0', ...(updater ? { updater } : {}) });
    apps.push(app);
    return app;
  }

  it('checks, shows the download and its progress in the state, and installs only what was downloaded', async () => {
    const fake = new FakeUpdater();
    const app = await service(fake);
    const states: AppState[] = [];
    app.onStateChange((s) => states.push(s));

    fake.offer = null;
    const none = await app.checkForUpdates();
    expect(none).toEqual({ ok: true, value: { state: 'not-available', version: null, percent: null, message: null } });

    fake.offer = '1.5.0';
    expect((await app.checkForUpdates()).ok).toBe(true);
    fake.progress(60);
    expect(states.at(-1)?.update).toEqual({ state: 'downloading', version: '1.5.0', percent: 60, message: null });
    const early = await app.installUpdate();
    expect(early.ok && early.value.state).toBe('downloading');
    expect(fake.installs).toBe(0);
    fake.progress(100);
    expect(states.at(-1)?.update).toMatchObject({ state: 'downloaded', version: '1.5.0' });
    expect((await app.installUpdate()).ok).toBe(true);
    expect(fake.installs).toBe(1);
    expect(fake.checks).toBe(2);
  });

  it('without an updater: "unavailable", in the state and as the answer', async () => {
    const app = await service();
    const state = await app.getState();
    expect(state.ok && state.value.update?.state).toBe('unavailable');
    const r = await app.checkForUpdates();
    expect(r.ok && r.value.state).toBe('unavailable');
  });
});
