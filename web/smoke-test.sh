#!/usr/bin/env bash
# Headless-Chromium smoke test of the WebAssembly build (web/smoke_test.mjs).
# Usage: bash web/smoke-test.sh [build-dir]   (default build-web; builds it first when missing)
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build-web}"

fail() {
  echo "web smoke test: $1" >&2
  echo "web smoke test: 0 passed, 1 failed"
  exit 1
}

[ -s "$BUILD_DIR/web/thumbgen_wasm.wasm" ] || bash web/build.sh "$BUILD_DIR" || fail "build failed"
command -v node >/dev/null 2>&1 || fail "node not found (run scripts/deps.sh)"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || fail "$CHROMIUM not found (run scripts/deps.sh)"
export CHROMIUM

# playwright-core only (it drives Debian's chromium; never `playwright install`, downloads are blocked).
if [ ! -f web/node_modules/playwright-core/package.json ]; then
  echo "web smoke test: installing playwright-core (npm ci)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in web/ failed"
fi

node web/smoke_test.mjs "$BUILD_DIR/web"
node web/camera_test.mjs "$BUILD_DIR/web"
