# Source me: loads the one env file (.env, created from .env.example on first use) into the shell.
# shellcheck shell=bash
CITYPULSE_ROOT="${CITYPULSE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export CITYPULSE_ROOT
ENV_FILE="${ENV_FILE:-$CITYPULSE_ROOT/.env}"
if [ ! -f "$ENV_FILE" ]; then
  cp "$CITYPULSE_ROOT/.env.example" "$ENV_FILE"
fi
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a

# The native stack's home: installs (cache/), data (data/) and logs (logs/). Gitignored.
export CITYPULSE_STACK="${CITYPULSE_STACK:-$CITYPULSE_ROOT/.stack}"
# Python for the Spark job and its tests (a venv the stack installer creates).
export CITYPULSE_PY="${CITYPULSE_PY:-$CITYPULSE_STACK/venv/bin/python}"
