#!/usr/bin/env bash
# Sets up, builds (Release) and runs parley on its embedded default: config/dev.yaml,
# with a Kafka-protocol broker inside the process. Ctrl-C drains and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target parley

cat <<'HINT'

parley is starting on config/dev.yaml (webhooks on 127.0.0.1:8080, admin on 127.0.0.1:9464).
Post a sample JustAnswer webhook from another terminal:

  curl -s -X POST 'http://127.0.0.1:8080/v1/webhooks/justanswer' \
       -H 'X-Parley-Token: dev-token' -H 'Content-Type: application/json' \
       -d '{"eventType":"1","questionId":"12345","userToken":"abcde12345"}'

Watch the events it produced: copy the "watch" command (kcat -b 127.0.0.1:<port> ...)
from the "embedded kafka started" log line below. Health: curl 127.0.0.1:9464/readyz,
metrics: curl 127.0.0.1:9464/metrics.

HINT
exec ./build/release/parley --config config/dev.yaml
