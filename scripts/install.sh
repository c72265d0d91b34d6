#!/usr/bin/env bash
# Installs what SalesVault needs on a Debian/Ubuntu machine, then the npm packages.
#   - libsecret-1-dev: keytar (the OS keychain binding) builds against it
#   - gnome-keyring, dbus, dbus-x11: a Secret Service for the keychain on a headless box
#   - chromium + a CJK font + a colour emoji font: the browser harness and the end-to-end specs
#     (emoji typed into notes render as pictures, not empty boxes)
#   - postgresql-client: pg_isready, used by the test run
# Other platforms: install Node 20+, then `npm ci` (macOS Keychain / Windows Credential Manager
# need nothing extra).
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v apt-get >/dev/null 2>&1; then
  need=()
  for p in libsecret-1-dev gnome-keyring dbus dbus-x11 chromium fonts-wqy-microhei fonts-noto-color-emoji postgresql-client; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if ((${#need[@]})); then
    echo "install: Debian packages ${need[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

# The Electron binary is fetched by `npm start` on first use (its install script is not
# allowed to run during npm ci: see allowScripts in package.json), so installing works offline
# from the npm registry alone.
npm ci --no-audit --no-fund
