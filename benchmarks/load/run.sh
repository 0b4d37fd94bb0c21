#!/usr/bin/env bash
# The load benchmark: parley (Release, real config) against a Kafka-protocol broker in its
# own process, and nginx answering a fixed 200 -- the machine's HTTP ceiling -- driven by
# the same wrk at the same concurrency, in one run. Then a broker outage under load, the
# spool, and the peers: a fastify + kafkajs relay (benchmarks/load/relay, npm) and a Go
# net/http + sarama relay (benchmarks/load/gorelay, Debian's golang-go and sarama, installed
# here: the benchmark's own setup, not the test command's).
#   benchmarks/load/run.sh            (DURATION=20 CONNECTIONS=64 by default)
# Prints a table and writes benchmarks/load/results/latest.json. Fails when any 2xx has no
# event on Kafka.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
duration=${DURATION:-20}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-2}
work=$root/build/load
mkdir -p "$work" benchmarks/load/results
export PARLEY_LOAD_DIR=$root/benchmarks/load

# shellcheck source=benchmarks/processes.sh
source "$root/benchmarks/processes.sh"
build_release

# 1. The broker, in its own process.
start_devbroker "$work/broker" --partitions 6

# 2. parley with a real config (every platform, deduplication on), in the ingest role that
# production runs (deploy/k8s: ingest and enrich are separate Deployments). Role "all" on
# these two shared cores would measure enrichment re-reading the events behind the load.
cat >"$work/parley.yaml" <<YAML
role: ingest
listen: 127.0.0.1:18080
admin_listen: 127.0.0.1:19464
log_level: info   # nothing is logged per accepted request at info
kafka:
  brokers: "$bootstrap"
dedupe:
  window_seconds: 2   # the pre-signed TalkJS pool repeats after ~50k requests
sources:
  justanswer:
    webhook: {tokens: [bench-token]}
  cao:
    webhook: {api_keys: [bench-cao-key]}
  talkjs:
    webhook: {secret_keys: [bench-talkjs-secret]}
    api: {app_id: bench}
YAML
./build/release/parley --config "$work/parley.yaml" 2>"$work/parley.log" &
parley_pid=$!; pids+=("$parley_pid")
wait_for "$work/parley.log" 'kafka reachable' 20
wait_for "$work/parley.log" '"parley started"' 20

