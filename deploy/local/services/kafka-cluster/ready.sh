#!/usr/bin/env bash
# Exits 0 when node N of the cluster answers a Metadata request on its port, with a live controller,
# and lists itself among the brokers: registered with the quorum and unfenced, i.e. it serves its
# partitions (metadata-check.mjs: plain node, no node_modules, no JVM).
# Usage: ready.sh N
set -euo pipefail
node="${1:?usage: ready.sh NODE (1, 2 or 3)}"
SVC="kafka-$node"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
. "$here/nodes.sh"
need_cmd node "the Kafka readiness check runs on Node.js 20+"
exec node "$here/../kafka/metadata-check.mjs" 127.0.0.1 "$(cluster_port "$node")" 3000 "$node"
