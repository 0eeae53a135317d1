#!/usr/bin/env bash
# `make demo`: the four streams (traffic, transport, incidents, tickets) end to end on the native
# stack, shown as they happen.
#   1. workspace packages and the apps' builds (turbo; cached after the first time), the Spark venv
#   2. the native stack: started here when it is down, and stopped again at the end
#   3. e2e/dist/demo.js: a normalizer per stream, the aggregation-sink, the Spark job (every
#      aggregate), the alerting service, the sensor-generator and the ticket-producer (clocks x60)
#      as child processes,
#      and every 5 s what they do. Ctrl-C stops them all.
# DEMO_SECONDS=N runs N seconds and exits 0 only if every aggregate of every stream reached MongoDB
# in this run and every gold table has Parquet files under the run's LAKE_DIR/gold.
set -euo pipefail
. "$(dirname "$0")/env.sh"
. "$(dirname "$0")/lib.sh"
cd "$CITYPULSE_ROOT"
export TURBO_TELEMETRY_DISABLED=1 COREPACK_ENABLE_DOWNLOAD_PROMPT=0

step "build"
build_flow

step "native stack"
use_stack
# Ctrl-C reaches the demo (foreground) too; it stops the services and exits, then the trap runs.
trap ':' INT

step "demo"
node e2e/dist/demo.js
