#!/usr/bin/env bash
# The .sog / .ksplat loaders against the real writers (web/splat_writer_parity.mjs): the npm packages
# @playcanvas/splat-transform and @mkkellogg/gaussian-splats-3d convert a generated PLY, `thumbgen render` draws each.
# Usage: bash web/splat-parity.sh <thumbgen binary> [artifact dir (kept)]
set -euo pipefail

cd "$(dirname "$0")/.."
THUMBGEN="${1:-build/thumbgen}"
[ -x "$THUMBGEN" ] || { echo "splat writer parity: $THUMBGEN not found (build first)" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "splat writer parity: node not found (run scripts/deps.sh)" >&2; exit 1; }
if [ ! -f web/node_modules/@playcanvas/splat-transform/package.json ] ||
    [ ! -f web/node_modules/@mkkellogg/gaussian-splats-3d/package.json ]; then
  echo "splat writer parity: installing the writers (npm ci in web/)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error) || { echo "splat writer parity: npm ci failed" >&2; exit 1; }
fi
ARTIFACTS="${2:-}"
if [ -z "$ARTIFACTS" ]; then  # no folder asked for: a temporary one, removed afterwards
  ARTIFACTS=$(mktemp -d)
  trap 'rm -rf "$ARTIFACTS"' EXIT
fi
# three warns that the library require()s it: noise, not a finding.
NODE_OPTIONS="${NODE_OPTIONS:-} --no-deprecation" node web/splat_writer_parity.mjs "$THUMBGEN" "$ARTIFACTS"
