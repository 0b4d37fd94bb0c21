#!/usr/bin/env bash
# Installs the Debian 12 packages parley builds, tests and runs with, and the pinned npm
# validators of its published contracts (tools/contracts, package-lock.json).
# Idempotent: apt-get runs only when a package is missing, npm only when the lock changed.
#   scripts/setup.sh              install everything (build + test + tools)
#   scripts/setup.sh --list build print one group's packages (build|test), install nothing
set -euo pipefail

# What compiling parley needs (the Dockerfile's build stage installs exactly these).
build_packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libsimdjson-dev librdkafka-dev prometheus-cpp-dev libssl-dev libyaml-cpp-dev
  liblz4-dev libgoogle-perftools-dev
)
# What the tests, fuzzing, benchmarks and checks add.
test_packages=(
  clang libclang-rt-14-dev libgtest-dev libgmock-dev libbenchmark-dev
  curl kcat prometheus wrk nginx-light shellcheck clang-tidy strace
)

if [ "${1:-}" = "--list" ]; then
  case "${2:-}" in
    build) printf '%s\n' "${build_packages[@]}" ;;
    test) printf '%s\n' "${test_packages[@]}" ;;
    *) echo "usage: $0 --list build|test" >&2; exit 2 ;;
  esac
  exit 0
fi

packages=("${build_packages[@]}" "${test_packages[@]}")
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done


if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The contract validators run on the machine's Node.js (>= 20: @asyncapi/parser's
# dependencies need it; Debian 12's own nodejs is 18).
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || ! command -v npm >/dev/null; then
  echo "setup: the contract validators need Node.js >= 20 with npm (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
# npm ci installs exactly the locked versions; it runs again only when the lock changed.
contracts="$(dirname "$0")/../tools/contracts"
if ! cmp -s "$contracts/package-lock.json" "$contracts/node_modules/.package-lock.json.installed"; then
  echo "setup: installing the contract validators (tools/contracts/package-lock.json)"
  npm ci --prefix "$contracts" --ignore-scripts --no-audit --no-fund --loglevel=error
  cp "$contracts/package-lock.json" "$contracts/node_modules/.package-lock.json.installed"
fi
