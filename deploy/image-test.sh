#!/usr/bin/env bash
# Builds the parley image with podman and smoke-tests it the way Kubernetes runs it: the
# configuration mounted read-only, a read-only root filesystem, uid 10001, no capabilities,
# the embedded broker. Checks --version, /readyz, one authenticated webhook of every platform
# (and a Directly watch) answered 200, and that SIGTERM ends it with exit 0 within the grace
# period; prints the image's size.
#   deploy/image-test.sh            (IMAGE=localhost/parley:test GRACE_SECONDS=30)
# Needs podman working: ../shared/tools/container-setup.sh prepares these machines (no
# registry, cgroup v1); CONTAINER_SETUP names another setup script, or "" to skip it.
set -euo pipefail
cd "$(dirname "$0")/.."
image=${IMAGE:-localhost/parley:test}
grace=${GRACE_SECONDS:-30}
setup=${CONTAINER_SETUP-../shared/tools/container-setup.sh}
name=parley-image-test-$$
work=$(mktemp -d)
cleanup() {
  podman rm -f "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf 'image-test: %s\n' "$*" >&2; }
fail() { printf 'image-test: FAILED: %s\n' "$*" >&2; exit 1; }

if [ -n "$setup" ]; then
  [ -x "$setup" ] || fail "$setup not found: set CONTAINER_SETUP to the podman setup script, or \"\""
  "$setup" >&2
fi

step "building $image (podman build -f deploy/Dockerfile .)"
started=$SECONDS
podman build --network host --ignorefile deploy/Dockerfile.dockerignore -f deploy/Dockerfile \
  -t "$image" . >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; fail "podman build"; }
step "built in $((SECONDS - started)) s"

version=$(podman run --rm --network host "$image" --version)
[[ $version == "parley "* ]] || fail "--version printed '$version'"
step "--version: $version"

# Free ports on the host network (podman's rootful bridge needs no NAT this way).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
admin=$(free_port)
cat >"$work/parley.yaml" <<YAML
listen: 127.0.0.1:$port
admin_listen: 127.0.0.1:$admin
kafka: {brokers: embedded, instance_id: ""}
shutdown_timeout_ms: 20000
sources:
  justanswer: {webhook: {tokens: [image-ja-token]}}
  cao: {webhook: {api_keys: [image-cao-key]}}
  talkjs:
    webhook: {secret_keys: [image-talkjs-secret]}
    api: {app_id: imageapp}
  directly: {watch: {tokens: [image-watch-token]}}
YAML
chmod 0644 "$work/parley.yaml"

step "starting: read-only root, uid 10001, no capabilities, config mounted read-only"
podman run -d --name "$name" --network host --read-only --user 10001:10001 --cap-drop ALL \
  --security-opt no-new-privileges -v "$work/parley.yaml:/etc/parley/parley.yaml:ro,Z" \
  "$image" >/dev/null
[ "$(podman inspect --format '{{.Config.User}}' "$name")" = 10001:10001 ] || fail "not uid 10001"

deadline=$((SECONDS + 30))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin/readyz")" = 200 ]; do
  [ $SECONDS -lt $deadline ] || { podman logs "$name" >&2; fail "/readyz not 200 within 30 s"; }
  podman container exists "$name" || fail "the container exited"
  sleep 0.2  # polling readiness, as a kubelet probe does
done
step "/readyz 200"

post() {  # label path body header...
  local label=$1 path=$2 body=$3
  shift 3
  local args=()
  for header in "$@"; do args+=(-H "$header"); done
  local status
  status=$(curl -s -o "$work/answer" -w '%{http_code}' -X POST "${args[@]}" \
    -H 'Content-Type: application/json' --data "$body" "http://127.0.0.1:$port$path")
  [ "$status" = 200 ] || { cat "$work/answer" >&2; podman logs "$name" >&2; fail "$label answered $status"; }
  step "$label: 200 $(cat "$work/answer")"
}
post "JustAnswer webhook" /v1/webhooks/justanswer \
  '{"eventType":"1","questionId":"q-image","userToken":"u1"}' 'X-Parley-Token: image-ja-token'
post "CAO message webhook" /v1/webhooks/cao/messages \
  '{"VisitId":"12617187","SessionId":"s1","ConsumerId":"1","DateTime":"6/15/2024 4:13 PM","MessageId":"4711","Message":"hello","AgentName":"Ann"}' \
  'Authorization: Basic image-cao-key'
post "CAO receipt webhook" /v1/webhooks/cao/receipts \
  '{"VisitId":"12617187","SessionId":"s1","ConsumerId":"1","ExternalMessageId":"e1","MessageId":"4711","MessageStatus":"2"}' \
  'Authorization: Basic image-cao-key'
talkjs_body='{"id":"evt_image","createdAt":1732185600000,"type":"message.sent","data":{"conversation":{"id":"c-image"},"message":{"id":"msg_image","conversationId":"c-image","senderId":"u1","text":"hi","type":"UserMessage","createdAt":1732185600000}}}'
timestamp=$(date +%s)
signature=$(printf '%s' "$timestamp.$talkjs_body" | openssl dgst -sha256 -hmac image-talkjs-secret | awk '{print toupper($NF)}')
post "TalkJS webhook (signed)" /v1/webhooks/talkjs "$talkjs_body" \
  "X-TalkJS-Timestamp: $timestamp" "X-TalkJS-Signature: $signature"
post "Directly watch" /v1/directly/watches '{"uuid":"3f1c2a9e-8b7d-4c6e-9a5f-1e2d3c4b5a69"}' \
  'X-Parley-Token: image-watch-token'

step "SIGTERM (grace period $grace s)"
stopped_at=$SECONDS
podman kill --signal TERM "$name" >/dev/null
exit_code=$(timeout "$grace" podman wait "$name") || fail "still running $grace s after SIGTERM"
[ "$exit_code" = 0 ] || { podman logs "$name" >&2; fail "exit code $exit_code after SIGTERM"; }
step "exited 0, $((SECONDS - stopped_at)) s after SIGTERM"

size=$(podman image inspect --format '{{.Size}}' "$image")
step "image $image: $((size / 1000000)) MB ($size bytes)"
echo "image-test: PASSED"
