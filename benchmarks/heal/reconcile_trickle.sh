#!/usr/bin/env bash
# What reconciliation costs for a steady trickle: CONVERSATIONS CAO visits each get a new
# message webhook every INTERVAL seconds for DURATION seconds (parley with the embedded
# broker, the platform API at parley-sim). Then it waits until every scheduled reconcile
# ran and prints the fetches by reason, as measured by parley's own counters.
#   benchmarks/heal/reconcile_trickle.sh
#   (CONVERSATIONS=100 DURATION=120 INTERVAL=20 RECONCILE_AFTER_MS=60000 BUILD=build/asan)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=${BUILD:-build/asan}
conversations=${CONVERSATIONS:-100}
duration=${DURATION:-120}
interval=${INTERVAL:-20}
reconcile_after_ms=${RECONCILE_AFTER_MS:-60000}
work=$(mktemp -d)
# shellcheck source=benchmarks/processes.sh
source "$root/benchmarks/processes.sh"

"$build/parley-sim" serve --listen 127.0.0.1:0 >"$work/sim.out" 2>"$work/sim.err" &
pids+=("$!")
wait_for "$work/sim.out" '^listening=' 10
sim=$(sed -n 's/^listening=//p' "$work/sim.out")

cat >"$work/parley.yaml" <<YAML
listen: 127.0.0.1:0
admin_listen: 127.0.0.1:0
kafka: {brokers: embedded, instance_id: ""}
sources:
  cao:
    webhook: {api_keys: [bench-cao-key]}
    api: {base_url: "http://$sim", api_key: dev-cao-key}
enrich: {reconcile_after_ms: $reconcile_after_ms}
YAML
"$build/parley" --config "$work/parley.yaml" 2>"$work/parley.log" &
pids+=("$!")
wait_for "$work/parley.log" '"parley started"' 30
address_of() { grep "\"listener\":\"$1\"" "$work/parley.log" | sed -n 's/.*"address":"\([^"]*\)".*/\1/p'; }
ingest=$(address_of ingest)
admin=$(address_of admin)

metric() {  # series (name{labels}); 0 when absent
  curl -s "http://$admin/metrics" | awk -v s="$1" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }'
}
event_ok='parley_enrich_fetches_total{platform="cao",reason="event",result="ok"}'
reconcile_ok='parley_enrich_fetches_total{platform="cao",reason="reconcile",result="ok"}'
pending='parley_enrich_reconcile_pending{platform="cao"}'

sends=$((conversations * duration / interval))
gap=$(awk -v i="$interval" -v n="$conversations" 'BEGIN { printf "%.4f", i / n }')
echo "trickle: $conversations conversations, one message each every $interval s for $duration s" \
     "($sends webhooks), reconcile_after_ms $reconcile_after_ms" >&2
started=$SECONDS
for ((n = 0; n < sends; n++)); do
  visit=$((910000 + n % conversations))
  body="{\"VisitId\":\"$visit\",\"SessionId\":\"s$visit\",\"ConsumerId\":\"1$visit\",\"DateTime\":\"6/15/2024 4:13 PM\",\"MessageId\":\"$((800000000 + n))\",\"Message\":\"trickle $n\",\"AgentName\":\"Bench\"}"
  status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Basic bench-cao-key' \
           -H 'Content-Type: application/json' --data "$body" "http://$ingest/v1/webhooks/cao/messages")
  [ "$status" = 200 ] || { echo "webhook $n answered $status" >&2; exit 1; }
  sleep "$gap"  # pacing the trickle, not synchronization
done
during=$(metric "$reconcile_ok")
echo "trickle done after $((SECONDS - started)) s; reconcile fetches during it: $during" >&2

deadline=$((SECONDS + reconcile_after_ms / 1000 + 60))
until [ "$(metric "$pending")" = 0 ] && [ "$(metric "$reconcile_ok")" -ge "$conversations" ]; do
  [ $SECONDS -lt $deadline ] || { echo "reconciles still pending at the deadline" >&2; break; }
  sleep 1  # polling a counter for the report
done
printf '%-34s %s\n' "webhooks sent" "$sends" \
  "fetches for events" "$(metric "$event_ok")" \
  "reconcile fetches during trickle" "$during" \
  "reconcile fetches in all" "$(metric "$reconcile_ok")" \
  "reconcile fetch errors" "$(metric 'parley_enrich_fetches_total{platform="cao",reason="reconcile",result="error"}')" \
  "reconcile dropped" "$(metric 'parley_enrich_reconcile_dropped_total{platform="cao"}')"
