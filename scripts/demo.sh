#!/usr/bin/env bash
# `make demo`: renders the example models in examples/ into ./thumbnails/ with every CPU core.
# Usage: bash scripts/demo.sh BUILD_DIR
set -euo pipefail

build="${1:-build}"
thumbgen="$build/thumbgen"
cd "$(dirname "$0")/.."

if [ ! -x "$thumbgen" ]; then
  echo "demo: $thumbgen not found; build first (make build)" >&2
  exit 2
fi
if [ -z "$(find examples -type f ! -name '.*' ! -name 'README*' 2>/dev/null | head -n 1)" ]; then
  echo "demo: examples/ has no models yet; put some model files there (or run: $thumbgen render MODELS -o thumbnails)" >&2
  exit 2
fi

status=0
"$thumbgen" render examples -o thumbnails --jobs "$(nproc)" || status=$?
echo
echo "Thumbnails are in $(pwd)/thumbnails/ ($(find thumbnails -type f | wc -l) files)."
[ "$status" -eq 1 ] && echo "Some models failed; their reasons are listed above (FAIL lines)."
exit "$status"
