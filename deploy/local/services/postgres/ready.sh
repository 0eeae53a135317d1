#!/usr/bin/env bash
# Ready when PostgreSQL answers a query in POSTGRES_DB as POSTGRES_USER over TCP.
set -euo pipefail
SVC=postgres
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
out="$(PGPASSWORD="$POSTGRES_PASSWORD" PGCONNECT_TIMEOUT=3 "$STACK_CACHE/postgres/bin/psql" -X -q -tA \
  -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c 'select 1' 2>&1)" ||
  { echo "$out" >&2; exit 1; }
[ "$out" = 1 ]
