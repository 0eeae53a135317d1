#!/usr/bin/env bash
# Exits 0 when Kafka answers a Metadata request on 127.0.0.1:$KAFKA_PORT with a live controller.
# Uses plain node (no node_modules), so it works before `pnpm install` and costs ~50 ms, not a JVM.
set -euo pipefail
SVC=kafka
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
need_cmd node "the Kafka readiness check runs on Node.js 20+"
exec node "$here/metadata-check.mjs" 127.0.0.1 "$KAFKA_PORT" 3000
