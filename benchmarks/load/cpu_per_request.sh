#!/usr/bin/env bash
# parley's CPU time per request on the JustAnswer path, next to req/s and p99: the figure
# that shows what a hot-path change bought on this shared 2-core VM, where req/s moves
# ±40 % between neighbouring runs but CPU per request stays within a few per cent.
#   benchmarks/load/cpu_per_request.sh        (DURATION=8 CONNECTIONS=64 ROUNDS=2)
#   KAFKA_PROPERTIES='{socket.nagle.disable: "true"}' benchmarks/load/cpu_per_request.sh
#   VARIANTS="before=/tmp/parley-before after=build/release/parley" \
#     benchmarks/load/cpu_per_request.sh      (changes side by side, rounds alternating)
#   VARIANTS="l0=build/release/parley l1=build/release/parley" PROPERTIES_l1='{linger.ms: "1"}' \
#     benchmarks/load/cpu_per_request.sh      (a variant's own kafka.properties: PROPERTIES_<name>)
# Per variant two parleys (role ingest, JustAnswer only): "kafka" against parley-devbroker (acks=all,
# the answer after the ack) and "spool only" with Kafka away (every answer fdatasync'ed to
# the spool). Rounds alternate between them; each line is one wrk run.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
duration=${DURATION:-8}
connections=${CONNECTIONS:-64}
rounds=${ROUNDS:-2}
work=$root/build/load-cpu
rm -rf "$work" && mkdir -p "$work"
export PARLEY_LOAD_DIR=$root/benchmarks/load

# shellcheck source=benchmarks/processes.sh
source "$root/benchmarks/processes.sh"
build_release

start_devbroker "$work/broker" --partitions 6

declare -A port pid
start_parley() {  # name port brokers spool_dir binary properties
  cat >"$work/$1.yaml" <<YAML
role: ingest
listen: 127.0.0.1:$2
admin_listen: 127.0.0.1:$(($2 + 1000))
kafka:
  brokers: "$3"
  properties: $6
sources:
  justanswer:
    webhook: {tokens: [bench-token]}
spool: {dir: "$4"}
YAML
  "$5" --config "$work/$1.yaml" 2>"$work/$1.log" &
  pid[$1]=$!; port[$1]=$2; pids+=("$!")
  wait_for "$work/$1.log" '"parley started"' 20
}
targets=()
next_port=18090
for variant in ${VARIANTS:-current=./build/release/parley}; do
  name=${variant%%=*} binary=${variant#*=}
  own_properties=PROPERTIES_${name//[^A-Za-z0-9_]/_}  # PROPERTIES_<name>, '-' read as '_'
  properties=${!own_properties:-${KAFKA_PROPERTIES:-\{\}}}
  start_parley "kafka_$name" "$next_port" "$bootstrap" "" "$binary" "$properties"
  wait_for "$work/kafka_$name.log" 'kafka reachable' 20
  # Nothing listens on port 1: Kafka is away, every answer comes from the spool.
  start_parley "spool_$name" "$((next_port + 1))" "127.0.0.1:1" "$work/spool-$name" "$binary" \
    "$properties"
  targets+=("kafka_$name" "spool_$name")
  next_port=$((next_port + 2))
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, in clock ticks
hz=$(getconf CLK_TCK)

printf '%-16s %10s %8s %8s %12s\n' target req/s p50_ms p99_ms cpu_us/req
for ((r = 0; r < rounds; r++)); do
  for name in "${targets[@]}"; do
    before=$(cpu_ticks "${pid[$name]}")
    json=$(wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s -s benchmarks/load/justanswer.lua \
      "http://127.0.0.1:${port[$name]}" | grep '^{' | tail -1)
    after=$(cpu_ticks "${pid[$name]}")
    python3 - "$name" "$json" "$((after - before))" "$hz" <<'PY'
import json, sys
name, r, ticks, hz = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ok = r["requests"] - r["non_2xx"]
print(f'{name:<16} {r["rps"]:>10,.0f} {r["p50_ms"]:>8.2f} {r["p99_ms"]:>8.2f} '
      f'{ticks / hz * 1e6 / max(ok, 1):>12.1f}' + (f'  ({r["non_2xx"]} non-2xx)' if r["non_2xx"] else ""))
PY
  done
done | tee "$work/runs.txt"
echo "median over $rounds rounds:"
python3 - "$work/runs.txt" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    if f and f[0] != "target":
        rows[f[0]].append([float(f[1].replace(",", "")), float(f[2]), float(f[3]), float(f[4])])
for name, runs in rows.items():
    m = [statistics.median(c) for c in zip(*runs)]
    print(f"{name:<16} {m[0]:>10,.0f} {m[1]:>8.2f} {m[2]:>8.2f} {m[3]:>12.1f}")
PY
sleep 6  # librdkafka's statistics (every 5 s) count the last requests
for name in "${targets[@]}"; do
  [[ $name == kafka_* ]] || continue
  read -r produced requests <<<"$(produce_counters $((port[$name] + 1000)))"
  python3 -c "print(f'{\"$name\":<16} records per Produce request: {$produced / max(1, $requests):.2f} ($produced records, $requests requests)')"
done
