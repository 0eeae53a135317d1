#!/usr/bin/env bash
# Lint, format check and type check of every Python file in the repo (spark/, scripts/), with the
# versions spark/requirements.txt pins in the Spark venv (deploy/local/services/spark/install.sh makes it).
# Configuration: pyproject.toml. Runs all three checks, then exits non-zero if any of them failed.
# Usage: scripts/lint-python.sh   (to fix: the venv's `ruff check --fix` and `ruff format`, from the root)
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$CITYPULSE_ROOT"

bin="$(dirname "$CITYPULSE_PY")"
for tool in ruff mypy; do
  if [ ! -x "$bin/$tool" ]; then
    echo "lint-python: $bin/$tool is missing; install the Spark venv first:" \
      "deploy/local/stack.sh install spark (or make install)" >&2
    exit 1
  fi
done

failed=""
run() {
  local name="$1"
  shift
  echo "--- $name"
  "$@" || failed="${failed:+$failed, }$name"
}
run "ruff check" "$bin/ruff" check
run "ruff format --check" "$bin/ruff" format --check
run "mypy" "$bin/mypy"

if [ -n "$failed" ]; then
  echo "lint-python: failed: $failed (see above)" >&2
  exit 1
fi
echo "lint-python: ruff and mypy clean"
