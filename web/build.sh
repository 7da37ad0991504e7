#!/usr/bin/env bash
# Builds the render core (src/scene + src/render) to WebAssembly + WebGL2 with Debian's Emscripten.
# Usage: bash web/build.sh [build-dir]   (default build-web; output in <build-dir>/web/)
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build-web}"
JOBS="${JOBS:-$(nproc)}"

source web/emscripten-env.sh

# zlib, zstd, draco, meshoptimizer and assimp for WebAssembly, from Debian's source packages (cached outside the
# clone: only the first build, or one after a version or flag change, compiles them).
WASM_DEPS=$(bash web/deps/build-wasm-deps.sh) || { echo "web build: FAILED (web/deps/build-wasm-deps.sh)" >&2; exit 1; }

mkdir -p "$BUILD_DIR"
if ! emcmake cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "-DTHUMBGEN_WASM_DEPS=$WASM_DEPS" \
    >"$BUILD_DIR/configure.log" 2>&1; then
  cat "$BUILD_DIR/configure.log" >&2
  echo "web build: FAILED (cmake configure, see above)" >&2
  exit 1
fi
if ! cmake --build "$BUILD_DIR" -j "$JOBS"; then
  echo "web build: FAILED" >&2
  exit 1
fi
for f in thumbgen_wasm.mjs thumbgen_wasm.wasm thumbgen.mjs index.html; do
  [ -s "$BUILD_DIR/web/$f" ] || { echo "web build: FAILED ($BUILD_DIR/web/$f missing)" >&2; exit 1; }
done
echo "web build: ok ($BUILD_DIR/web, $(du -k "$BUILD_DIR/web/thumbgen_wasm.wasm" | cut -f1) KiB wasm)"
