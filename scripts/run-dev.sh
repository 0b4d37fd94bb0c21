#!/usr/bin/env bash
# Sets up, builds (Release) and runs parley on its embedded default: config/dev.yaml,
# with a Kafka-protocol broker inside the process and parley-sim (the platforms' APIs,
# simulated) on 127.0.0.1:8090 for enrichment and commands; parley-sim posts the webhooks a
# platform would send back after each write (--echo-to) to parley. Ctrl-C drains and stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target parley parley-sim

./build/release/parley-sim --listen 127.0.0.1:8090 --echo-to http://127.0.0.1:8080 >/dev/null &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true' EXIT

cat <<'HINT'

parley is starting on config/dev.yaml (webhooks on 127.0.0.1:8080, admin on 127.0.0.1:9464).
Post signed sample webhooks of every platform from another terminal:

  ./build/release/parley-sim send --to http://127.0.0.1:8080

or one JustAnswer webhook by hand:

  curl -s -X POST 'http://127.0.0.1:8080/v1/webhooks/justanswer' \
       -H 'X-Parley-Token: dev-token' -H 'Content-Type: application/json' \
       -d '{"eventType":"1","questionId":"12345","userToken":"abcde12345"}'

Watch a Directly question and let parley-sim play a whole conversation on it (answer,
reply, follow-up, accept, close; one step a second); parley polls it and publishes each
change:

  curl -s -X POST http://127.0.0.1:8080/v1/directly/watches -H 'X-Parley-Token: dev-watch-token' \
       -H 'Content-Type: application/json' -d '{"uuid":"5a1e0000-0000-4000-8000-000000000001"}'
  curl -s -X POST http://127.0.0.1:8090/_sim/directly/questions/5a1e0000-0000-4000-8000-000000000001/play \
       -H 'Content-Type: application/json' -d '{"step_ms":1000}'

Watch the events it produced: copy the "watch" command (kcat -b 127.0.0.1:<port> ...)
from the "embedded kafka started" log line below; the enriched events (full conversation
fetched from parley-sim) are on -t parley.enriched.v1. Health: curl 127.0.0.1:9464/readyz,
metrics: curl 127.0.0.1:9464/metrics.

Send a command the way back (docs/commands.md): a reply on CAO visit 12617187, through the
commands door with the dev token:

  curl -s -X POST http://127.0.0.1:8080/v1/commands -H 'Authorization: Bearer dev-command-token' \
       -H 'Content-Type: application/json' \
       -d '{"specversion":"1.0","id":"demo-1","source":"/demo/desk","type":"parley.command.message.send","subject":"12617187","data":{"source":"cao","text":"Hello from parley"}}'

Its one result (parley.command.succeeded, id demo-1:result), and the CAO receipt parley-sim
echoed back for it (a parley.message.delivered event whose data.receipt.externalMessageId is
demo-1):

  kcat -b 127.0.0.1:<port> -t parley.command-results.v1 -C -e
  kcat -b 127.0.0.1:<port> -t parley.events.v1 -C -e | grep '"externalMessageId":"demo-1"'

What parley-sim wrote and echoed: curl -s 127.0.0.1:8090/_sim/writes, curl -s 127.0.0.1:8090/_sim/echo.

HINT

# The demo of the way back, once parley is ready: one command through the door, its result
# from the results topic, and the receipt parley-sim echoed for it, read from the events topic.
log=$(mktemp)
demo() {
  local deadline=$((SECONDS + 120))
  # Ready to take a command once Kafka answers and the executor owns its partitions.
  until grep -q '"command journal loaded"' "$log" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 0
    sleep 0.5  # polling the log of the process started below
  done
  local bootstrap
  bootstrap=$(sed -n 's/.*"embedded kafka started[^}]*"bootstrap":"\([^"]*\)".*/\1/p' "$log" | head -1)
  echo "demo: POST /v1/commands (message.send on CAO visit 12617187) ->" \
    "$(curl -s -X POST http://127.0.0.1:8080/v1/commands -H 'Authorization: Bearer dev-command-token' \
         -H 'Content-Type: application/json' \
         -d '{"specversion":"1.0","id":"demo-1","source":"/demo/desk","type":"parley.command.message.send","subject":"12617187","data":{"source":"cao","text":"Hello from parley"}}')" >&2
  [ -n "$bootstrap" ] && command -v kcat >/dev/null || return 0
  local result="" echo_event=""
  deadline=$((SECONDS + 30))
  while [ -z "$result" ] || [ -z "$echo_event" ]; do
    [ $SECONDS -lt $deadline ] || break
    result=$(kcat -b "$bootstrap" -t parley.command-results.v1 -C -e -q 2>/dev/null | grep '"id":"demo-1:result"' | head -1 || true)
    echo_event=$(kcat -b "$bootstrap" -t parley.events.v1 -C -e -q 2>/dev/null | grep '"externalMessageId":"demo-1"' | head -1 || true)
    sleep 0.5  # polling the topics for the demo's records
  done
  echo "demo: its result:     ${result:-(none yet)}" >&2
  echo "demo: the echo event: ${echo_event:-(none yet)}" >&2
}
demo &
./build/release/parley --config config/dev.yaml 2> >(tee "$log" >&2)
