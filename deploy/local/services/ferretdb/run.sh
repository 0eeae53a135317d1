#!/usr/bin/env bash
# Runs FerretDB in the foreground (the supervisor owns it) on 127.0.0.1:$MONGO_PORT, one SQLite
# file per database in $CITYPULSE_STACK/data/ferretdb.
set -euo pipefail
SVC=ferretdb
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

bin="$STACK_CACHE/ferretdb/bin/citypulse-ferretdb"
[ -x "$bin" ] || die "$bin is missing: run deploy/local/stack.sh install ferretdb"
: "${MONGO_PORT:?MONGO_PORT is not set in the env file}"
mkdir -p "$STACK_DATA/ferretdb"
# warn: FerretDB logs every client connection at info, which drowns the log; FERRETDB_LOG_LEVEL overrides.
exec "$bin" -listen-addr "127.0.0.1:$MONGO_PORT" -sqlite-dir "$STACK_DATA/ferretdb" \
  -log-level "${FERRETDB_LOG_LEVEL:-warn}"
