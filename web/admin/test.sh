#!/usr/bin/env bash
# Browser tests of the admin web app against a real `thumbgen serve` on loopback: builds the front end into
# <build>/admin, type-checks it (tsc --noEmit), starts the server on a free port with a temporary data folder (the
# examples imported, a staff and a non-staff user), and runs web/admin/tests/*.test.mjs with node --test
# (playwright-core driving Debian's chromium, headless). Screenshots of each page go to <build>/admin-screenshots/.
# Usage: bash web/admin/test.sh [build-dir] [web-build-dir]   (defaults: build, <build-dir>-web)
#        ADMIN_TESTS="web/admin/tests/assets.test.mjs" runs only those test files.
set -euo pipefail

cd "$(dirname "$0")/../.."
BUILD_DIR="${1:-build}"
WEB_BUILD_DIR="${2:-$BUILD_DIR-web}"
THUMBGEN="$BUILD_DIR/thumbgen"
ADMIN_DIR="$BUILD_DIR/admin"
SCREENSHOTS="$BUILD_DIR/admin-screenshots"

fail() {
  echo "admin test: $1" >&2
  exit 1
}

[ -x "$THUMBGEN" ] || fail "$THUMBGEN not found (make build)"
[ -s "$WEB_BUILD_DIR/web/thumbgen_wasm.wasm" ] || fail "$WEB_BUILD_DIR/web has no WASM build (make web)"
command -v node >/dev/null 2>&1 || fail "node not found (run scripts/deps.sh)"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || fail "$CHROMIUM not found (run scripts/deps.sh)"
export CHROMIUM

bash web/admin/build.sh "$WEB_BUILD_DIR" "$ADMIN_DIR" || fail "front end build failed"
(cd web/admin && node_modules/.bin/tsc --noEmit -p .) || fail "tsc --noEmit found errors"
echo "admin test: tsc --noEmit clean"

work="$(mktemp -d "${TMPDIR:-/tmp}/thumbgen-admin-test.XXXXXX")"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

data="$work/data"
"$THUMBGEN" import examples --data "$data" >"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; fail "import failed"; }
staff_password="staff-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
plain_password="plain-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$staff_password" | "$THUMBGEN" user add admin-test --staff --data "$data" >/dev/null
printf '%s\n' "$plain_password" | "$THUMBGEN" user add plain-test --data "$data" >/dev/null

# A low failure limit lets the rate-limit test reach 429 quickly (it uses a user name of its own); a short token
# life makes the app renew its token during the tests (about 10 s after each login).
: >"$work/serve.log" # exists before the poll below reads it (the background job opens it only when it starts)
THUMBGEN_ADMIN_DIR="$(cd "$ADMIN_DIR" && pwd)" THUMBGEN_LOGIN_MAX_FAILURES=3 THUMBGEN_TOKEN_TTL=70 \
  "$THUMBGEN" serve --listen 127.0.0.1:0 --data "$data" >"$work/serve.log" 2>&1 &
server=$!
address=""
for _ in $(seq 1 200); do
  address="$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$work/serve.log" | head -n 1)"
  [ -n "$address" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; fail "thumbgen serve did not start"; }
  sleep 0.05
done
[ -n "$address" ] || { cat "$work/serve.log" >&2; fail "thumbgen serve did not say where it listens"; }

# Fail fast, with the reason, when this server does not serve the admin pages.
node -e '
  fetch(process.argv[1]).then(async (r) => {
    const text = await r.text();
    if (r.status !== 200 || !text.includes("/admin/assets/")) {
      console.error(`GET ${process.argv[1]}: ${r.status}, not the built index.html`);
      process.exit(1);
    }
  }).catch((e) => { console.error(String(e)); process.exit(1); });' "http://$address/admin/" ||
  fail "thumbgen serve does not answer the admin pages from THUMBGEN_ADMIN_DIR=$ADMIN_DIR"

rm -rf "$SCREENSHOTS"
status=0
# The generator tests start servers of their own (generated models): they take the binary and the build from here.
THUMBGEN="$THUMBGEN" ADMIN_DIR="$ADMIN_DIR" \
ADMIN_BASE_URL="http://$address" ADMIN_SCREENSHOTS="$SCREENSHOTS" \
  ADMIN_STAFF_USER=admin-test ADMIN_STAFF_PASSWORD="$staff_password" \
  ADMIN_PLAIN_USER=plain-test ADMIN_PLAIN_PASSWORD="$plain_password" \
  node --test --test-concurrency=1 --test-reporter=spec ${ADMIN_TESTS:-web/admin/tests/} || status=$?
if [ "$status" -ne 0 ]; then
  echo "admin test: FAILED; the server's log:" >&2
  tail -n 40 "$work/serve.log" >&2
  exit "$status"
fi
echo "admin test: ok (screenshots in $SCREENSHOTS)"
