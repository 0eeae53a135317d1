#!/usr/bin/env bash
# Ready when the master's web UI answers /json/ with status ALIVE.
set -euo pipefail
SVC=spark-master
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
. "$here/../spark/standalone.sh"
spark_master_json | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin).get("status") == "ALIVE" else 1)'
