#!/usr/bin/env bash
# `make bench`: benchmarks against the native stack, side by side with their baselines.
#   1. the Kafka transport vs NestJS's built-in Kafka transport (bench/kafka-transport.bench.js)
#   2. the aggregation-sink's write rate into stores holding 1,000 / 100,000 / 1,000,000 windows
#      (bench/sink-scaling.bench.js; the pre-filled stores are kept for the next run)
#   3. the Spark job draining a mixed backlog of the four normalized streams (1,000,000 events) next to
#      Kafka's own consumer (ConsumerPerformance) on the same topics (spark/bench/drain.py)
#   4. event-to-alert latency (raw reading sent -> alert in the alerts topic, through the normalizer
#      and apps/alerting) at 10,000 readings/s, beside the broker's own produce->consume round trip
#      (bench/alerting-latency.bench.js)
# Each merges its figures into bench/results/latest.json. BENCH_ONLY=kafka|sink|spark|alerting runs one of them.
# Installs what it needs and starts the stack when it is down (stopping it again at the end).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
. "$here/lib.sh"
cd "$CITYPULSE_ROOT"
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 TURBO_TELEMETRY_DISABLED=1

step "build"
scripts/bootstrap.sh >/dev/null
pnpm turbo run build --filter=@citypulse/kafka... --filter=@citypulse/aggregation-sink... \
  --filter=@citypulse/normalizer... --filter=@citypulse/alerting... \
  --output-logs=errors-only >/dev/null
deploy/local/stack.sh install >/dev/null

step "native stack"
use_stack

only="${BENCH_ONLY:-}"
if [ -z "$only" ] || [ "$only" = kafka ] || [ "$only" = citypulse ] || [ "$only" = builtin ]; then
  step "Kafka transport: @citypulse/kafka vs @nestjs/microservices"
  [ "$only" = kafka ] && unset BENCH_ONLY
  node bench/kafka-transport.bench.js "$@"
fi
if [ -z "$only" ] || [ "$only" = sink ]; then
  step "aggregation-sink: write rate by stored windows"
  node bench/sink-scaling.bench.js
fi
if [ -z "$only" ] || [ "$only" = spark ]; then
  step "Spark job: draining a mixed backlog, next to Kafka's ConsumerPerformance"
  (cd spark && "$CITYPULSE_PY" -m bench.drain)
fi
if [ -z "$only" ] || [ "$only" = alerting ]; then
  step "alerting: event-to-alert latency at 10,000 readings/s"
  node bench/alerting-latency.bench.js
fi