# 3. nginx answering a fixed 200, with as many workers as parley has I/O threads.
cat >"$work/nginx.conf" <<NGINX
worker_processes $(nproc);
pid $work/nginx.pid;
error_log $work/nginx.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $work/nginx-body;
  server {
    listen 127.0.0.1:18081;
    location / { return 200 '{"status":true,"message":""}'; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' &
pids+=("$!")
until curl -s -o /dev/null http://127.0.0.1:18081/; do sleep 0.1; done

# 4. Pre-signed TalkJS deliveries (distinct event ids).
python3 - "$work/talkjs.tsv" <<'PY'
import hashlib, hmac, sys, time
ts = str(int(time.time()))
with open(sys.argv[1], "w") as out:
    for i in range(50000):
        body = ('{"id":"evt_%d","createdAt":1732185600000,"type":"message.sent","data":{'
                '"sender":{"id":"8029","name":"Bob","role":"seller"},'
                '"conversation":{"id":"conv_%d","subject":"Order"},'
                '"message":{"id":"msg_%d","conversationId":"conv_%d","senderId":"8029",'
                '"text":"Hello Alice!","type":"UserMessage","createdAt":1732185600000}}}') % (i, i % 10007, i, i % 10007)
        sig = hmac.new(b"bench-talkjs-secret", (ts + "." + body).encode(), hashlib.sha256).hexdigest().upper()
        out.write(ts + "\t" + sig + "\t" + body + "\n")
PY
export PARLEY_TALKJS_BODIES=$work/talkjs.tsv

run_wrk() {  # name url script seconds
  wrk -t"$wrk_threads" -c"$connections" -d"$4s" --timeout 10s -s "benchmarks/load/$3" "$2" \
    | grep '^{' | tail -1
}

echo "warming up..."
run_wrk warmup http://127.0.0.1:18081 nginx.lua 3 >/dev/null
warmup=$(run_wrk warmup http://127.0.0.1:18080 justanswer.lua 3)

declare -A result
result[nginx]=$(run_wrk nginx http://127.0.0.1:18081 nginx.lua "$duration")
# nginx again under the very script parley's rows use: wrk builds each JustAnswer request in
# Lua, which costs wrk (on the same two cores) more than nginx.lua's fixed request.
result[nginx_same_script]=$(run_wrk nginx_same_script http://127.0.0.1:18081 justanswer.lua "$duration")
# librdkafka's statistics come every 5 s: wait for a fresh count on both sides of the run.
sleep 6
read -r produced_before requests_before <<<"$(produce_counters 19464)"
result[justanswer]=$(run_wrk justanswer http://127.0.0.1:18080 justanswer.lua "$duration")
sleep 6
read -r produced_after requests_after <<<"$(produce_counters 19464)"
parley_records_per_request=$(python3 -c "print(round(($produced_after - $produced_before) / max(1, $requests_after - $requests_before), 2))")
result[cao]=$(run_wrk cao http://127.0.0.1:18080 cao.lua "$duration")
result[talkjs]=$(run_wrk talkjs http://127.0.0.1:18080 talkjs.lua "$duration")
peak_rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$parley_pid/status")

# 5. Every 2xx must be an event on Kafka: accepted answers == records on the topic
# (duplicates are 2xx for an event already there).
count_topic() {
  local total=0 p n
  for p in 0 1 2 3 4 5; do
    n=$(kcat -b "$bootstrap" -Q -t "parley.events.v1:$p:-1" 2>/dev/null | awk '{print $NF}')
    total=$((total + n))
  done
  echo "$total"
}
on_kafka=$(count_topic)
metrics=$(curl -s http://127.0.0.1:19464/metrics)
accepted=$(echo "$metrics" | awk '/^parley_webhooks_received_total\{outcome="accepted"/ {s += $2} END {printf "%d", s}')
duplicates=$(echo "$metrics" | awk '/^parley_webhooks_received_total\{outcome="duplicate"/ {s += $2} END {printf "%d", s}')

# 6. The broker goes away for 10 s under load, then comes back.
outage_log=$work/outage.txt
( sleep 10; kill -USR1 "$broker_pid"; sleep 10; kill -USR2 "$broker_pid" ) &
wrk -t"$wrk_threads" -c"$connections" -d30s --timeout 10s -s benchmarks/load/outage.lua \
  http://127.0.0.1:18080 >"$outage_log" &
outage_wrk=$!
outage_peak_kb=0
while kill -0 "$outage_wrk" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$parley_pid/status")
  [ "$rss" -gt "$outage_peak_kb" ] && outage_peak_kb=$rss
  sleep 0.5
done

# 7. The spool (docs/operations.md, "Spool"): JustAnswer with the spool on and Kafka up, then
# with Kafka away (every answer from the spool, fdatasync'ed). Fresh spool dirs on this disk.
start_spool_parley() {  # name port admin_port brokers [spool dir, "" = off]
  local dir=${5-$work/spool-$1}
  rm -rf "$work/spool-$1"
  cat >"$work/$1.yaml" <<YAML
role: ingest
listen: 127.0.0.1:$2
admin_listen: 127.0.0.1:$3
kafka:
  brokers: "$4"
  instance_id: ""
sources:
  justanswer:
    webhook: {tokens: [bench-token]}
spool: {dir: "$dir"}
YAML
  ./build/release/parley --config "$work/$1.yaml" 2>"$work/$1.log" &
  pids+=("$!")
  wait_for "$work/$1.log" '"parley started"' 20
}
metric_sum() {  # admin_port name-and-labels-prefix
  curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" 'index($0, m) == 1 {s += $2} END {printf "%d", s}'
}
kill -USR2 "$broker_pid" 2>/dev/null || true   # the outage run ends with the broker up
# The same JustAnswer-only config without the spool, for the side-by-side figure.
start_spool_parley spool_off 18084 19467 "$bootstrap" ""
wait_for "$work/spool_off.log" 'kafka reachable' 20
run_wrk warmup http://127.0.0.1:18084 justanswer.lua 2 >/dev/null
result[spool_off]=$(run_wrk spool_off http://127.0.0.1:18084 justanswer.lua "$duration")
start_spool_parley spool_on 18082 19465 "$bootstrap"
wait_for "$work/spool_on.log" 'kafka reachable' 20
run_wrk warmup http://127.0.0.1:18082 justanswer.lua 2 >/dev/null
result[spool_on]=$(run_wrk spool_on http://127.0.0.1:18082 justanswer.lua "$duration")
spool_on_appended=$(metric_sum 19465 parley_spool_appended_total)
start_spool_parley spool_only 18083 19466 "127.0.0.1:1"   # nothing listens: Kafka is away
result[spool_only]=$(run_wrk spool_only http://127.0.0.1:18083 justanswer.lua "$duration")
spool_only_durable=$(metric_sum 19466 parley_spool_appended_total)
spool_only_spooled=$(metric_sum 19466 'parley_webhooks_received_total{outcome="spooled"')

# 8. The peer: the afternoon relay (fastify + kafkajs, acks=-1, answer after send) against a
# broker of its own, same wrk, same JustAnswer requests.
(cd benchmarks/load/relay && { [ -d node_modules ] || npm ci --no-audit --no-fund --silent; })
# From here $bootstrap is the relay's broker; parley's runs are over.
start_devbroker "$work/relay-broker" --partitions 6 --topic relay.events.v1
node benchmarks/load/relay/relay.js "$bootstrap" 18085 >"$work/relay.out" 2>"$work/relay.err" &
pids+=("$!")
wait_for "$work/relay.out" 'relay listening' 30
run_wrk warmup http://127.0.0.1:18085 justanswer.lua 3 >/dev/null
result[relay]=$(run_wrk relay http://127.0.0.1:18085 justanswer.lua "$duration")

# 9. The Go peer: net/http + sarama SyncProducer (acks=all, Version 0.11), its own broker.
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/Shopify/sarama ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    golang-go golang-github-shopify-sarama-dev >/dev/null
fi
if ! (cd benchmarks/load/gorelay && GO111MODULE=off GOPATH=/usr/share/gocode \
  GOCACHE="$work/gocache" go build -o "$work/gorelay" . 2>"$work/gorelay-build.log"); then
  echo "the Go peer did not build:" >&2
  cat "$work/gorelay-build.log" >&2
  exit 1
fi
start_devbroker "$work/gorelay-broker" --partitions 6 --topic relay.events.v1
"$work/gorelay" "$bootstrap" 18086 relay.events.v1 >"$work/gorelay.out" 2>"$work/gorelay.err" &
pids+=("$!")
wait_for "$work/gorelay.err" 'relay listening' 30
run_wrk warmup http://127.0.0.1:18086 justanswer.lua 3 >/dev/null
go_stats_before=$(curl -s http://127.0.0.1:18086/stats)
result[gorelay]=$(run_wrk gorelay http://127.0.0.1:18086 justanswer.lua "$duration")
go_stats_after=$(curl -s http://127.0.0.1:18086/stats)

python3 - "$work" "$peak_rss_kb" "$outage_peak_kb" "$on_kafka" "$accepted" "$duplicates" \
  "${result[nginx]}" "${result[justanswer]}" "${result[cao]}" "${result[talkjs]}" "$warmup" \
  "${result[spool_on]}" "${result[spool_only]}" "$spool_on_appended" "$spool_only_durable" \
  "$spool_only_spooled" "${result[spool_off]}" "${result[relay]}" "${result[nginx_same_script]}" \
  "${result[gorelay]}" "$go_stats_before" "$go_stats_after" "$parley_records_per_request" <<'PY'
import json, sys, re, datetime
work, peak, outage_peak, on_kafka, accepted, duplicates = sys.argv[1:7]
runs = dict(zip(["nginx", "justanswer", "cao", "talkjs"], map(json.loads, sys.argv[7:11])))
warmup = json.loads(sys.argv[11])
spool_runs = dict(zip(["spool_on", "spool_only"], map(json.loads, sys.argv[12:14])))
spool_on_appended, spool_only_durable, spool_only_spooled = map(int, sys.argv[14:17])
spool_runs = {"spool_off": json.loads(sys.argv[17]), **spool_runs}
relay = json.loads(sys.argv[18])
nginx_same_script = json.loads(sys.argv[19])
gorelay = json.loads(sys.argv[20])
go_before, go_after = json.loads(sys.argv[21]), json.loads(sys.argv[22])
parley_records_per_request = float(sys.argv[23])
go_requests = go_after["produce_requests"] - go_before["produce_requests"]
go_records_per_request = (gorelay["requests"] - gorelay["non_2xx"]) / max(1, go_requests)
ceiling = runs["nginx"]["rps"]
print(f"{'target':<11} {'req/s':>9} {'x nginx':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'non-2xx':>8} {'sock err':>8}")
for name, r in runs.items():
    print(f"{name:<11} {r['rps']:>9.0f} {r['rps']/ceiling:>8.2f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['p999_ms']:>9.2f} {r['non_2xx']:>8} {r['socket_errors']:>8}")
for name, r in spool_runs.items():
    print(f"{name:<11} {r['rps']:>9.0f} {r['rps']/ceiling:>8.2f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['p999_ms']:>9.2f} {r['non_2xx']:>8} {r['socket_errors']:>8}")
for name, r in [("nginx, justanswer.lua", nginx_same_script)]:
    print(f"{name:<11} {r['rps']:>9.0f} {r['rps']/ceiling:>8.2f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['p999_ms']:>9.2f} {r['non_2xx']:>8} {r['socket_errors']:>8}")
print("x nginx under the same script: " + ", ".join(
    f"{n} {r['rps'] / nginx_same_script['rps']:.2f}" for n, r in [*runs.items(), *spool_runs.items()]
    if n != "nginx"))
r = relay
print(f"{'relay':<11} {r['rps']:>9.0f} {r['rps']/ceiling:>8.2f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['p999_ms']:>9.2f} {r['non_2xx']:>8} {r['socket_errors']:>8}")
print(f"parley JustAnswer / relay: {runs['justanswer']['rps'] / relay['rps']:.1f}x "
      "(relay = fastify + kafkajs, acks=-1, answer after send)")
r = gorelay
print(f"{'go relay':<11} {r['rps']:>9.0f} {r['rps']/ceiling:>8.2f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['p999_ms']:>9.2f} {r['non_2xx']:>8} {r['socket_errors']:>8}")
best_peer = max(relay["rps"], gorelay["rps"])
print(f"parley JustAnswer / best peer relay: {runs['justanswer']['rps'] / best_peer:.2f}x "
      "(go relay = net/http + sarama SyncProducer, acks=all)")
print(f"records per Produce request: parley {parley_records_per_request:.2f} "
      f"(librdkafka statistics over the JustAnswer run), go relay {go_records_per_request:.2f} "
      f"(its 2xx / sarama's records-per-request count over its run)")
spool_only_2xx = spool_runs["spool_only"]["requests"] - spool_runs["spool_only"]["non_2xx"]
print(f"spool on, Kafka up: {spool_on_appended} events went to the spool; "
      f"spool only: {spool_only_2xx} 2xx answers, {spool_only_spooled} counted spooled, "
      f"{spool_only_durable} fdatasync'ed in the spool")
two_xx = sum(r["requests"] - r["non_2xx"] for n, r in runs.items() if n != "nginx")
two_xx += warmup["requests"] - warmup["non_2xx"]  # the JustAnswer warm-up published too
print(f"parley peak RSS: {int(peak)/1024:.1f} MB; 2xx answers: {two_xx}; accepted: {accepted}; "
      f"duplicates: {duplicates}; events on Kafka: {on_kafka}")
outage = {}
for line in open(f"{work}/outage.txt"):
    m = re.match(r"second:status (\d+):(\d+) (\d+)", line)
    if m:
        outage.setdefault(int(m.group(1)), {})[m.group(2)] = int(m.group(3))
print("broker outage (down at ~10 s, up at ~20 s): second -> answers by status")
for second in sorted(outage):
    print(f"  {second:>3}s " + " ".join(f"{k}:{v}" for k, v in sorted(outage[second].items())))
print(f"parley peak RSS during the outage run: {int(outage_peak)/1024:.1f} MB")
report = {"when": datetime.datetime.utcnow().isoformat() + "Z", "runs": runs,
          "ratio_to_nginx": {n: r["rps"] / ceiling for n, r in runs.items()},
          "peak_rss_mb": int(peak) / 1024, "outage_peak_rss_mb": int(outage_peak) / 1024,
          "two_xx": two_xx, "accepted": int(accepted), "duplicates": int(duplicates),
          "events_on_kafka": int(on_kafka), "outage_per_second": outage,
          "spool_runs": spool_runs,
          "spool_ratio_to_nginx": {n: r["rps"] / ceiling for n, r in spool_runs.items()},
          "spool_only_2xx": spool_only_2xx, "spool_only_durable": spool_only_durable,
          "relay": relay, "parley_over_relay": runs["justanswer"]["rps"] / relay["rps"],
          "gorelay": gorelay, "parley_over_best_peer": runs["justanswer"]["rps"] / best_peer,
          "records_per_produce_request": {"parley": parley_records_per_request,
                                          "gorelay": go_records_per_request},
          "nginx_same_script": nginx_same_script,
          "ratio_to_nginx_same_script": {n: r["rps"] / nginx_same_script["rps"]
                                         for n, r in [*runs.items(), *spool_runs.items()]}}
json.dump(report, open("benchmarks/load/results/latest.json", "w"), indent=2)
# wrk counts a request cut off at the end of a run as an error, not a 2xx, yet parley may
# have published it: so on the topic >= 2xx answers, and accepted <= on the topic. More on
# the topic than accepted is at-least-once at work (the mock broker does not deduplicate an
# idempotent producer's retried batch, which a real broker does): reported, not a failure.
extra = int(on_kafka) - int(accepted)
if extra > 0:
    print(f"{extra} record(s) on the topic beyond the accepted answers (a repeat, same id)")
if extra < 0 or two_xx > int(accepted) + int(duplicates):
    print("FAIL: some 2xx answers have no event on Kafka", file=sys.stderr)
    sys.exit(1)
if spool_only_2xx > spool_only_durable:
    print("FAIL: some spool-only 2xx answers are not in the spool", file=sys.stderr)
    sys.exit(1)
PY
