#!/usr/bin/env bash
# Builds the admin web app (web/admin) into <out-dir>: installs its npm packages from the lockfile when needed, then
# runs build.mjs with the WASM render core of <web-build-dir>/web.
# Usage: bash web/admin/build.sh <web-build-dir> <out-dir>     (make web: build-web build/admin)
set -euo pipefail

cd "$(dirname "$0")/../.."
WEB_BUILD_DIR="${1:?usage: web/admin/build.sh <web-build-dir> <out-dir>}"
OUT_DIR="${2:?usage: web/admin/build.sh <web-build-dir> <out-dir>}"

command -v node >/dev/null 2>&1 || { echo "admin build: node not found (run scripts/deps.sh)" >&2; exit 1; }
# esbuild, typescript and playwright-core exactly as the lockfile says (npm ci; never `playwright install`).
if [ ! -f web/admin/node_modules/.package-lock.json ] ||
   [ web/admin/package-lock.json -nt web/admin/node_modules/.package-lock.json ]; then
  echo "admin build: installing the front end's npm packages (npm ci)"
  (cd web/admin && npm ci --no-audit --no-fund --loglevel=error)
fi
node web/admin/build.mjs --wasm "$WEB_BUILD_DIR/web" --out "$OUT_DIR"
