#!/usr/bin/env bash
# The one list of Debian packages thumbgen needs to build, test and benchmark.
# Used by `make demo`, `make test`, `make bench` and CI. Installs only what is missing.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config ccache git ca-certificates
  libegl-dev libgles-dev libegl-mesa0 libgl1-mesa-dri libgbm1
  libtinygltf-dev libdraco-dev libmeshoptimizer-dev libassimp-dev
  libturbojpeg0-dev libspng-dev libwebp-dev zlib1g-dev libzstd-dev libstb-dev libminizip-dev
  libglm-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost1.81-dev libsqlite3-dev libsodium-dev libssl-dev libcurl4-openssl-dev sqlite3
  libpq-dev postgresql postgresql-contrib
  nginx  # tests/multi_server_test.cpp runs the README's front config (deploy/nginx/thumbgen.conf)
)
# The WebAssembly build of the render core and its headless-browser smoke test. dpkg-dev unpacks the Debian source
# packages web/deps/build-wasm-deps.sh compiles with Emscripten (zlib, zstd, libwebp, draco, meshoptimizer, assimp);
# libutfcpp-dev is the header-only utf8.h Debian's assimp uses.
WEB_PKGS=(emscripten chromium dpkg-dev libutfcpp-dev)
# Only for `make bench`: the peer renderer it compares against.
BENCH_PKGS=(f3d xvfb xauth time python3 bc wrk curl)

# The desktop thumbnailer's tests: GNOME's sandbox (bwrap, libseccomp for its filter), the MIME database compiler,
# GIO's type lookup, xmllint.
DESKTOP_PKGS=(bubblewrap libseccomp-dev shared-mime-info libglib2.0-bin libxml2-utils)

want=("${BUILD_PKGS[@]}" "${WEB_PKGS[@]}" "${DESKTOP_PKGS[@]}")
[ "${1:-}" = "--bench" ] && want+=("${BENCH_PKGS[@]}")
# `make fuzz` and CI's fuzz smoke stage: libFuzzer is part of clang's runtime library.
FUZZ_PKGS=(clang libclang-rt-14-dev)
want+=("${FUZZ_PKGS[@]}")
# node/npm: any working install is fine (Debian's packages when none is present).
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# `apt-get source` needs deb-src entries. When apt has none, add them for the machine's own Debian archives (same
# URIs, suites, components and keys as its deb entries) in a file of their own, and refresh the index once.
if ! apt-cache showsrc --only-source zlib 2>/dev/null | grep -c '^Package:' >/dev/null; then  # -c: reads it all (pipefail)
  deb822=/etc/apt/sources.list.d/debian.sources
  if [ -f "$deb822" ]; then
    echo "deps: adding deb-src entries (/etc/apt/sources.list.d/debian-src.sources, from $deb822)"
    sed -e '/^#/d' -e 's/^Types:.*/Types: deb-src/' "$deb822" | $SUDO tee /etc/apt/sources.list.d/debian-src.sources >/dev/null
  elif grep -qs '^deb ' /etc/apt/sources.list; then
    echo "deps: adding deb-src entries (/etc/apt/sources.list.d/debian-src.list, from /etc/apt/sources.list)"
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | $SUDO tee /etc/apt/sources.list.d/debian-src.list >/dev/null
  else
    echo "deps: no Debian apt source found to mirror as deb-src; add deb-src entries by hand" >&2
    exit 1
  fi
  $SUDO apt-get update -qq
fi
