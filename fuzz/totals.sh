#!/usr/bin/env bash
# Per-target totals of every fuzz/run.sh run recorded in BUILD_DIR/fuzz/totals.tsv: seconds, executions, the highest
# coverage reached (cov/ft) and the runs that ended in a finding. Usage: fuzz/totals.sh [BUILD_DIR] (default build-fuzz).
set -euo pipefail
totals="${1:-build-fuzz}/fuzz/totals.tsv"
[ -f "$totals" ] || { echo "no runs recorded in $totals" >&2; exit 1; }
printf "%-10s %6s %8s %12s %8s %8s %8s\n" target runs seconds executions cov ft findings
awk -F'\t' '
  { seconds[$2] += $3; executions[$2] += $4; runs[$2]++
    if ($5 > cov[$2]) cov[$2] = $5
    if ($6 > ft[$2]) ft[$2] = $6
    if ($7 != "ok") findings[$2]++ }
  END {
    for (t in seconds) printf "%-10s %6d %8d %12d %8d %8d %8d\n", t, runs[t], seconds[t], executions[t], cov[t], ft[t], findings[t]
  }' "$totals" | sort
