// The updater as the renderer reaches it (the update-required screen's "check for updates"):
// the Updater contract (electron/core/contracts.ts) behind the DesktopApi. Its status changes go
// into the app state (AppState.update), so progress and "downloaded" arrive with onStateChange.

import type { Updater } from '../contracts';
import type { AppStateMachine } from '../session/app-state';
import type { HandlerGroup } from './types';

export function updateHandlers(updater: Updater, app: { state: AppStateMachine; emit(): void }): HandlerGroup<'checkForUpdates' | 'installUpdate'> {
  app.state.update = updater.status();
  updater.onStatus((status) => {
    app.state.update = status;
    app.emit();
  });
  return {
    checkForUpdates: async () => {
      const status = await updater.check();
      app.state.update = status;
      app.emit();
      return status;
    },
    installUpdate: async () => updater.quitAndInstall(),
  };
}
