#!/usr/bin/env bash
# Builds the libraries the native loaders link (zlib + minizip, zstd, libwebp, draco, meshoptimizer, assimp) with
# Emscripten as static libraries, from Debian bookworm's source packages (`apt-get source`), so the browser build loads every
# format the native build loads with the same code. Emscripten's -sUSE_* ports are not an option: they download.
#
# Usage: bash web/deps/build-wasm-deps.sh   → the install prefix (include/, lib/) on stdout; progress on stderr.
# The result is cached outside the clone, in ${THUMBGEN_WASM_DEPS_CACHE:-~/.cache/thumbgen/wasm-deps}/<key>/, where
# <key> hashes the source package versions, the compiler, the flags and this script: a second run costs a second.
# Needs deb-src entries, dpkg-dev and libutfcpp-dev (scripts/deps.sh sets them up).
set -euo pipefail

SCRIPT="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/../.."
source web/emscripten-env.sh

# The source packages. minizip is zlib's own contrib/minizip (Debian's assimp links libminizip, built from the same
# code). assimp's BaseImporter needs utf8.h, whose copy Debian strips from assimp's contrib/: it comes from the
# header-only libutfcpp-dev, installed by scripts/deps.sh (the mirror here serves no utfcpp source package).
PACKAGES=(zlib libzstd libwebp draco meshoptimizer assimp)
HEADER_PACKAGES=(libutfcpp-dev)
# Only the importers src/scene/model_formats.cpp routes to assimp (glTF for glTF 1.0).
ASSIMP_IMPORTERS=(OBJ FBX PLY STL GLTF COLLADA 3DS 3MF LWO OFF X AC)
# -O2 as a release build; C++ with -fexceptions like web/web.cmake (assimp reports errors by throwing).
C_FLAGS="-O2"
CXX_FLAGS="-O2 -fexceptions"
JOBS=$(( $(nproc) < 2 ? $(nproc) : 2 ))  # the build machines are shared: two jobs at most
CACHE_ROOT="${THUMBGEN_WASM_DEPS_CACHE:-$HOME/.cache/thumbgen/wasm-deps}"

say() { echo "wasm deps: $*" >&2; }
die() {
  say "FAILED: $*"
  exit 1
}

# The newest version of a source package apt knows, and all of them newest first (a mirror may lack the newest:
# bookworm-security's sources are not always mirrored, the point release's are).
source_versions() {
  local versions
  versions=$(apt-cache showsrc --only-source "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -u)
  [ -n "$versions" ] || die "apt knows no source package '$1' (deb-src entries missing: run scripts/deps.sh)"
  # Insertion sort with dpkg's ordering (there are one or two versions).
  local sorted=() v i
  for v in $versions; do
    for ((i = 0; i < ${#sorted[@]}; ++i)); do
      if dpkg --compare-versions "$v" gt "${sorted[i]}"; then break; fi
    done
    sorted=("${sorted[@]:0:i}" "$v" "${sorted[@]:i}")
  done
  printf '%s\n' "${sorted[@]}"
}

command -v dpkg-source >/dev/null || die "dpkg-source missing (run scripts/deps.sh)"
# Line 1 of `emcc --version` ends with the version; sed reads it all (head would break emcc's pipe).
EMCC_VERSION=$(emcc --version 2>/dev/null | sed -n '1s/.*) \([0-9][0-9.]*\).*/\1/p')
[ -n "$EMCC_VERSION" ] || die "emcc does not run"
declare -A NEWEST
key_text="script $(sha256sum "$SCRIPT" | cut -d' ' -f1)
emcc $EMCC_VERSION
cflags $C_FLAGS
cxxflags $CXX_FLAGS
assimp-importers ${ASSIMP_IMPORTERS[*]}"
for p in "${PACKAGES[@]}"; do
  NEWEST[$p]=$(source_versions "$p" | sed -n 1p)
  key_text+=$'\n'"$p ${NEWEST[$p]}"
done
for p in "${HEADER_PACKAGES[@]}"; do
  version=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null) || die "$p is not installed (run scripts/deps.sh)"
  key_text+=$'\n'"$p $version"
done
KEY=$(printf '%s\n' "$key_text" | sha256sum | cut -c1-16)
PREFIX="$CACHE_ROOT/$KEY"
if [ -f "$PREFIX/BUILD-INFO" ]; then
  echo "$PREFIX"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
# One build at a time per cache (a second caller waits, then finds the result).
exec 9>"$CACHE_ROOT/.lock"
flock 9
if [ -f "$PREFIX/BUILD-INFO" ]; then
  echo "$PREFIX"
  exit 0
fi

# Everything happens in a temporary folder renamed into place at the end: an interrupted build leaves no cache entry.
# Holding the lock, any other temporary folder is a killed build's: removed.
rm -rf "$CACHE_ROOT"/.building-* "$CACHE_ROOT"/*.log
WORK=$(mktemp -d "$CACHE_ROOT/.building-$KEY-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
STAGE="$WORK/prefix"
mkdir -p "$STAGE/include" "$STAGE/lib" "$WORK/src"
LOG="$CACHE_ROOT/$KEY.log"
: >"$LOG"
started=$SECONDS
say "building zlib, minizip, zstd, libwebp, draco, meshoptimizer and assimp with Emscripten $EMCC_VERSION" \
  "(first time only, -j$JOBS; log: $LOG)"

# Runs a command with its output in the log; on failure shows the end of the log.
run() {
  if ! "$@" >>"$LOG" 2>&1; then
    tail -n 40 "$LOG" >&2
    die "$* (see $LOG)"
  fi
}

# Downloads and unpacks (Debian patches applied) one source package into $SRC.
declare -A BUILT_VERSION
fetch() {
  local package="$1" version
  local apt_options=(-qq)
  [ "$(id -u)" -eq 0 ] && apt_options+=(-o APT::Sandbox::User=root)
  for version in $(source_versions "$package"); do
    if (cd "$WORK/src" && apt-get source "${apt_options[@]}" "$package=$version" >>"$LOG" 2>&1); then
      BUILT_VERSION[$package]=$version
      SRC=$(find "$WORK/src" -maxdepth 1 -type d -name "$package-*" | sed -n 1p)
      [ -n "$SRC" ] || die "apt-get source $package=$version unpacked nothing"
      return
    fi
    say "apt-get source $package=$version failed, trying an older version"
  done
  die "no version of the source package '$package' could be downloaded (see $LOG)"
}

# All sources first: a missing one fails in seconds, not after half an hour of compiling.
declare -A SOURCE_DIR
for p in "${PACKAGES[@]}"; do
  fetch "$p"
  SOURCE_DIR[$p]=$SRC
  say "source $p ${BUILT_VERSION[$p]}"
done

# Compiles C or C++ files into one static library, two at a time.
compile_library() {
  local library="$1" compiler="$2" flags="$3"
  shift 3
  local objects="$WORK/obj/$library"
  mkdir -p "$objects"
  # One compiler process per file ($1 of the inner shell), each object named after its source.
  printf '%s\n' "$@" | run xargs -P "$JOBS" -I{} sh -c "$compiler $flags -c \"\$1\" -o \"$objects/\$(basename \"\$1\").o\"" _ {}
  run emar rcs "$STAGE/lib/lib$library.a" "$objects"/*.o
}

emcmake_build() {
  local source="$1" build="$2"
  shift 2
  run emcmake cmake -S "$source" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    "-DCMAKE_C_FLAGS_RELEASE=$C_FLAGS -DNDEBUG" "-DCMAKE_CXX_FLAGS_RELEASE=$CXX_FLAGS -DNDEBUG" "$@"
}

# zlib, and minizip from its contrib/ (unzip only: assimp reads 3MF and zipped models with it).
say "building zlib + minizip"
zlib=${SOURCE_DIR[zlib]}
# zlib's own configure + Makefile (its CMake build wants win32/ files Debian's source strips), as Emscripten's docs do.
(cd "$zlib" && CFLAGS="$C_FLAGS" run emconfigure ./configure --static && run emmake make -j "$JOBS" libz.a)
cp "$zlib/libz.a" "$STAGE/lib/"
cp "$zlib/zlib.h" "$zlib/zconf.h" "$STAGE/include/"
mkdir -p "$STAGE/include/minizip"
cp "$zlib/contrib/minizip/"{unzip.h,ioapi.h,crypt.h} "$STAGE/include/minizip/"
compile_library minizip emcc "$C_FLAGS -DIOAPI_NO_64 -I$STAGE/include" \
  "$zlib/contrib/minizip/unzip.c" "$zlib/contrib/minizip/ioapi.c"
mkdir -p "$STAGE/lib/pkgconfig"
cat >"$STAGE/lib/pkgconfig/minizip.pc" <<EOF
prefix=$STAGE
Name: minizip
Description: zlib's contrib/minizip (unzip), built for WebAssembly
Version: 1.1
Cflags: -I\${prefix}/include/minizip
Libs: \${prefix}/lib/libminizip.a \${prefix}/lib/libz.a
EOF

# zstd: the decompressor only (SPZ v4), without the x86 assembly.
say "building zstd"
zstd=${SOURCE_DIR[libzstd]}
compile_library zstd emcc "$C_FLAGS -DZSTD_DISABLE_ASM -DZSTD_LEGACY_SUPPORT=0 -DZSTD_MULTITHREAD=0" \
  "$zstd"/lib/common/*.c "$zstd"/lib/decompress/*.c
cp "$zstd/lib/zstd.h" "$zstd/lib/zstd_errors.h" "$STAGE/include/"

# libwebp: the decoder only (lossless WebP planes of SOG splats must decode exactly; the browser's canvas decode
# premultiplies alpha, and stb_image has no WebP). Plain C: no SIMD macros are defined, no threads.
say "building libwebp (decoder)"
webp=${SOURCE_DIR[libwebp]}
compile_library webpdecoder emcc "$C_FLAGS -I$webp" "$webp"/src/dec/*.c "$webp"/src/dsp/*.c "$webp"/src/utils/*.c
mkdir -p "$STAGE/include/webp"
cp "$webp/src/webp/decode.h" "$webp/src/webp/types.h" "$STAGE/include/webp/"

# meshoptimizer: the library (its vertex/index codecs decode EXT_meshopt_compression).
say "building meshoptimizer"
meshopt=${SOURCE_DIR[meshoptimizer]}
compile_library meshoptimizer em++ "$CXX_FLAGS" "$meshopt"/src/*.cpp
cp "$meshopt/src/meshoptimizer.h" "$STAGE/include/"

# utfcpp: headers only, copied so the cache entry is self-contained.
cp -r /usr/include/utf8cpp "$STAGE/include/"

# assimp: only our importers, no exporters, no tools; zlib and minizip from above, utf8.h from utfcpp.
say "building assimp"
assimp=${SOURCE_DIR[assimp]}
importer_flags=(-DASSIMP_BUILD_ALL_IMPORTERS_BY_DEFAULT=OFF)
for importer in "${ASSIMP_IMPORTERS[@]}"; do importer_flags+=("-DASSIMP_BUILD_${importer}_IMPORTER=ON"); done
# pkg-config sees only our minizip.pc (never the machine's libminizip-dev). Debian's assimp always looks for draco
# (use-system-libdraco.patch) though only its glTF 2 importer with ASSIMP_ENABLE_DRACO uses it, which we leave off
# (glTF 2 is tinygltf's): a config file names the draco built below.
mkdir -p "$WORK/cmake/draco"
printf 'set(draco_FOUND TRUE)\nset(DRACO_LIBRARIES "%s")\n' "$STAGE/lib/libdraco.a" >"$WORK/cmake/draco/dracoConfig.cmake"
PKG_CONFIG_PATH="$STAGE/lib/pkgconfig" PKG_CONFIG_LIBDIR="$STAGE/lib/pkgconfig" emcmake_build "$assimp" \
  "$WORK/build/assimp" "-DCMAKE_INSTALL_PREFIX=$STAGE" \
  -DASSIMP_BUILD_TESTS=OFF -DASSIMP_BUILD_ASSIMP_TOOLS=OFF -DASSIMP_BUILD_SAMPLES=OFF -DASSIMP_BUILD_DOCS=OFF \
  -DASSIMP_NO_EXPORT=ON -DASSIMP_BUILD_ZLIB=OFF -DASSIMP_WARNINGS_AS_ERRORS=OFF -DASSIMP_INSTALL_PDB=OFF \
  -DASSIMP_INJECT_DEBUG_POSTFIX=OFF -DASSIMP_BUILD_DRACO=OFF \
  "-DZLIB_INCLUDE_DIR=$STAGE/include" "-DZLIB_LIBRARY=$STAGE/lib/libz.a" "-Ddraco_DIR=$WORK/cmake/draco" \
  "-DCMAKE_CXX_FLAGS=-I$STAGE/include/utf8cpp" "${importer_flags[@]}"
grep -q "^UNZIP_INCLUDE_DIRS:INTERNAL=$STAGE/include/minizip\$" "$WORK/build/assimp/CMakeCache.txt" ||
  die "assimp did not find our minizip (see $LOG)"
run cmake --build "$WORK/build/assimp" -j "$JOBS"
run cmake --install "$WORK/build/assimp"
# CMake and pkg-config files name the temporary folder: web/web.cmake imports the libraries itself.
rm -rf "$STAGE/lib/cmake" "$STAGE/lib/pkgconfig"

# draco: its CMake build without the JS glue (that is draco's own JS decoder module), the static library only.
say "building draco"
draco=${SOURCE_DIR[draco]}
# Draco's CMake checks that $EMSCRIPTEN names Emscripten's root, though without the JS glue it uses nothing from it.
EMSCRIPTEN=$(em-config EMSCRIPTEN_ROOT 2>/dev/null) emcmake_build "$draco" "$WORK/build/draco" -DDRACO_JS_GLUE=OFF \
  -DDRACO_TESTS=OFF
run cmake --build "$WORK/build/draco" --target draco_static -j "$JOBS"
cp "$WORK/build/draco/libdraco.a" "$STAGE/lib/"
(cd "$draco/src" && find draco -name '*.h' -not -path '*/javascript/*' -not -path '*/tools/*' |
  while read -r header; do install -D -m644 "$header" "$STAGE/include/$header"; done)
cp "$WORK/build/draco/draco/draco_features.h" "$STAGE/include/draco/"

{
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - started)) s by web/deps/build-wasm-deps.sh"
  echo "emcc $EMCC_VERSION"
  echo "cflags $C_FLAGS"
  echo "cxxflags $CXX_FLAGS"
  echo "assimp importers ${ASSIMP_IMPORTERS[*]}"
  for p in "${PACKAGES[@]}"; do echo "source $p ${BUILT_VERSION[$p]} (newest known ${NEWEST[$p]})"; done
  for p in "${HEADER_PACKAGES[@]}"; do echo "headers $p $(dpkg-query -W -f='${Version}' "$p")"; done
} >"$STAGE/BUILD-INFO"
mv "$LOG" "$STAGE/build.log"
mv -T "$STAGE" "$PREFIX"
say "built in $((SECONDS - started)) s: $PREFIX"
echo "$PREFIX"
