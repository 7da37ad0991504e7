#!/usr/bin/env bash
# make bench, worker part (issue 4): a catalogue of COUNT assets (the examples/ models imported once, their rows
# then repeated under new ids and urls with the sqlite3 CLI) behind `thumbgen serve`, processed on loopback by one
# `thumbgen work` with --jobs JOBS, then by two with --jobs JOBS/2 each (the same render processes in all).
# The baseline, in the same run: `thumbgen render --jobs JOBS` on COUNT files (the same models, linked COUNT times).
# Prints thumbnails/s, the overhead over render, the workers' peak RSS and duplicate renders, next to the targets.
#   bash bench/worker_bench.sh [BUILD_DIR=build]     (COUNT=N assets, default 10000; JOBS=N, default nproc;
#                                                     WORK_ARGS="--batch 100" adds options to `thumbgen work`)
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
count=${COUNT:-10000}
jobs=${JOBS:-$(nproc)}
half=$(( jobs / 2 > 0 ? jobs / 2 : 1 ))
thumbgen="$root/$build/thumbgen"
[ -x "$thumbgen" ] || { echo "worker bench: $thumbgen missing (cmake --build $build --target thumbgen)"; exit 1; }
command -v sqlite3 >/dev/null || { echo "worker bench: sqlite3 missing (apt-get install sqlite3)"; exit 1; }

work=$(mktemp -d /tmp/thumbgen-worker-bench.XXXXXX)
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=
}
trap 'stop_server; rm -rf "$root/$build/worker-bench-files"; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
now() { date +%s.%N; }
check() {  # check VALUE OP TARGET → PASS/MISS
  if awk -v v="$1" -v t="$3" "BEGIN {exit !((v $2 t))}"; then echo PASS; else echo MISS; fi
}

echo "== worker bench: $count assets, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# The catalogue template: the examples imported once, then repeated up to COUNT assets (same files, new ids).
template="$work/template"
"$thumbgen" import "$root/examples" --data "$template" > /dev/null
printf '%s\n' bench-password | "$thumbgen" user add bench --staff --data "$template" > /dev/null
imported=$(sqlite3 "$template/catalogue.sqlite3" "SELECT count(*) FROM assets")
sqlite3 "$template/catalogue.sqlite3" <<SQL
BEGIN;
CREATE TEMP TABLE originals AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM assets;
CREATE TEMP TABLE copies (i INTEGER PRIMARY KEY, url TEXT NOT NULL, original INTEGER NOT NULL);
WITH RECURSIVE n(i) AS (SELECT (SELECT count(*) FROM originals) + 1 UNION ALL SELECT i + 1 FROM n WHERE i < $count)
INSERT INTO copies SELECT n.i, o.url || '-' || n.i, o.id FROM n
  JOIN originals o ON o.k = (n.i - 1) % (SELECT count(*) FROM originals);
INSERT INTO assets (url, name, owner_displayname, visibility, state, license, camera, presentation_params,
                    created_at, updated_at, is_viewer_compatible, files_root, files_verified)
  SELECT c.url, o.name || ' ' || c.i, o.owner_displayname, o.visibility, o.state, o.license, o.camera,
         o.presentation_params, o.created_at, o.updated_at, o.is_viewer_compatible, o.files_root, o.files_verified
  FROM copies c JOIN originals o ON o.id = c.original ORDER BY c.i;
INSERT INTO formats (asset_id, format_type, root_resource, is_preferred_for_gallery_viewer)
  SELECT a.id, f.format_type, f.root_resource, f.is_preferred_for_gallery_viewer
  FROM copies c JOIN assets a ON a.url = c.url JOIN formats f ON f.asset_id = c.original ORDER BY a.id, f.id;
INSERT INTO resources (format_id, path, content_type)
  SELECT nf.id, r.path, r.content_type
  FROM copies c JOIN assets a ON a.url = c.url JOIN formats f ON f.asset_id = c.original
  JOIN formats nf ON nf.asset_id = a.id AND nf.format_type = f.format_type JOIN resources r ON r.format_id = f.id;
COMMIT;
SQL
assets=$(sqlite3 "$template/catalogue.sqlite3" "SELECT count(*) FROM assets")
queued=$(sqlite3 "$template/catalogue.sqlite3" "SELECT count(*) FROM thumbnail_jobs WHERE state = 'queued'")
echo "catalogue: $assets assets, $queued jobs queued"

