#!/usr/bin/env bash
# `make demo`: the whole job twice.
#  1. `thumbgen render examples -o thumbnails`: files in, thumbnails out (no server).
#  2. The server round trip: `thumbgen import` the examples into ./demo-data, create a staff user, start
#     `thumbgen serve`, and let `thumbgen work` render and upload every missing thumbnail through the API.
#  3. The admin web app (built by `make web` into BUILD_DIR/admin, beside the binary) on that server: the script ends
#     by printing its URL and the demo login, and keeps serving until Ctrl-C while stdin is a terminal (in CI or
#     without a terminal the server stops and the script exits).
# Usage: bash scripts/demo.sh BUILD_DIR     (DEMO_PORT=8080 by default)
set -euo pipefail

build="${1:-build}"
cd "$(dirname "$0")/.."
thumbgen="$build/thumbgen"
port="${DEMO_PORT:-8080}"
url="http://127.0.0.1:$port"
data=./demo-data

if [ ! -x "$thumbgen" ]; then
  echo "demo: $thumbgen not found; build first (make build)" >&2
  exit 2
fi
if [ -z "$(find examples -type f ! -name '.*' ! -name 'README*' 2>/dev/null | head -n 1)" ]; then
  echo "demo: examples/ has no models yet; put some model files there (or run: $thumbgen render MODELS -o thumbnails)" >&2
  exit 2
fi

echo "== 1. thumbgen render examples -o thumbnails"
render_status=0
"$thumbgen" render examples -o thumbnails --jobs "$(nproc)" || render_status=$?
echo "Thumbnails are in $(pwd)/thumbnails/ ($(find thumbnails -type f | wc -l) files)."
[ "$render_status" -eq 1 ] && echo "Some models failed; their reasons are listed above (FAIL lines)."

echo
echo "== 2. thumbgen serve + thumbgen work"
rm -rf "$data"  # a fresh catalogue each time: every example is missing its thumbnail
"$thumbgen" import examples --data "$data"
password="demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" | "$thumbgen" user add demo --staff --data "$data" >/dev/null
echo "Staff user: demo / $password"

"$thumbgen" serve --listen "127.0.0.1:$port" --data "$data" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break  # listening (no curl needed)
  if ! kill -0 "$server" 2>/dev/null; then
    echo "demo: thumbgen serve did not start (port $port taken? set DEMO_PORT):" >&2
    cat "$data/serve.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "Server: $url (log: $data/serve.log)"

work_status=0
THUMBGEN_PASSWORD="$password" "$thumbgen" work --server "$url" --user demo --once --json \
  --cache "$data/worker-cache" >"$data/work.jsonl" || work_status=$?
echo
echo "Thumbnails uploaded by thumbgen work:"
sed -n 's/.*"file":"\([^"]*\)".*"status":"ok".*"output":"\([^"]*\)".*/  \1  \2/p' "$data/work.jsonl"
grep '"status":"failed"' "$data/work.jsonl" | sed 's/^/  FAILED /' || true
grep '"summary"' "$data/work.jsonl" | sed 's/^/Summary: /'

status=$render_status
[ "$work_status" -gt "$status" ] && status=$work_status

echo
echo "== 3. the admin pages"
if [ -s "$build/admin/index.html" ]; then
  echo "Admin pages: $build/admin (Assets, Batch Thumbnail Generator; \"Regenerate\" re-renders what the worker made)"
else
  echo "Admin pages: not built ($build/admin/index.html missing: run make web); /admin/ says how to build them"
fi
echo "Open $url/admin/ — user demo, password $password"
if [ -t 0 ] && [ -z "${CI:-}" ]; then
  echo "Serving until Ctrl-C (log: $data/serve.log)."
  wait "$server" || true
  exit 0
fi
exit "$status"
