#!/usr/bin/env bash
# `make web`, second half: the admin front end (web/admin: TypeScript bundled by esbuild, with the WebAssembly core
# of web/build.sh) into BUILD/admin, beside BUILD/thumbgen, where `thumbgen serve` looks for it by default.
# Usage: bash scripts/build_admin.sh BUILD_DIR   (needs BUILD_DIR-web/web from web/build.sh)
set -euo pipefail

build="${1:-build}"
cd "$(dirname "$0")/.."

if [ ! -f web/admin/build.mjs ]; then
  echo "admin pages: skipped (no web/admin/build.mjs in this tree); /admin/ answers a 'not built' page"
  exit 0
fi
command -v node >/dev/null 2>&1 || { echo "admin pages: node not found (run scripts/deps.sh)" >&2; exit 1; }
[ -s "$build-web/web/thumbgen_wasm.wasm" ] || {
  echo "admin pages: $build-web/web has no WebAssembly build (run: bash web/build.sh $build-web)" >&2
  exit 1
}

# npm ci installs exactly the committed lockfile; it runs again only when the lockfile changed since the last install
# (npm writes node_modules/.package-lock.json on every install).
installed=web/admin/node_modules/.package-lock.json
if [ ! -f "$installed" ] || [ web/admin/package-lock.json -nt "$installed" ]; then
  (cd web/admin && npm ci --no-audit --no-fund)
fi

mkdir -p "$build"
if ! node web/admin/build.mjs --wasm "$build-web/web" --out "$build/admin"; then
  echo "admin pages: FAILED" >&2
  exit 1
fi
[ -s "$build/admin/index.html" ] || { echo "admin pages: FAILED ($build/admin/index.html missing)" >&2; exit 1; }
echo "admin pages: ok ($build/admin, served at /admin/ by $build/thumbgen serve)"
