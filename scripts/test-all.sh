#!/usr/bin/env bash
# `npm test`: every check and test suite. Runs inside a private D-Bus session with an
# unlocked gnome-keyring so the vault key really goes to the OS keychain (Secret Service).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${SV_IN_KEYRING_SESSION:-}" ]]; then
  export SV_IN_KEYRING_SESSION=1
  # The keyring's files in a directory of this run's own: gnome-keyring daemons of other D-Bus
  # sessions on the machine (another test run, a benchmark, `npm start`) that share
  # ~/.local/share/keyrings reload the file each other writes, and an item this run stored a
  # moment ago is gone (seen as "the vault key is not available" in a test).
  keyring_dir=$(mktemp -d -t sv-test-keyring-XXXXXX)
  status=0
  dbus-run-session -- bash -c 'printf pass | XDG_DATA_HOME="$1" gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0"' "$0" "$keyring_dir" || status=$?
  rm -rf "$keyring_dir"
  exit "$status"
fi

# First use creates the keyring's default collection; do it once, serially, before parallel
# test workers race to it — and fail early with a clear message if no keychain works.
node -e "
const k = require('keytar');
(async () => {
  await k.setPassword('salesvault-warmup', 'probe', 'ok');
  if ((await k.getPassword('salesvault-warmup', 'probe')) !== 'ok') throw new Error('the Secret Service did not return a stored secret');
  await k.deletePassword('salesvault-warmup', 'probe');
})().catch((e) => { console.error('keychain unusable:', e.message); process.exit(1); });
"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "typecheck (shared, server, electron against electron.d.ts, renderer, e2e, bench)"
npm run -s typecheck
step "lint (including the layering rules)"
npm run -s lint
step "unit and integration tests (server on embedded SQLite)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
step "server suite and attacker suite on PostgreSQL (the files that use the test database), alongside the end-to-end specs"
# Only the test files whose imports reach server/test/db.ts, the one place SV_TEST_DB picks the
# store; every other file would repeat its SQLite run exactly (scripts/store-test-files.mjs).
mapfile -t store_tests < <(node scripts/store-test-files.mjs server test/attacks)
if [[ ${#store_tests[@]} -eq 0 ]]; then echo "no store-dependent test files found under server/ and test/attacks/" >&2; exit 1; fi
echo "${#store_tests[@]} test files; their output follows the end-to-end specs'"
# The end-to-end specs spend most of their time waiting on the app (about 4 of 11 minutes busy on
# 2 cores), so the PostgreSQL phase runs beside them, one file at a time to leave them a core.
mkdir -p test-results
pg_log=test-results/vitest-postgres.log
SV_TEST_WORKERS=1 SV_TEST_DB=postgres npx vitest run "${store_tests[@]}" --reporter=default --reporter=json --outputFile.json=test-results/vitest-postgres.json >"$pg_log" 2>&1 &
pg_pid=$!
step "end-to-end specs in Chromium (browser harness, real server, vault and keychain)"
e2e_status=0
bash e2e/run.sh || e2e_status=$?
pg_status=0
wait "$pg_pid" || pg_status=$?
step "server suite and attacker suite on PostgreSQL: output"
cat "$pg_log"
if [[ $e2e_status -ne 0 || $pg_status -ne 0 ]]; then
  echo "failed: end-to-end specs exit $e2e_status, PostgreSQL suite exit $pg_status" >&2
  exit 1
fi
step "benchmarks at smoke scale (kept runnable; no assertions on times)"
npm run -s bench -- --scale smoke --out test-results/bench-smoke.json

step "summary"
node scripts/test-summary.mjs test-results/vitest.json test-results/vitest-postgres.json test-results/playwright.json
