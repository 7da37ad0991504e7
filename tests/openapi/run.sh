#!/usr/bin/env bash
# The OpenAPI document's checks (ctest: OpenApiRoutes): installs the validator and ajv once (npm ci, from
# tests/openapi/package-lock.json; the npm registry is the only download), then runs openapi.test.mjs, which validates
# src/server/openapi.json as OpenAPI 3.1 and calls every documented route of a real `thumbgen serve` on loopback.
# Usage: bash tests/openapi/run.sh [path/to/thumbgen]   (default: build/thumbgen)
set -euo pipefail
binary="$(realpath -m "${1:-build/thumbgen}")"
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"
command -v node >/dev/null 2>&1 || { echo "openapi test: node not found (run scripts/deps.sh)" >&2; exit 1; }
[ -x "$binary" ] || { echo "openapi test: $binary not found (make build)" >&2; exit 1; }
if [ ! -f node_modules/@seriousme/openapi-schema-validator/package.json ] || [ ! -f node_modules/ajv/package.json ]; then
  echo "openapi test: installing the validator and ajv (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
THUMBGEN="$binary" THUMBGEN_SOURCE_DIR="$root" \
  node --test --test-concurrency=1 --test-reporter=spec openapi.test.mjs
