#!/usr/bin/env bash
# Sets up, builds (ASan + UBSan, warnings as errors), lints (shellcheck, clang-tidy), runs the
# whole test suite (and prints how many records and answers it held to the published contracts),
# then fuzzes every webhook parser for 60 s each (clang libFuzzer, ASan + UBSan).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset asan >/dev/null
cmake --build --preset asan
./scripts/lint.sh
rm -f build/asan/contracts-tally.log
ctest --preset asan
node tools/contracts/validate.mjs tally build/asan/contracts-tally.log
./scripts/fuzz.sh "${PARLEY_FUZZ_SECONDS:-60}"
