#!/usr/bin/env bash
# The Batch Thumbnail Generator in headless Chromium (CPU WebGL through SwiftShader) against a real `thumbgen serve`
# with BENCH_ASSETS (500) generated glTF cubes: thumbnails per minute, and the WASM heap and the page's JS heap after
# 50 and 500 renders (plateau target: ≤ 10 % growth). See bench/web_generator.mjs.
# Usage: bash bench/web_generator.sh [build-dir] [web-build-dir]   (defaults: build, <build-dir>-web)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
web_build=${2:-$build-web}
cd "$root"
[ -x "$build/thumbgen" ] || { echo "web generator bench: $build/thumbgen not built (make build)"; exit 1; }
[ -s "$web_build/web/thumbgen_wasm.wasm" ] || { echo "web generator bench: no WASM build in $web_build (make web)"; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "web generator bench: no chromium (scripts/deps.sh)"; exit 1; }
# Chromium through web/browser_harness.mjs (web/'s playwright-core), the admin build beside the binary, as `make web` makes it (quietly: the bench prints its own lines).
[ -f web/node_modules/playwright-core/package.json ] || (cd web && npm ci --no-audit --no-fund --loglevel=error)
bash web/admin/build.sh "$web_build" "$build/admin" >/dev/null
THUMBGEN="$root/$build/thumbgen" ADMIN_DIR="$root/$build/admin" node bench/web_generator.mjs
