#!/usr/bin/env bash
# What polling costs: QUESTIONS watched Directly questions (default 1000) against
# parley-sim for DURATION seconds (default 60), CHANGES of them (default 10) answered
# halfway. Prints the polls parley made by result next to the changes it published.
# Uses the Release build, the embedded broker, and the default poll settings except
# max_requests_per_second (RATE, default 250: the default 50 is sized for a real quota).
set -euo pipefail
cd "$(dirname "$0")/../.."

QUESTIONS=${QUESTIONS:-1000}
DURATION=${DURATION:-60}
CHANGES=${CHANGES:-10}
RATE=${RATE:-250}
PORT=${PORT:-18080}
ADMIN=${ADMIN:-19464}
SIM=${SIM:-18090}

cmake --preset release >/dev/null
cmake --build --preset release --target parley parley-sim >/dev/null

work=$(mktemp -d)
cleanup() {
  kill "${parley_pid:-}" "${sim_pid:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

./build/release/parley-sim --listen "127.0.0.1:$SIM" >"$work/sim.log" 2>&1 &
sim_pid=$!
cat >"$work/parley.yaml" <<YAML
listen: 127.0.0.1:$PORT
admin_listen: 127.0.0.1:$ADMIN
log_level: warn
enrich: {enabled: false}
sources:
  directly:
    watch: {tokens: [bench-token]}
    api: {base_url: "http://127.0.0.1:$SIM", client_id: dev-directly-client, client_secret: dev-directly-secret}
    poll: {max_requests_per_second: $RATE}
YAML
./build/release/parley --config "$work/parley.yaml" 2>"$work/parley.log" &
parley_pid=$!

metric() {  # the value of one series of parley's /metrics, 0 when absent
  curl -s "127.0.0.1:$ADMIN/metrics" | awk -v s="$1" '$1 == s {print $2; found=1} END {if (!found) print 0}'
}
wait_for() {  # wait_for <seconds> <command...>: until the command succeeds
  local limit=$1; shift
  for _ in $(seq $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  echo "gave up waiting for: $*" >&2; return 1
}
ready() { curl -sf "127.0.0.1:$ADMIN/readyz" >/dev/null; }
uuid() { printf '5a1e0000-0000-4000-8000-%012d' "$1"; }
events() { metric 'parley_kafka_produced_total{topic="parley.events.v1"}'; }
initial_published() { [ "$(events)" -ge $((2 * QUESTIONS)) ]; }

wait_for 60 ready
for i in $(seq 1 "$QUESTIONS"); do
  printf '{"uuid":"%s"}\n' "$(uuid "$i")"
done | xargs -d '\n' -P 8 -I{} curl -sf -o /dev/null -X POST "127.0.0.1:$PORT/v1/directly/watches" \
  -H 'X-Parley-Token: bench-token' -H 'Content-Type: application/json' -d '{}'
# Watching publishes each question once as it stands: its text and its state.
wait_for 120 initial_published

polls() { metric "parley_directly_polls_total{result=\"$1\"}"; }
snapshot() {
  echo "$(polls not_modified) $(polls unchanged) $(polls changed) $(polls error) $(events)"
}
read -r nm0 un0 ch0 er0 ev0 <<<"$(snapshot)"
sleep $((DURATION / 2))  # the measurement window, not a synchronization
for i in $(seq 1 "$CHANGES"); do
  curl -sf -o /dev/null -X POST "127.0.0.1:$SIM/_sim/directly/questions/$(uuid "$i")/respond" \
    -H 'Content-Type: application/json' -d '{}'
done
sleep $((DURATION - DURATION / 2))
read -r nm1 un1 ch1 er1 ev1 <<<"$(snapshot)"

total=$(((nm1 - nm0) + (un1 - un0) + (ch1 - ch0) + (er1 - er0)))
echo "questions watched:      $QUESTIONS (idle except $CHANGES answered halfway)"
echo "window:                 ${DURATION} s"
echo "polls:                  $total ($(awk -v t="$total" -v d="$DURATION" 'BEGIN {printf "%.1f", t / d}')/s)"
echo "  304 not modified:     $((nm1 - nm0))"
echo "  200 unchanged:        $((un1 - un0))"
echo "  200 changed:          $((ch1 - ch0))"
echo "  errors:               $((er1 - er0))"
echo "changes made upstream:  $CHANGES"
echo "events published:       $((ev1 - ev0)) (a message.created and a conversation.updated per change)"
echo "watched (gauge):        $(metric parley_directly_watched_questions)"
echo "resident memory:        $(metric process_resident_memory_bytes) bytes"
