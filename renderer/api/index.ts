import type { DesktopApi } from '../../shared/api/desktop-api';
import { createHarnessClient } from './harness-client';

/**
 * The desktop API this page talks to: the Electron preload's `window.salesVault`, or — when
 * the page is served by the browser harness (development and tests) — the HTTP client.
 */
export function resolveDesktopApi(): DesktopApi {
  return window.salesVault ?? createHarnessClient(window.location.origin);
}
