#!/usr/bin/env bash
# make bench: the whole public corpus through `thumbgen render --jobs 2` and, in the same run, through f3d
# (one process per file, one Xvfb), then the load-only pass. Prints medians per size class, throughput,
# peak RSS and the ratios. Needs ../shared/corpus.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS:-$root/../shared/corpus}
[ -f "$corpus/MANIFEST.tsv" ] || { echo "bench: no corpus at $corpus"; exit 1; }
work=$(mktemp -d /tmp/thumbgen-bench.XXXXXX)
trap 'kill ${xvfb_pid:-0} 2>/dev/null || true; rm -rf "$work"' EXIT

awk -F'\t' 'NR>1 && $1=="public" && $3!="" && $2 !~ /^tilt-raw-/ {print $2"\t"$3"\t"$5}' "$corpus/MANIFEST.tsv" \
  > "$work/entries.tsv"
cut -f2 "$work/entries.tsv" | sed "s|^|$corpus/|" > "$work/files.txt"
echo "bench: $(wc -l < "$work/files.txt") corpus files ($(nproc) cores)"

# 1. thumbgen
start=$(date +%s.%N)
mapfile -t files < "$work/files.txt"
/usr/bin/time -f '%M' -o "$work/thumbgen.rss" "$root/$build/thumbgen" render -o "$work/thumbgen-out" --jobs 2 \
  --json --force "${files[@]}" > "$work/thumbgen.jsonl" 2> "$work/thumbgen.log" || true
thumbgen_s=$(echo "$(date +%s.%N) - $start" | bc)

# 2. load only (parse + decode, no GL)
start=$(date +%s.%N)
"$root/$build/thumbgen_load_only" "${files[@]}" > "$work/load.tsv"
load_s=$(echo "$(date +%s.%N) - $start" | bc)

# 3. f3d, one process per file, one Xvfb
Xvfb :99 -screen 0 1280x720x24 >/dev/null 2>&1 & xvfb_pid=$!
sleep 1
: > "$work/f3d.tsv"
start=$(date +%s.%N)
for f in "${files[@]}"; do
  s=$(date +%s.%N)
  status=ok
  DISPLAY=:99 timeout 60 f3d --dry-run -sta --output="$work/f3d.png" --resolution=1280,720 "$f" \
    >/dev/null 2>&1 || status=failed
  [ -s "$work/f3d.png" ] || status=failed
  rm -f "$work/f3d.png"
  printf '%s\t%s\t%s\n' "$(echo "($(date +%s.%N) - $s)*1000" | bc)" "$status" "$f" >> "$work/f3d.tsv"
done
f3d_s=$(echo "$(date +%s.%N) - $start" | bc)

python3 "$root/bench/report.py" "$work" "$corpus" "$thumbgen_s" "$load_s" "$f3d_s"
# Encoding alone: a synthetic 1280x720 render in each output format (medians of 5).
"$root/$build/thumbgen_encode_times"
# The same thumbnails from the WebAssembly build in headless Chromium: SSIM against native (target >= 0.9).
bash "$root/bench/web_parity.sh" "$build" || echo "bench: web parity below target or incomplete (see above)"
# The Batch Thumbnail Generator page itself: thumbnails per minute and memory after 50 / 500 renders.
bash "$root/bench/web_generator.sh" "$build" || echo "bench: the web generator bench failed (see above)"

# The server part: 1M-asset catalogue, listing and upload throughput, RSS, slow clients; then the workers.
# RENDER_ONLY=1 stops after the renderer's figures.
[ -n "${RENDER_ONLY:-}" ] && exit 0
bash "$root/bench/server_bench.sh" "$build"
bash "$root/bench/worker_bench.sh" "$build"
