#!/usr/bin/env bash
# `make topics`, `make tail`: builds apps/cli and the libraries it stands on (turbo, cached: nothing
# is compiled when nothing changed), then runs it with the arguments given. Everything but the
# CLI's own output goes to stderr, so `make topics JSON=1 | jq` reads clean JSON. The CLI reads
# the connection settings from the environment over .env and .env.example, as every service does.
#
#   scripts/cli.sh topics ['traffic.*' ...] [--json]
#   scripts/cli.sh tail traffic.normalized -n 10 [--follow]
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$CITYPULSE_ROOT"
export TURBO_TELEMETRY_DISABLED=1 COREPACK_ENABLE_DOWNLOAD_PROMPT=0
scripts/bootstrap.sh >&2
if ! log=$(pnpm turbo run build --filter=@citypulse/cli... --output-logs=errors-only 2>&1); then
  printf '%s\n' "$log" >&2
  echo "cli: building apps/cli failed" >&2
  exit 1
fi
exec node apps/cli/dist/main.js "$@"
