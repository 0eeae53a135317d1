# Source me: loads the env file (.env.example's defaults, overridden by .env) into the shell.
# shellcheck shell=bash
CITYPULSE_ROOT="${CITYPULSE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export CITYPULSE_ROOT
# .env.example holds every variable with its default; an optional .env (gitignored) overrides any
# of them. Layering the two means a variable added to .env.example later reaches old checkouts too.
# Variables the caller exported (`KAFKA_BROKERS=... make test`) win over both files.
ENV_FILE="${ENV_FILE:-$CITYPULSE_ROOT/.env}"
_caller_env=$(export -p)
set -a
# shellcheck disable=SC1091
. "$CITYPULSE_ROOT/.env.example"
# shellcheck disable=SC1090
if [ -f "$ENV_FILE" ]; then . "$ENV_FILE"; fi
set +a
eval "$_caller_env"
unset _caller_env

# The native stack's home: installs (cache/), data (data/) and logs (logs/). Gitignored.
export CITYPULSE_STACK="${CITYPULSE_STACK:-$CITYPULSE_ROOT/.stack}"
# Tools the project installs for itself (pnpm: scripts/bootstrap.sh) come first on PATH.
export CITYPULSE_BIN="${CITYPULSE_BIN:-$CITYPULSE_STACK/bin}"
case ":$PATH:" in *":$CITYPULSE_BIN:"*) ;; *) export PATH="$CITYPULSE_BIN:$PATH" ;; esac
# Python for the Spark job and its tests (a venv the stack installer creates).
export CITYPULSE_PY="${CITYPULSE_PY:-$CITYPULSE_STACK/venv/bin/python}"
