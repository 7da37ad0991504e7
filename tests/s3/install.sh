#!/usr/bin/env bash
# Installs the S3 test server (tests/s3/package-lock.json) once: ctest runs it before the S3 suites (the
# S3ServerInstall fixture), so a fresh clone needs nothing by hand. The npm registry is the only download.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null 2>&1 || { echo "S3 test server: node not found (run scripts/deps.sh)" >&2; exit 1; }
if [ ! -f node_modules/@20minutes/s3rver/package.json ]; then
  echo "S3 test server: installing @20minutes/s3rver (npm ci)"
  # s3rver 5 declares node >= 24; started through its API it runs on Debian's Node 20 (the tests show it).
  npm ci --no-audit --no-fund --loglevel=error --engine-strict=false
fi
