#!/usr/bin/env bash
# Runs the cluster profile's Spark standalone master in the foreground, from the venv's pyspark:
#   spark://127.0.0.1:$SPARK_MASTER_PORT   the master the job is submitted to (SPARK_CLUSTER_MASTER)
#   http://127.0.0.1:$SPARK_MASTER_UI_PORT its web UI (/json/: workers, applications)
# No recovery mode: a restarted master forgets its applications (the workers register again).
set -euo pipefail
SVC=spark-master
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
. "$here/../spark/standalone.sh"

for v in SPARK_MASTER_PORT SPARK_MASTER_UI_PORT; do
  [ -n "${!v:-}" ] || die "$v is not set in .env (copy it from .env.example)"
  port_free "${!v}" || die "port ${!v} ($v) is already taken on 127.0.0.1 (see 'ss -ltnp')"
done
spark_standalone_env
exec "$SPARK_CLASS" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$SPARK_MASTER_PORT" --webui-port "$SPARK_MASTER_UI_PORT"
