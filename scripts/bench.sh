#!/usr/bin/env bash
# Benchmarks against the running local stack (make up), side by side with their baselines.
# Today: the Kafka transport vs NestJS's built-in Kafka transport -> bench/results/latest.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
cd "$CITYPULSE_ROOT"
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 TURBO_TELEMETRY_DISABLED=1

if ! (exec 3<>"/dev/tcp/127.0.0.1/${KAFKA_PORT}") 2>/dev/null; then
  echo "bench: Kafka is not answering on 127.0.0.1:${KAFKA_PORT}; run 'make up' first" >&2
  exit 1
fi
pnpm turbo run build --filter=@citypulse/kafka... --output-logs=errors-only >/dev/null
exec node bench/kafka-transport.bench.js "$@"
