import type { DesktopApi } from '../shared/api/desktop-api';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in the browser harness (see api/index.ts). */
    salesVault?: DesktopApi;
  }
}

export {};
