#!/usr/bin/env bash
# Ready when FerretDB answers the MongoDB command {ping: 1} with ok: 1.
set -euo pipefail
SVC=ferretdb
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
exec "$STACK_CACHE/ferretdb/bin/citypulse-ferretdb" -ping "127.0.0.1:$MONGO_PORT"
