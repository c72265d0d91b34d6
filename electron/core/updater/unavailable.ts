// The updater where the app cannot update itself: the browser harness, a development build, a
// build without a configured feed. Checking answers "not available here"; nothing is downloaded.

import type { UpdateStatus } from '../../../shared/api/desktop-api';
import type { Updater } from '../contracts';

export function unavailableUpdater(message = 'this build cannot update itself (no update feed)'): Updater {
  const status: UpdateStatus = { state: 'unavailable', version: null, percent: null, message };
  return {
    status: () => ({ ...status }),
    check: () => Promise.resolve({ ...status }),
    quitAndInstall: () => ({ ...status }),
    onStatus: () => () => undefined,
  };
}