# Baseline: `thumbgen render` on COUNT files, the same models repeated (one folder per round: the OBJ finds its MTL).
mapfile -t models < <(sqlite3 "$template/catalogue.sqlite3" \
  "SELECT a.files_root || '/' || f.root_resource FROM assets a JOIN formats f ON f.asset_id = a.id
   WHERE a.id <= $imported AND f.is_preferred_for_gallery_viewer = 1 ORDER BY a.id")
# Hard links where the filesystem allows (render refuses symlinks that lead out of the model folder), else copies.
copies="$root/$build/worker-bench-files"
rm -rf "$copies"
files=()
for (( i = 0; i < count; i++ )); do
  round="$copies/$(( i / ${#models[@]} ))"
  model=${models[$(( i % ${#models[@]} ))]}
  if [ ! -d "$round" ]; then
    mkdir -p "$round"
    cp -l "$(dirname "$model")"/* "$round"/ 2>/dev/null || cp "$(dirname "$model")"/* "$round"/
  fi
  files+=("$round/$(basename "$model")")
done
start=$(now)
/usr/bin/time -f '%M' -o "$work/render.rss" "$thumbgen" render -o "$work/render-out" --jobs "$jobs" --force --json \
  "${files[@]}" > "$work/render.jsonl" 2> "$work/render.log" || true
render_s=$(echo "$(now) - $start" | bc)
render_ok=$(grep -c '"status":"ok"' "$work/render.jsonl" || true)
rm -rf "$work/render-out"
render_rate=$(awk -v n="$render_ok" -v s="$render_s" 'BEGIN {printf "%.1f", n / s}')
echo "render --jobs $jobs: $render_ok/$count thumbnails in ${render_s}s = $render_rate/s, peak RSS $(( $(tail -1 "$work/render.rss") / 1024 )) MB"

# run_workers NAME WORKERS JOBS_EACH: a fresh copy of the catalogue, one server, WORKERS workers until the queue is
# empty. Prints the figures.
run_workers() {
  local name=$1 workers=$2 each=$3 data="$work/$1-data"
  cp -r "$template" "$data"
  "$thumbgen" serve --listen 127.0.0.1:0 --data "$data" --port-file "$work/$name.port" > "$work/$name-server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 200); do [ -s "$work/$name.port" ] && break; sleep 0.1; done
  [ -s "$work/$name.port" ] || { echo "server did not start:"; cat "$work/$name-server.log"; exit 1; }
  local url="http://127.0.0.1:$(cat "$work/$name.port")" pids=() w
  start=$(now)
  # Rasterising inline in each render process whenever there are several, as `render --jobs N>1` and a single
  # `work --jobs N>1` do by themselves: otherwise two workers with --jobs 1 would each use every core.
  local environment=(THUMBGEN_PASSWORD=bench-password)
  if [ "$jobs" -gt 1 ]; then environment+=(LP_NUM_THREADS=0); fi
  for (( w = 1; w <= workers; w++ )); do
    env "${environment[@]}" /usr/bin/time -f '%M' -o "$work/$name-$w.rss" \
      "$thumbgen" work --server "$url" --user bench --once --jobs "$each" ${WORK_ARGS:-} --cache "$work/$name-cache-$w" --json \
      > "$work/$name-$w.jsonl" 2> "$work/$name-$w.log" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  local seconds ok failed rss duplicates stale stored
  seconds=$(echo "$(now) - $start" | bc)
  # The server shares the machine: its CPU time (mostly the strict decode + re-encode of every upload) is part of
  # the end-to-end cost.
  local server_cpu
  server_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$server_pid/stat")
  stop_server
  ok=$(cat "$work/$name"-*.jsonl | grep -c '"status":"ok"' || true)
  failed=$(cat "$work/$name"-*.jsonl | grep -c '"status":"failed"' || true)
  rss=$(for f in "$work/$name"-*.rss; do tail -1 "$f"; done | sort -n | tail -1)
  # A duplicate render: a job completed more than once, or a completion refused as stale (rendered for nothing).
  duplicates=$(grep -o 'path=/api/v1/admin/thumbnail-jobs/[0-9]*/complete status=200 ' "$work/$name-server.log" |
    sort | uniq -c | awk '$1 > 1 {d += $1 - 1} END {print d + 0}')
  stale=$(grep -c 'path=/api/v1/admin/thumbnail-jobs/[0-9]*/complete status=409 ' "$work/$name-server.log" || true)
  stored=$(sqlite3 "$data/catalogue.sqlite3" "SELECT count(*) FROM assets WHERE thumbnail IS NOT NULL")
  local rate overhead
  rate=$(awk -v n="$ok" -v s="$seconds" 'BEGIN {printf "%.1f", n / s}')
  overhead=$(awk -v w="$seconds" -v r="$render_s" -v n="$ok" -v m="$render_ok" \
    'BEGIN {printf "%.1f", ((w / (n > 0 ? n : 1)) / (r / (m > 0 ? m : 1)) - 1) * 100}')
  echo "$workers worker(s) x --jobs $each: $ok ok, $failed failed, $stored thumbnails stored in ${seconds}s = $rate/s"
  echo "  overhead over render (per thumbnail): ${overhead}%   [target <= 15 %: $(check "$overhead" '<=' 15)]"
  echo "  server CPU: ${server_cpu}s ($(awk -v c="$server_cpu" -v n="$ok" 'BEGIN {printf "%.1f", c * 1000 / (n > 0 ? n : 1)}') ms per thumbnail)"
  echo "  worker peak RSS (largest process): $(( rss / 1024 )) MB   [target <= 400 MB: $(check "$(( rss / 1024 ))" '<=' 400)]"
  echo "  duplicate renders: $duplicates completed twice, $stale refused as stale   [target 0: $(check "$(( duplicates + stale ))" '==' 0)]"
  rm -rf "$data" "$work/$name"-cache-*
}

run_workers one 1 "$jobs"
run_workers two 2 "$half"
echo "worker bench done; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
