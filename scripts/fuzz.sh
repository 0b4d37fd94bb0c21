#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for SECONDS (default 60)
# from its seed corpus in tests/fuzz/corpus/<target>, as many at once as there are cores
# (libFuzzer uses one). A finding fails the run and leaves the crashing input in
# build/fuzz/artifacts/: turn it into a unit test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

mkdir -p build/fuzz/artifacts

# Runs one target; its verdict goes to build/fuzz/<target>.verdict, printed in order below.
fuzz_one() {
  local binary=$1 target work log verdict
  target=$(basename "$binary")
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/${target#fuzz_}/." "$work/"
  log="build/fuzz/$target.log"
  verdict="build/fuzz/$target.verdict"
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="build/fuzz/artifacts/$target-" "$work" >"$log" 2>&1; then
    runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' || echo '?')
    echo "fuzz: $target ran ${seconds}s, $runs runs, no finding" >"$verdict"
  else
    { echo "fuzz: $target FOUND A PROBLEM (see $log and build/fuzz/artifacts/)"
      tail -40 "$log"; } >"$verdict"
  fi
  rm -rf "$work"
}

binaries=(build/fuzz/tests/fuzz/fuzz_*)
rm -f build/fuzz/*.verdict
for binary in "${binaries[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
  fuzz_one "$binary" &
done
wait

status=0
for binary in "${binaries[@]}"; do
  verdict="build/fuzz/$(basename "$binary").verdict"
  if [ ! -f "$verdict" ]; then
    echo "fuzz: $(basename "$binary") gave no verdict" && status=1
    continue
  fi
  cat "$verdict"
  if grep -q 'FOUND A PROBLEM' "$verdict"; then status=1; fi
done
exit $status
