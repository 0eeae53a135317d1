# Source me (after lib.sh): what the cluster profile's Spark standalone master and workers share
# (services/spark-master, services/spark-worker). They run from the venv's pyspark (install.sh beside
# this file), whose package carries Spark's jars and launch scripts, on 127.0.0.1 only.
# shellcheck shell=bash

# spark_standalone_env — exports what Spark's launch scripts read: SPARK_HOME (the venv's pyspark
# package), SPARK_LOCAL_IP (every port of the daemons, and of the executors a worker starts, on
# 127.0.0.1: their web UIs too), a small daemon heap; sets SPARK_CLASS to the venv's spark-class.
spark_standalone_env() {
  local home
  home="$(compgen -G "$CITYPULSE_STACK/venv/lib/python3*/site-packages/pyspark" | head -n 1 || true)"
  SPARK_CLASS="$CITYPULSE_STACK/venv/bin/spark-class"
  [ -n "$home" ] && [ -x "$SPARK_CLASS" ] ||
    die "pyspark is not installed in $CITYPULSE_STACK/venv; run deploy/local/stack.sh install spark"
  need_cmd java "Spark needs a Java 17 runtime (apt-get install openjdk-17-jre-headless)"
  export SPARK_HOME="$home" SPARK_LOCAL_IP=127.0.0.1 SPARK_DAEMON_MEMORY="${SPARK_DAEMON_MEMORY:-256m}"
  # A taken port fails the daemon (the supervisor says so and tries again) instead of Spark moving
  # its web UI to the next port, where the readiness checks and the docs would not find it.
  export SPARK_DAEMON_JAVA_OPTS="-Dspark.port.maxRetries=0"
  # the env file's SPARK_WORKER_CORES (compose's one worker) would size a worker by itself; the
  # workers' flags decide here
  unset SPARK_WORKER_CORES
}

# spark_master_json — the master's state (GET /json/ on its web UI), or fails.
spark_master_json() {
  curl -fsS -m 10 "http://127.0.0.1:${SPARK_MASTER_UI_PORT:?SPARK_MASTER_UI_PORT is not set in .env}/json/"
}
