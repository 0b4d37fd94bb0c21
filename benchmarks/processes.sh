# Sourced by the benchmark scripts: child processes stopped on exit, and waiting for a line.
# shellcheck shell=bash

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() {  # file pattern seconds
  local deadline=$((SECONDS + $3))
  until grep -q "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1; }
    sleep 0.1  # polling a log file for a start-up line
  done
}

build_release() {  # parley and parley-devbroker, Release, after the project's own setup
  ./scripts/setup.sh >/dev/null
  cmake --preset release >/dev/null
  cmake --build --preset release --target parley parley-devbroker >/dev/null
}

produce_counters() {  # admin_port: "<events produced> <produce requests>" from parley's metrics
  curl -s "http://127.0.0.1:$1/metrics" | awk '
    /^parley_kafka_produced_total\{topic="parley.events.v1"\}/ {p = $2}
    /^parley_kafka_produce_requests_total / {r = $2}
    END {printf "%d %d", p, r}'
}

start_devbroker() {  # out_prefix [parley-devbroker flags]; sets broker_pid and bootstrap
  local out=$1
  shift
  ./build/release/parley-devbroker "$@" >"$out.out" 2>"$out.err" &
  broker_pid=$!
  pids+=("$broker_pid")
  wait_for "$out.out" '^bootstrap=' 10
  # shellcheck disable=SC2034  # read by the scripts that source this file
  bootstrap=$(sed -n 's/^bootstrap=//p' "$out.out")
}
