#!/usr/bin/env bash
# `make bench`: every stage of the flow against its limit, measured in the same run, then one table
# (bench/summary.js). Stages, in order (bench/README.md explains each figure):
#   limits      the broker's produce->consume round trip at 10,000 records/s (bench/limits.bench.js)
#   drain       per stream: its source at --rate max and its normalizer worker draining 1,000,000
#               records, beside ProducerPerformance / ConsumerPerformance on the same topic
#               (bench/drain.bench.js)
#   sink-drain  the aggregation-sink draining 1,000,000 window updates, beside ConsumerPerformance
#               (bench/sink-drain.bench.js)
#   spark       the Spark job draining a mixed backlog of the four normalized streams, beside
#               ConsumerPerformance (spark/bench/drain.py)
#   steady      the whole flow at 10,000 readings/s: freshness of the aggregates in MongoDB against
#               the job's floor, and the memory of every process at rest and under load
#               (bench/steady.bench.js)
#   alerting    event-to-alert latency at 10,000 readings/s beside the broker's round trip
#               (bench/alerting-latency.bench.js)
#   kafka       the Kafka transport vs NestJS's built-in one (bench/kafka-transport.bench.js)
#   sink        the aggregation-sink's write rate into stores holding 1,000 / 100,000 / 1,000,000
#               windows (bench/sink-scaling.bench.js; the pre-filled stores are kept)
# Each merges its figures into bench/results/latest.json and appends them to
# bench/results/history.jsonl (with the commit and the load average). BENCH_ONLY=<stage>[,<stage>]
# runs some of them. A stage that fails is reported and the others still run; the exit status is
# then 1. Installs what it needs and starts the stack when it is down (stopping it again at the end).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
. "$here/lib.sh"
cd "$CITYPULSE_ROOT"
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 TURBO_TELEMETRY_DISABLED=1

stages=(limits drain sink-drain spark steady alerting kafka sink)
only="${BENCH_ONLY:-}"
# the transport bench's own BENCH_ONLY values (one side of it, for profiling) are kept
case "$only" in citypulse | builtin) only=kafka ;; esac
for s in ${only//,/ }; do
  if [[ " ${stages[*]} " != *" $s "* ]]; then
    printf "BENCH_ONLY: unknown stage '%s' (stages: %s)\n" "$s" "${stages[*]}" >&2
    exit 64
  fi
done
wanted() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

step "build"
build_flow >/dev/null # every app the stages start, e2e's pipeline runner, the Spark venv
deploy/local/stack.sh install >/dev/null

step "native stack"
use_stack

export BENCH_RUN_STARTED
BENCH_RUN_STARTED="$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"
failed=()
run_stage() {
  local name="$1" title="$2"
  shift 2
  wanted "$name" || return 0
  step "$title"
  if ! "$@"; then
    failed+=("$name")
    printf 'bench: stage %s failed\n' "$name" >&2
  fi
}

run_stage limits "limits: the broker's produce->consume round trip" node bench/limits.bench.js
run_stage drain "drain: sources at --rate max and normalizer workers, next to Kafka's perf tools" \
  node bench/drain.bench.js
run_stage sink-drain "aggregation-sink draining 1,000,000 window updates, next to ConsumerPerformance" \
  node bench/sink-drain.bench.js
run_stage spark "Spark job: draining a mixed backlog, next to Kafka's ConsumerPerformance" \
  bash -c 'cd spark && "$CITYPULSE_PY" -m bench.drain'
run_stage steady "the flow at a steady rate: freshness and memory" node bench/steady.bench.js
run_stage alerting "alerting: event-to-alert latency at 10,000 readings/s" node bench/alerting-latency.bench.js
# the transport bench reads BENCH_ONLY=citypulse|builtin itself; a stage list means both sides
run_stage kafka "Kafka transport: @citypulse/kafka vs @nestjs/microservices" \
  env BENCH_ONLY="$(case "${BENCH_ONLY:-}" in citypulse | builtin) echo "$BENCH_ONLY" ;; esac)" \
  node bench/kafka-transport.bench.js "$@"
run_stage sink "aggregation-sink: write rate by stored windows" node bench/sink-scaling.bench.js

step "summary"
node bench/summary.js
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'bench: %s stage(s) failed: %s\n' "${#failed[@]}" "${failed[*]}" >&2
  exit 1
fi
