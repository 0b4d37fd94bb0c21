#!/usr/bin/env bash
# The house checks that are not tests: shellcheck on every shell script, clang-tidy (the set in
# .clang-tidy, warnings as errors) on every source file of src/ with the asan build's compile
# database. Zero findings or exit 1. Run by scripts/test.sh after the build.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
shellcheck -x "${scripts[@]}"
echo "lint: shellcheck: ${#scripts[@]} scripts, no findings"

[ -f build/asan/compile_commands.json ] || { echo "lint: build the asan preset first" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
files=$(git ls-files 'src/*.cpp' | wc -l)
if ! run-clang-tidy-14 -p build/asan -j "$(nproc)" -quiet "$PWD/src/" >"$log" 2>&1; then
  grep -E '(warning|error): ' "$log" | sort -u >&2 || tail -n 40 "$log" >&2
  echo "lint: clang-tidy found problems (checks: .clang-tidy)" >&2
  exit 1
fi
echo "lint: clang-tidy: $files files of src/, no findings"
