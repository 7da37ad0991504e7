#!/usr/bin/env bash
# Runs the libFuzzer targets one after another, each for SECONDS, and prints one line per target: seconds, executions,
# coverage (libFuzzer's cov/ft) and the outcome. Usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...] (default: all).
#
# Corpora live in the build folder, never in the repository: BUILD_DIR/fuzz/corpus/TARGET grows from run to run; the
# seeds are gathered afresh each run from fuzz/seeds/TARGET, the tests' and examples' small files and, when it exists,
# ../shared/corpus. A crash leaves its input in BUILD_DIR/fuzz/artifacts/TARGET/ and makes the script fail.
# Each run appends its figures to BUILD_DIR/fuzz/totals.tsv (the per-target totals: fuzz/totals.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
all_targets=(gltf2 gltf1 obj ply spz dot_splat ksplat sog vox tilt upload jwt http assimp)
targets=("${all_targets[@]}")
[ $# -gt 0 ] && targets=("$@")
work="$build/fuzz"
shared_corpus=../shared/corpus
source_folders=(tests/data web/fixtures examples)
[ -d "$shared_corpus" ] && source_folders+=("$shared_corpus")

# Longest input per target: large enough for the seeds that matter, small enough to keep executions fast.
max_len() {
  case "$1" in
    jwt | http) echo 16384 ;;
    obj | gltf1 | vox | spz | dot_splat | ksplat) echo 65536 ;;
    *) echo 131072 ;;
  esac
}

# Files under the source folders whose names end in one of the given extensions (any case), at most LIMIT bytes.
files_with() {
  local limit=$1
  shift
  local patterns=()
  for ext in "$@"; do patterns+=(-o -iname "*.$ext"); done
  find "${source_folders[@]}" -type f -size -"$((limit + 1))"c \( -false "${patterns[@]}" \) 2>/dev/null | sort
}

# Copies FILE into the seed folder, PREFIX (printf format) first, and SIDE (a file, optional) after the side marker.
add_seed() {
  local folder=$1 file=$2 prefix=${3:-} side=${4:-}
  local out
  out="$folder/$(printf '%s' "$file" | md5sum | cut -c1-16)"
  {
    [ -n "$prefix" ] && printf "$prefix"
    cat "$file"
    if [ -n "$side" ]; then
      printf '\n--side--\n'
      cat "$side"
    fi
  } >"$out"
}

# The first file with extension EXT in FILE's folder (the .bin of a .gltf, the .mtl of an .obj).
sibling() { find "$(dirname "$1")" -maxdepth 1 -type f -iname "*.$2" 2>/dev/null | sort | head -n 1; }

gather_seeds() {
  local target=$1 folder=$2 limit
  limit=$(max_len "$target")
  rm -rf "$folder" && mkdir -p "$folder"
  [ -d "fuzz/seeds/$target" ] && cp fuzz/seeds/"$target"/* "$folder"/
  local file
  case "$target" in
    gltf2 | gltf1)
      while read -r file; do add_seed "$folder" "$file"; done < <(files_with "$limit" glb)
      while read -r file; do add_seed "$folder" "$file" "" "$(sibling "$file" bin)"; done < <(files_with "$limit" gltf)
      ;;
    obj) while read -r file; do add_seed "$folder" "$file" "" "$(sibling "$file" mtl)"; done < <(files_with "$limit" obj) ;;
    ply | spz | vox | ksplat | sog)
      while read -r file; do add_seed "$folder" "$file"; done < <(files_with "$limit" "$target")
      ;;
    tilt) while read -r file; do add_seed "$folder" "$file" '\x00'; done < <(files_with "$limit" tilt) ;;
    dot_splat) while read -r file; do add_seed "$folder" "$file"; done < <(files_with "$limit" splat) ;;
    upload)  # mode 3: the image, base64-encoded behind a data-URL prefix, re-encoded as JPEG
      while read -r file; do add_seed "$folder" "$file" '\x03'; done < <(files_with 65536 png jpg jpeg)
      ;;
    assimp)  # the first byte picks the format (fuzz/assimp_fuzzer.cpp)
      while read -r file; do add_seed "$folder" "$file" '\x00' "$(sibling "$file" mtl)"; done < <(files_with "$limit" obj)
      while read -r file; do add_seed "$folder" "$file" '\x01'; done < <(files_with "$limit" stl)
      while read -r file; do add_seed "$folder" "$file" '\x02'; done < <(files_with "$limit" ply)
      while read -r file; do add_seed "$folder" "$file" '\x03' "$(sibling "$file" bin)"; done < <(files_with "$limit" gltf)
      ;;
  esac
}

dictionary_of() {
  case "$1" in
    gltf2 | gltf1 | sog | tilt) echo fuzz/dict/gltf.dict ;;
    obj) echo fuzz/dict/obj.dict ;;
    ply) echo fuzz/dict/ply.dict ;;
    http) echo fuzz/dict/http.dict ;;
    jwt) echo fuzz/dict/jwt.dict ;;
  esac
}

failed=0
mkdir -p "$work"
printf '%-10s %8s %12s %8s %8s  %s\n' target seconds executions cov ft outcome
for target in "${targets[@]}"; do
  binary="$build/fuzz/${target}_fuzzer"
  if [ ! -x "$binary" ]; then
    echo "fuzz: $binary is missing (build it: cmake --build $build --target fuzzers)" >&2
    failed=1
    continue
  fi
  corpus="$work/corpus/$target" seeds="$work/seeds/$target" artifacts="$work/artifacts/$target/" log="$work/logs/$target.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  gather_seeds "$target" "$seeds"
  options=(-max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=30 -rss_limit_mb=2560
           -print_final_stats=1 -artifact_prefix="$artifacts")
  dictionary=$(dictionary_of "$target")
  [ -n "$dictionary" ] && options+=(-dict="$dictionary")
  start=$SECONDS
  # Leaks inside the uninstrumented assimp are assimp's: the assimp target does not look for leaks.
  leaks=1
  if [ "$target" = assimp ]; then
    leaks=0
    options+=(-detect_leaks=0)
  fi
  ASAN_OPTIONS="detect_leaks=$leaks:allocator_may_return_null=0" UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$binary" "${options[@]}" "$corpus" "$seeds" >"$log" 2>&1
  status=$?
  elapsed=$((SECONDS - start))
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  coverage=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$coverage")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$coverage")
  outcome=ok
  if [ $status -ne 0 ]; then
    outcome="CRASH (exit $status): $(ls -t "$artifacts" | head -n 1), log $log"
    # assimp's own crashes are reported (fuzz/third-party), not fixed here: they do not fail the run.
    if [ "$target" = assimp ]; then outcome="$outcome (inside assimp: report it, see fuzz/third-party)"; else failed=1; fi
  fi
  printf '%-10s %8s %12s %8s %8s  %s\n' "$target" "$elapsed" "${executions:-?}" "${cov:-?}" "${ft:-?}" "$outcome"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$elapsed" "${executions:-0}" "${cov:-0}" \
    "${ft:-0}" "$outcome" >>"$work/totals.tsv"
done
exit $failed
