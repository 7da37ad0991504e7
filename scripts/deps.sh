#!/usr/bin/env bash
# The one list of Debian packages thumbgen needs to build, test and benchmark.
# Used by `make demo`, `make test`, `make bench` and CI. Installs only what is missing.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config ccache git ca-certificates
  libegl-dev libgles-dev libegl-mesa0 libgl1-mesa-dri libgbm1
  libtinygltf-dev libdraco-dev libmeshoptimizer-dev libassimp-dev
  libturbojpeg0-dev libspng-dev libwebp-dev zlib1g-dev libzstd-dev libstb-dev
  libglm-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost1.81-dev libsqlite3-dev libsodium-dev libssl-dev libcurl4-openssl-dev sqlite3
)
# The WebAssembly build of the render core and its headless-browser smoke test.
WEB_PKGS=(emscripten chromium)
# Only for `make bench`: the peer renderer it compares against.
BENCH_PKGS=(f3d xvfb xauth time python3 bc wrk curl)

want=("${BUILD_PKGS[@]}" "${WEB_PKGS[@]}")
[ "${1:-}" = "--bench" ] && want+=("${BENCH_PKGS[@]}")
# node/npm: any working install is fine (Debian's packages when none is present).
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
