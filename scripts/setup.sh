#!/usr/bin/env bash
# Installs the Debian 12 packages parley builds, tests and runs with.
# Idempotent: apt-get runs only when a package is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git curl clang libclang-rt-14-dev
  libboost1.81-dev libsimdjson-dev librdkafka-dev prometheus-cpp-dev
  libssl-dev libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  kcat
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
