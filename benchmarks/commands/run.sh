#!/usr/bin/env bash
# Commands per second through the executor, and the p99 from command to result, against
# parley-sim answering every call after LATENCY_MS (a platform's send API), at 1 conversation
# (every command waits for the one before: DESIGN.md's per-key order) and at many.
# Release build; parley-devbroker as Kafka in its own process; commands put on the commands
# topic with kcat, results read back from the results topic with kcat. Latency per command =
# its result's CreateTime - its command's CreateTime (both stamped by their producers).
#   benchmarks/commands/run.sh        (ONE=300 MANY=3000 CONVERSATIONS=200 LATENCY_MS=20)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
one=${ONE:-300}
many=${MANY:-3000}
conversations=${CONVERSATIONS:-200}
latency_ms=${LATENCY_MS:-20}
work=$(mktemp -d)
# shellcheck source=benchmarks/processes.sh
source "$root/benchmarks/processes.sh"

build_release
cmake --build --preset release --target parley-sim >/dev/null
topic_flags=()
for topic in parley.events.v1 parley.enriched.v1 parley.deadletter.v1 parley.directly.watches.v1 \
             parley.commands.v1 parley.command-results.v1 parley.command-journal.v1; do
  topic_flags+=(--topic "$topic")
done
start_devbroker "$work/broker" --partitions 6 "${topic_flags[@]}"

./build/release/parley-sim serve --listen 127.0.0.1:0 --latency-ms "$latency_ms" \
  >"$work/sim.out" 2>"$work/sim.err" &
pids+=("$!")
wait_for "$work/sim.out" '^listening=' 10
sim=$(sed -n 's/^listening=//p' "$work/sim.out")

cat >"$work/parley.yaml" <<YAML
listen: 127.0.0.1:0
admin_listen: 127.0.0.1:0
log_level: info
kafka: {brokers: "$bootstrap", instance_id: ""}
sources:
  cao:
    webhook: {api_keys: [bench-cao-key]}
    api: {base_url: "http://$sim", api_key: dev-cao-key}
enrich: {enabled: false}
commands: {concurrency: 64}
YAML
./build/release/parley --config "$work/parley.yaml" 2>"$work/parley.log" &
pids+=("$!")
wait_for "$work/parley.log" 'command journal loaded' 60

# run NAME COUNT CONVERSATIONS: puts COUNT message.send commands spread over CONVERSATIONS
# CAO visits on the topic at once, waits for every result, prints rate and latencies.
run() {
  local name=$1 count=$2 spread=$3 input="$work/$1.commands"
  : >"$input"
  for ((n = 0; n < count; n++)); do
    local visit=$((700000 + n % spread))
    printf 'cao:%s\t{"specversion":"1.0","id":"%s-%d","source":"/bench","type":"parley.command.message.send","subject":"%d","data":{"source":"cao","text":"bench %d"}}\n' \
      "$visit" "$name" "$n" "$visit" "$n" >>"$input"
  done
  kcat -b "$bootstrap" -P -t parley.commands.v1 -K $'\t' -l "$input"
  local deadline=$((SECONDS + 300))
  until [ "$(kcat -b "$bootstrap" -C -t parley.command-results.v1 -e -q -f '%s\n' 2>/dev/null | grep -c "\"id\":\"$name-")" -ge "$count" ]; do
    [ $SECONDS -lt $deadline ] || { echo "$name: results missing after 300 s" >&2; exit 1; }
    sleep 0.5  # polling the results topic for completion
  done
  kcat -b "$bootstrap" -C -t parley.commands.v1 -e -q -f '%T %s\n' | grep "\"id\":\"$name-" >"$work/$name.sent"
  kcat -b "$bootstrap" -C -t parley.command-results.v1 -e -q -f '%T %s\n' | grep "\"id\":\"$name-" >"$work/$name.results"
  python3 - "$name" "$count" "$spread" "$work/$name.sent" "$work/$name.results" <<'PY'
import json, sys
name, count, spread, sent_file, results_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def read(path, strip):
    out = {}
    for line in open(path):
        ts, value = line.split(" ", 1)
        event = json.loads(value)
        out[event["id"][: -len(strip)] if strip else event["id"]] = (int(ts), event)
    return out
sent, results = read(sent_file, ""), read(results_file, ":result")
latencies = sorted(results[i][0] - sent[i][0] for i in sent)
ok = sum(1 for i in results if results[i][1]["type"] == "parley.command.succeeded")
span = (max(t for t, _ in results.values()) - min(t for t, _ in sent.values())) / 1000
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(f"{name}: {count} commands over {spread} conversation(s): {count / span:.0f} commands/s, "
      f"p50 {pick(0.5)} ms, p99 {pick(0.99)} ms, max {latencies[-1]} ms, succeeded {ok}/{count}")
PY
}

echo "platform latency ${latency_ms} ms (parley-sim --latency-ms), executor concurrency 64 per source" >&2
run one "$one" 1
run many "$many" "$conversations"
writes=$(curl -s "http://$sim/_sim/writes?route=send-message" | grep -o '"committed":true' | wc -l)
echo "writes at parley-sim: $writes for $((one + many)) commands"
