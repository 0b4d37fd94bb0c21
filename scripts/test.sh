#!/usr/bin/env bash
# Sets up, builds (ASan + UBSan, warnings as errors) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan
