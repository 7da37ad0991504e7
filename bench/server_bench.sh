#!/usr/bin/env bash
# make bench, server part: a generated 1M-asset SQLite catalogue behind `thumbgen serve`, then wrk against the
# missing-thumbnail listing and the upload pipeline, the server's peak RSS, and the listing again while 500 idle or
# trickling connections are held open. Every figure printed is measured here, next to its target.
#   bash bench/server_bench.sh [BUILD_DIR=build]     (ASSETS=N overrides the catalogue size, DURATION=s each run)
# While iterating: KEEP_DATA=DIR generates the catalogue into DIR once and reuses it afterwards (delete DIR to
# regenerate), and LISTING_ONLY=1 runs only the listing measurement (uploads would change a kept catalogue).
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
assets=${ASSETS:-1000000}
duration=${DURATION:-10}
thumbgen="$root/$build/thumbgen"
make_catalogue="$root/$build/thumbgen_make_catalogue"
for tool in "$thumbgen" "$make_catalogue" "$root/$build/thumbgen_upload_times" "$root/$build/thumbgen_password_times"; do
  [ -x "$tool" ] || { echo "server bench: $tool missing (cmake --build $build --target $(basename "$tool"))"; exit 1; }
done
command -v wrk >/dev/null || { echo "server bench: wrk missing (bash scripts/deps.sh --bench)"; exit 1; }

work=$(mktemp -d /tmp/thumbgen-server-bench.XXXXXX)
data="$work/data"
[ -n "${KEEP_DATA:-}" ] && data=$KEEP_DATA
cleanup() {
  [ -n "${holder_pid:-}" ] && kill "$holder_pid" 2>/dev/null || true
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== server bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== in process: upload validation of ordinary and hostile thumbnails, argon2id login costs (medians of 5)"
"$root/$build/thumbgen_upload_times"
"$root/$build/thumbgen_password_times"
if [ -n "${KEEP_DATA:-}" ] && [ -f "$data/catalogue.sqlite3" ]; then
  echo "reusing the catalogue in $data"
else
  "$make_catalogue" "$data" "$assets" bench bench-password
fi
"$make_catalogue" --upload-body "$work/upload.json"

# 500 slow clients from one address below: the per-address cap (128 by default) is lifted for them.
THUMBGEN_MAX_CONNECTIONS_PER_ADDRESS=1024 \
  "$thumbgen" serve --listen 127.0.0.1:0 --data "$data" --port-file "$work/port" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "server did not start:"; cat "$work/server.log"; exit 1; }
base="http://127.0.0.1:$(cat "$work/port")"
rss_kb() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$server_pid/status"; }
echo "server RSS after start: $(( $(rss_kb VmRSS) / 1024 )) MB"

