#!/usr/bin/env bash
# Exits 0 when the schema registry answers GET $SCHEMA_REGISTRY_URL/subjects with a JSON array
# (the Confluent API a client uses, not just a health page). curl, not node: process-compose runs
# this every 3 s for as long as the stack is up, and a Node start costs ~20x the CPU of a curl.
set -euo pipefail
SVC=schema-registry
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
: "${SCHEMA_REGISTRY_URL:?SCHEMA_REGISTRY_URL is not set in .env (copy it from .env.example)}"
need_cmd curl "the schema registry readiness check uses curl"
url="${SCHEMA_REGISTRY_URL%/}/subjects"
if ! out="$(curl -sS -m 3 -w '\n%{http_code}' "$url" 2>&1)"; then
  echo "schema registry not ready at $url: ${out%$'\n'*}" >&2
  exit 1
fi
code="${out##*$'\n'}"
body="${out%$'\n'*}"
if [ "$code" != 200 ] || [ "${body:0:1}" != "[" ]; then
  echo "schema registry not ready at $url: HTTP $code ${body:0:200}" >&2
  exit 1
fi
n=0
[ "$body" = "[]" ] || n=$(($(tr -cd ',' <<<"$body" | wc -c) + 1))
echo "schema registry ready: $url lists $n subject(s)"
