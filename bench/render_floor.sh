#!/usr/bin/env bash
# How fast could software GL render the corpus at all? Builds thumbgen once more with bench/render_floor.patch
# (meshes drawn in a flat colour, no lighting, no edge smoothing: useless thumbnails, the same loading, texture
# uploads, splats, read-back and encoding) and times `render --jobs 2` over the public corpus with both builds,
# alternating, next to f3d in the same invocation. It tells whether a speed target is out of reach of the
# rasteriser itself, whatever the shading costs.  Usage: bash bench/render_floor.sh [BUILD]   (needs ../shared/corpus)
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS:-$root/../shared/corpus}
rounds=${ROUNDS:-3}
[ -f "$corpus/MANIFEST.tsv" ] || { echo "render_floor: no corpus at $corpus"; exit 1; }
[ -x "$root/$build/thumbgen" ] || { echo "render_floor: build $build first (make build)"; exit 1; }
work=$(mktemp -d /tmp/thumbgen-floor.XXXXXX)
trap 'kill ${xvfb_pid:-0} 2>/dev/null || true; git -C "$root" worktree remove --force "$work/src" 2>/dev/null || true; rm -rf "$work"' EXIT

# The floor build: this commit plus the patch, in a worktree of its own (ccache shares the unchanged objects).
git -C "$root" worktree add --detach --quiet "$work/src" HEAD
git -C "$work/src" apply "$root/bench/render_floor.patch"
echo "render_floor: building the flat-colour variant"
# Paths relative to the worktree in ccache's hashes: a second run reuses the first one's objects.
export CCACHE_BASEDIR="$work/src" CCACHE_NOHASHDIR=1
cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$work/build" --target thumbgen -j "$(nproc)" >/dev/null

awk -F'\t' 'NR>1 && $1=="public" && $3!="" && $2 !~ /^tilt-raw-/ {print $3}' "$corpus/MANIFEST.tsv" |
  sed "s|^|$corpus/|" > "$work/files.txt"
mapfile -t files < "$work/files.txt"
echo "render_floor: ${#files[@]} corpus files, $(nproc) cores, best of $rounds runs each"

# Prints the wall seconds of one `render --jobs 2` over the corpus with the given binary; its JSON records go to
# the file named second.
time_render() {
  local start
  rm -rf "$work/out"
  start=$(date +%s.%N)
  "$1" render -o "$work/out" --jobs 2 --force --json "${files[@]}" > "$2" 2>/dev/null || true
  echo "$(date +%s.%N) - $start" | bc
}
# Summed per-asset milliseconds of the thumbnails rendered in a JSON record file.
summed_ms() {
  python3 -c 'import json, sys
records = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{\"file\"")]
print(sum(r["ms"] for r in records if r["status"] == "ok"))' "$1"
}
"$root/$build/thumbgen" render -o "$work/out" --jobs 2 --force "${files[@]}" > /dev/null 2>&1 || true  # disk caches
"$work/build/thumbgen" render -o "$work/out" --jobs 2 --force "${files[@]}" > /dev/null 2>&1 || true  # shader cache
real_best=999 floor_best=999
for _ in $(seq "$rounds"); do
  real=$(time_render "$root/$build/thumbgen" "$work/real.jsonl")
  floor=$(time_render "$work/build/thumbgen" "$work/floor.jsonl")
  printf '  thumbgen %.2f s   flat-colour floor %.2f s\n' "$real" "$floor"
  real_best=$(echo "if ($real < $real_best) $real else $real_best" | bc)
  floor_best=$(echo "if ($floor < $floor_best) $floor else $floor_best" | bc)
done

# f3d, one process per file, one Xvfb: the peer the 30x target is measured against.
Xvfb :99 -screen 0 1280x720x24 >/dev/null 2>&1 & xvfb_pid=$!
sleep 1
start=$(date +%s.%N)
for f in "${files[@]}"; do
  # In a subshell of its own, so that f3d crashing on a file (it does on some) is not reported by this shell.
  (DISPLAY=:99 timeout 60 f3d --dry-run -sta --output="$work/f3d.png" --resolution=1280,720 "$f" || true) >/dev/null 2>&1
  rm -f "$work/f3d.png"
done
f3d_s=$(echo "$(date +%s.%N) - $start" | bc)

# The load-only pass (parse + decode, no GL, one process), as in `make bench`.
load_ms=$("$root/$build/thumbgen_load_only" "${files[@]}" | awk -F'\t' '$1 == "total" {print $2}')
over_load() { echo "100 * ($(summed_ms "$1") / $load_ms - 1)" | bc -l; }

printf 'f3d: %.1f s; load-only pass: %.2f s\n' "$f3d_s" "$(echo "$load_ms / 1000" | bc -l)"
printf 'thumbgen render --jobs 2:          %.2f s = %.1fx f3d (target >= 30x), summed per-asset time %.0f %% above load-only (target <= 50 %%)\n' \
  "$real_best" "$(echo "$f3d_s / $real_best" | bc -l)" "$(over_load "$work/real.jsonl")"
printf 'flat colour, no smoothing (floor): %.2f s = %.1fx f3d, summed per-asset time %.0f %% above load-only\n' \
  "$floor_best" "$(echo "$f3d_s / $floor_best" | bc -l)" "$(over_load "$work/floor.jsonl")"
