#!/usr/bin/env bash
# `make test-security`: the services, the Spark job and the CLI on the secure profile of the native
# stack (Kafka with SASL/SCRAM-SHA-512 over TLS, the schema registry behind basic auth):
# e2e/test/security. Starts the default stack when it is down (the proxy fronts its registry; the
# stores are its) and the secure profile when that is down, and stops whatever it started.
# `make test` runs the same tests as one of its steps.
set -euo pipefail
. "$(dirname "$0")/env.sh"
. "$(dirname "$0")/lib.sh"
cd "$CITYPULSE_ROOT"
export TURBO_TELEMETRY_DISABLED=1 COREPACK_ENABLE_DOWNLOAD_PROMPT=0

step "install and build"
scripts/bootstrap.sh
deploy/local/stack.sh install
pnpm turbo run build --output-logs=errors-only

step "native stack"
use_stack

step "security tests (the secure profile starts and stops with them when it is down)"
pnpm --filter @citypulse/e2e run test:security
