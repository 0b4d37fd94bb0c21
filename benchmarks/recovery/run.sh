#!/usr/bin/env bash
# How fast enrichment recovers from a crash and from a rolling restart (the 10 s target of
# docs/operations.md, "Consumer groups"), measured with nothing else running: the recovery
# integration tests, each REPEAT times, on the ASan build the test command builds. The tests
# themselves only fail a far larger wait, since ctest runs them beside other tests.
#   benchmarks/recovery/run.sh            (REPEAT=3 TARGET_MS=10000 BUILD=build/asan)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build/asan}
repeat=${REPEAT:-3}
target_ms=${TARGET_MS:-10000}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

./scripts/setup.sh >/dev/null
[ -d "$build" ] || cmake --preset "$(basename "$build")" >/dev/null
cmake --build "$build" --target integration_tests parley parley-sim >/dev/null
"$build/tests/integration_tests" --gtest_filter='EnrichRecovery.*' --gtest_repeat="$repeat" \
  | tee "$log" | grep -E '^\[ (measured|  FAILED|       OK) \]'

# "... enriched 7.19 s after the restart" and "... longest wait for enrichment 6393 ms".
awk -v target="$target_ms" '
  /\[ measured \]/ {
    if (match($0, /enriched [0-9.]+ s after/)) { split(substr($0, RSTART, RLENGTH), w, " "); ms = w[2] * 1000 }
    else if (match($0, /enrichment [0-9]+ ms/)) { split(substr($0, RSTART, RLENGTH), w, " "); ms = w[2] }
    else next
    kind = $0; sub(/^\[ measured \] /, "", kind); sub(/:.*/, "", kind)
    n[kind]++; sum[kind] += ms; if (ms > worst[kind]) worst[kind] = ms
  }
  END {
    for (k in n)
      printf "%-55s runs %d  mean %6.0f ms  worst %6.0f ms  %s\n", k, n[k], sum[k] / n[k], worst[k],
             worst[k] <= target ? "within " target " ms" : "OVER " target " ms"
  }' "$log"
