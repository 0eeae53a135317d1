#!/usr/bin/env bash
# `make test`: every check and every test tier, against the real native stack.
#   1. workspace install, build, lint (typed, zero warnings), typecheck, unit tests   (no services),
#      Python lint and types (ruff, mypy), the fresh-machine bootstrap test (scripts/tests), and
#      docker-compose.yml checked against the native stack (deploy/docker/check-compose.sh), the
#      Prometheus alert rules checked and unit-tested with promtool (deploy/prometheus/test-rules.sh)
#   2. the native stack: started here when it is down, and stopped again at the end
#   3. integration tests (libs, apps) and the Spark job's tests against the real services
#   4. end-to-end tests over the whole pipeline
#   5. security tests: the services, Spark and the CLI on the secure profile (Kafka with SASL/SCRAM
#      over TLS, the registry behind basic auth), started here when it is down and stopped again
# Ends with one line "citypulse: N passed, N failed, N skipped" summed over every runner.
set -euo pipefail
. "$(dirname "$0")/env.sh"
. "$(dirname "$0")/lib.sh"
cd "$CITYPULSE_ROOT"
export TURBO_TELEMETRY_DISABLED=1 COREPACK_ENABLE_DOWNLOAD_PROMPT=0
results="$CITYPULSE_ROOT/.test-results"
rm -rf "$results"; mkdir -p "$results"
find . -path ./node_modules -prune -o -name .test-results -type d -prune -exec rm -rf {} + 2>/dev/null || true

step "install"
scripts/bootstrap.sh
deploy/local/stack.sh install

step "build, lint, typecheck, unit tests"
pnpm turbo run build lint typecheck test --output-logs=new-only
pnpm prettier --check . >/dev/null || { echo "prettier: files need formatting (pnpm format)" >&2; exit 1; }

step "Python: ruff, mypy"
scripts/lint-python.sh

step "a fresh machine: bootstrap from nothing (clean HOME, no pnpm, empty caches)"
"$CITYPULSE_PY" -m pytest scripts/tests -q --junitxml="$results/scripts.xml"

step "docker-compose.yml in step with the native stack"
# No Docker engine here: Debian's docker-compose validates and renders the file.
(. deploy/local/lib.sh && SVC=compose apt_install docker-compose)
deploy/docker/check-compose.sh

step "Prometheus alert rules: promtool check rules, promtool test rules"
deploy/prometheus/test-rules.sh --junit "$results/prometheus-rules.xml"

step "native stack"
use_stack

step "integration tests"
pnpm turbo run test:int --concurrency=1 --output-logs=full
if [ -d spark/tests ]; then
  "$CITYPULSE_PY" -m pytest spark/tests -q --junitxml="$results/spark.xml"
fi

if [ -f e2e/package.json ]; then
  step "end-to-end tests"
  pnpm --filter @citypulse/e2e run test:e2e

  step "security tests (the secure profile: SASL/SCRAM over TLS, the registry behind basic auth)"
  pnpm --filter @citypulse/e2e run test:security
fi

step "summary"
python3 scripts/test-summary.py
