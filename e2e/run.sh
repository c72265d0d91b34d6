#!/usr/bin/env bash
# End-to-end specs: build what they drive, then run Playwright (Chromium against the browser
# harness + a real server; the Electron spec runs only where the Electron binary exists).
# Needs a Secret Service for the real keychain: npm test runs this inside dbus-run-session with
# gnome-keyring, or run it yourself as
#   dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; bash e2e/run.sh'
# Extra arguments go to `playwright test` (e.g. a spec file, --grep).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]]; then
  echo "e2e: no D-Bus session (the vault key goes to the OS keychain); run inside dbus-run-session, see the header of $0" >&2
  exit 2
fi

# Screenshots of a Chinese UI need a CJK font; without one the specs still pass but the
# artifacts show boxes. Fonts come from the system (see .ci/run), never from the network here.
if command -v fc-list >/dev/null && [[ -z "$(fc-list :lang=zh 2>/dev/null | head -1)" ]]; then
  echo "e2e: warning: no CJK font installed (apt-get install fonts-wqy-microhei); screenshots will show boxes" >&2
fi

echo "e2e: building the renderer (vite build → dist/renderer)"
npx vite build --logLevel warn
echo "e2e: bundling the Electron main and preload (→ dist-electron)"
node build/bundle-electron.mjs

npx playwright test "$@"
