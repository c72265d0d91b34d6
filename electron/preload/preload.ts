// The preload: the only bridge between the sandboxed page and the main process. It exposes
// window.salesVault — exactly the DesktopApi, one IPC call per method — and nothing else: no
// ipcRenderer, no event objects, no Node.

import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { AppState, DesktopApi, DesktopCalls } from '../../shared/api/desktop-api';
import { DESKTOP_METHODS } from '../../shared/api/desktop-api';
import { IPC_CALL_CHANNEL, IPC_STATE_CHANNEL } from '../../shared/api/ipc-channels';

// Each method forwards (method, input) and resolves with the main side's Result.
const calls = Object.fromEntries(
  DESKTOP_METHODS.map((method) => [method, (input?: unknown) => ipcRenderer.invoke(IPC_CALL_CHANNEL, method, input)]),
) as DesktopCalls;

const api = {
  ...calls,
  onStateChange(listener: (state: AppState) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onStateChange needs a function');
    // The wrapper drops the IPC event: it carries `sender` (an ipcRenderer handle).
    const forward = (_event: IpcRendererEvent, state: AppState) => listener(state);
    ipcRenderer.on(IPC_STATE_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_STATE_CHANNEL, forward);
    };
  },
} satisfies DesktopApi;

contextBridge.exposeInMainWorld('salesVault', api);
