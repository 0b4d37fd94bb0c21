#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for SECONDS (default 60)
# from its seed corpus in tests/fuzz/corpus/<target>. A finding fails the run and leaves the
# crashing input in build/fuzz/artifacts/: turn it into a unit test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

mkdir -p build/fuzz/artifacts
status=0
for binary in build/fuzz/tests/fuzz/fuzz_*; do
  target=$(basename "$binary")
  name=${target#fuzz_}
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$name/." "$work/"
  log="build/fuzz/$target.log"
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="build/fuzz/artifacts/$target-" "$work" >"$log" 2>&1; then
    runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' || echo '?')
    echo "fuzz: $target ran ${seconds}s, $runs runs, no finding"
  else
    echo "fuzz: $target FOUND A PROBLEM (see $log and build/fuzz/artifacts/)"
    tail -40 "$log"
    status=1
  fi
  rm -rf "$work"
done
exit $status
