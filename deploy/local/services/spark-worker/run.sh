#!/usr/bin/env bash
# Runs worker N (1 or 2) of the cluster profile's Spark standalone cluster in the foreground, from the
# venv's pyspark, registered with the master (spark://127.0.0.1:$SPARK_MASTER_PORT). It offers
# SPARK_CLUSTER_WORKER_CORES cores and SPARK_WORKER_MEMORY to executors (1 and 1g: two workers on a
# 2-core machine); its web UI on SPARK_WORKER_<N>_UI_PORT, its RPC port any free one. Executors run
# in $CITYPULSE_STACK/data/spark-worker-<N> (their logs, the jars the driver serves), cleaned a day
# after their application ended.
# Usage: run.sh N   (the supervisor runs it as the service spark-worker-N)
set -euo pipefail
node="${1:?usage: run.sh WORKER (1 or 2)}"
SVC="spark-worker-$node"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
. "$here/../spark/standalone.sh"

ui_var="SPARK_WORKER_${node}_UI_PORT"
for v in SPARK_MASTER_PORT "$ui_var" SPARK_CLUSTER_WORKER_CORES SPARK_WORKER_MEMORY; do
  [ -n "${!v:-}" ] || die "$v is not set in .env (copy it from .env.example)"
done
port_free "${!ui_var}" || die "port ${!ui_var} ($ui_var) is already taken on 127.0.0.1 (see 'ss -ltnp')"
cores="$SPARK_CLUSTER_WORKER_CORES" memory="$SPARK_WORKER_MEMORY" ui_port="${!ui_var}"
spark_standalone_env
work="$STACK_DATA/spark-worker-$node"
mkdir -p "$work"
export SPARK_WORKER_OPTS="-Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.appDataTtl=86400"
exec "$SPARK_CLASS" org.apache.spark.deploy.worker.Worker \
  --host 127.0.0.1 --webui-port "$ui_port" --cores "$cores" --memory "$memory" --work-dir "$work" \
  "spark://127.0.0.1:$SPARK_MASTER_PORT"
