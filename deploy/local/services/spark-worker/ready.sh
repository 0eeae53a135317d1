#!/usr/bin/env bash
# Ready when the master lists worker N (by its web UI port) as ALIVE: registered, offering its cores.
# Usage: ready.sh N
set -euo pipefail
node="${1:?usage: ready.sh WORKER (1 or 2)}"
SVC="spark-worker-$node"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
. "$here/../spark/standalone.sh"
ui_var="SPARK_WORKER_${node}_UI_PORT"
spark_master_json | python3 -c '
import json, sys
port = sys.argv[1]
workers = json.load(sys.stdin).get("workers", [])
sys.exit(0 if any(w.get("state") == "ALIVE" and str(w.get("webuiaddress", "")).endswith(":" + port) for w in workers) else 1)
' "${!ui_var:?$ui_var is not set in .env}"
