# Source me (after scripts/env.sh): what `make test`, `make demo` and `make bench` share.
# shellcheck shell=bash

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# use_stack — starts the native stack when it is down and stops it again when the calling script
# exits (only then: a stack the user started with `make up` stays up). Sets STACK_STARTED_HERE.
use_stack() {
  STACK_STARTED_HERE=0
  if deploy/local/stack.sh status --quiet; then
    echo "the stack is already up (it stays up afterwards)"
  else
    deploy/local/stack.sh up
    STACK_STARTED_HERE=1
  fi
  trap _stop_stack_if_ours EXIT
}
_stop_stack_if_ours() {
  if [ "${STACK_STARTED_HERE:-0}" = 1 ]; then
    step "stopping the stack this run started"
    deploy/local/stack.sh down || true
  fi
}

# use_profile <profile> — the same for an opt-in profile of the stack (`cluster`, `secure`) beside
# it: started when it is down, stopped again by _stop_profile_if_ours when this run started it.
# Sets PROFILE_STARTED_HERE to the profile, or to nothing. The caller's EXIT trap calls it.
use_profile() {
  PROFILE_STARTED_HERE=
  if deploy/local/stack.sh status --quiet "$1"; then
    echo "the $1 profile is already up (it stays up afterwards)"
  else
    # six JVMs (the cluster's) start one after the other: on a loaded 2-core machine that took
    # longer than the stack's 300 s
    STACK_UP_TIMEOUT="${STACK_UP_TIMEOUT:-900}" deploy/local/stack.sh up "$1"
    PROFILE_STARTED_HERE="$1"
  fi
}
_stop_profile_if_ours() {
  if [ -n "${PROFILE_STARTED_HERE:-}" ]; then
    step "stopping the $PROFILE_STARTED_HERE profile this run started"
    deploy/local/stack.sh down "$PROFILE_STARTED_HERE" || true
  fi
}

# build_flow — the workspace, the builds of everything the pipeline runner (e2e/src/pipeline.ts)
# starts (turbo; cached after the first time) and the Spark venv: what `make demo` and
# `make test-faults` need before they start a flow.
build_flow() {
  scripts/bootstrap.sh >/dev/null
  pnpm turbo run build --filter=@citypulse/e2e... --filter=@citypulse/normalizer... \
    --filter=@citypulse/aggregation-sink... --filter=@citypulse/sensor-generator... \
    --filter=@citypulse/ticket-producer... --filter=@citypulse/alerting... --output-logs=errors-only
  deploy/local/stack.sh install spark >/dev/null
}