token=$(curl -sf -X POST "$base/api/v1/login/jwt" -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"bench-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
listing="/api/v1/admin/assets/missing-thumbnails?limit=50"
cursor=$(curl -sf -H "Authorization: Bearer $token" "$base$listing&offset=5000" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')

# Listing: the first page, deep offsets, and the keyset cursor, in turn.
cat > "$work/list.lua" <<EOF
local paths = {"$listing", "$listing&offset=50", "$listing&offset=1000", "$listing&offset=5000",
               "$listing&after=$cursor", "$listing&viewer_compatible_only=false&offset=200"}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Authorization"] = "Bearer $token"})
end
EOF
# Uploads: a valid 1280x720 JPEG to a different asset each time (ids 1..assets).
cat > "$work/upload.lua" <<EOF
local body, counter = nil, 0
local headers = {["Authorization"] = "Bearer $token", ["Content-Type"] = "application/json"}
setup = function(thread) counter = counter + 1; thread:set("tid", counter) end
init = function(args)
  local f = io.open("$work/upload.json", "rb"); body = f:read("*a"); f:close()
  math.randomseed(os.time() * 10 + tid)
end
request = function()
  return wrk.format("POST", "/api/v1/admin/assets/" .. math.random(1, $assets) .. "/thumbnail", headers, body)
end
EOF

# run_wrk NAME CONNECTIONS SCRIPT: prints "req/s p99 non2xx".
run_wrk() {
  wrk -t2 -c"$2" -d"${DURATION_OVERRIDE:-$duration}s" --latency -s "$3" "$base" > "$work/$1.wrk" 2>&1 || true
  awk '/^Requests\/sec:/ {rps=$2} $1 == "99%" {p99=$2} /Non-2xx/ {bad=$NF} /Socket errors/ {err=$0}
       END {printf "%s %s %s\n", rps ? rps : 0, p99 ? p99 : "?", bad ? bad : 0}' "$work/$1.wrk"
}
check() {  # check VALUE OP TARGET → PASS/MISS
  if awk -v v="$1" -v t="$3" "BEGIN {exit !((v $2 t))}"; then echo PASS; else echo MISS; fi
}

echo "== missing-thumbnails listing (limit 50, $assets assets, 50 connections, ${duration}s)"
read -r list_rps list_p99 list_bad < <(run_wrk list 50 "$work/list.lua")
echo "listing: $list_rps req/s, p99 $list_p99, non-2xx $list_bad   [target >= 5000 req/s on 2 cores: $(check "$list_rps" '>=' 5000)]"
if [ -n "${LISTING_ONLY:-}" ]; then
  echo "server peak RSS (VmHWM): $(( $(rss_kb VmHWM) / 1024 )) MB; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

# A deep offset is an O(offset) index walk in SQLite: measured on its own (the cursor is the answer for deep pages).
cat > "$work/deep.lua" <<EOF
request = function()
  return wrk.format("GET", "$listing&offset=100000", {["Authorization"] = "Bearer $token"})
end
EOF
read -r deep_rps deep_p99 deep_bad < <(DURATION_OVERRIDE=5 run_wrk deep 50 "$work/deep.lua")
echo "listing at offset=100000: $deep_rps req/s, p99 $deep_p99, non-2xx $deep_bad   (for information: use the cursor)"

echo "== uploads (1280x720 JPEG, strict decode + re-encode + fsync, 8 connections, ${duration}s)"
read -r up_rps up_p99 up_bad < <(run_wrk upload 8 "$work/upload.lua")
echo "uploads: $up_rps validated uploads/s, p99 $up_p99, non-2xx $up_bad   [target >= 200/s: $(check "$up_rps" '>=' 200)]"
stored=$(find "$data/media" -name '*.jpg' | wc -l)
echo "thumbnails stored by the run: $stored"

hwm_mb=$(( $(rss_kb VmHWM) / 1024 ))
echo "server peak RSS (VmHWM) at $assets assets: $hwm_mb MB   [target <= 150 MB: $(check "$hwm_mb" '<=' 150)]"

echo "== listing while 500 slow clients hold connections (250 silent, 250 sending a header byte every 2 s)"
cat > "$work/hold.py" <<'EOF'
import socket, sys, time
port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
conns = []
for i in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    conns.append(s)
header = b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 1000
print(f"holding {len(conns)} connections", flush=True)
end, step = time.time() + seconds, 0
while time.time() < end:
    for s in conns[count // 2:]:
        try: s.send(header[step:step + 1])
        except OSError: pass
    step += 1
    time.sleep(2)
alive = 0
for s in conns:
    s.setblocking(False)
    try:
        alive += s.recv(1) != b""
    except BlockingIOError:
        alive += 1
    except OSError:
        pass
print(f"still open at the end: {alive}/{count}", flush=True)
EOF
python3 "$work/hold.py" "${base##*:}" 500 "$((duration + 2))" > "$work/hold.log" 2>&1 &
holder_pid=$!
sleep 1
read -r slow_rps slow_p99 slow_bad < <(run_wrk slow 50 "$work/list.lua")
wait "$holder_pid" || true
holder_pid=
cat "$work/hold.log"
ratio=$(awk -v a="$slow_rps" -v b="$list_rps" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
echo "listing with 500 slow clients: $slow_rps req/s (p99 $slow_p99, non-2xx $slow_bad) vs $list_rps without: x$ratio   [target: others still served: $(check "$slow_rps" '>' 0)]"
echo "server peak RSS after all runs: $(( $(rss_kb VmHWM) / 1024 )) MB; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
