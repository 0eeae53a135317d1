# Source me (after lib.sh): what every native Kafka broker of the stack shares — one KRaft node that
# is both broker and controller, on 127.0.0.1 — so services/kafka (plaintext) and
# services/kafka-secure (SASL/SCRAM over TLS) differ only in their listeners and security settings.
# shellcheck shell=bash

KAFKA_SERVICE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# kafka_libs — the installed Kafka jars (services/kafka/install.sh), or dies naming the fix.
kafka_libs() {
  : "${KAFKA_VERSION:?KAFKA_VERSION is not set in .env (copy it from .env.example)}"
  [ -f "$STACK_CACHE/kafka/$KAFKA_VERSION/.installed" ] ||
    die "Kafka $KAFKA_VERSION is not installed in $STACK_CACHE/kafka; run deploy/local/stack.sh install kafka first"
  echo "$STACK_CACHE/kafka/$KAFKA_VERSION/libs"
}

# kafka_common_props DATA CONTROLLER_PORT — server.properties lines every broker of the stack has
# (the node, the controller quorum, storage, topics, retention); the caller adds its listeners.
kafka_common_props() {
  local data="$1" controller_port="$2"
  cat <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controller_port}
controller.listener.names=CONTROLLER
log.dirs=${data}/kraft-logs

# Topics are declared (libs/contracts) and created by an admin client, never by a typo in a
# producer; set KAFKA_AUTO_CREATE_TOPICS=true in .env to get the permissive behaviour back.
auto.create.topics.enable=${KAFKA_AUTO_CREATE_TOPICS:-false}
num.partitions=3
default.replication.factor=1
# One broker: internal topics must fit on it, or consumer groups and transactions never start.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# 50 partitions each (the default) makes the first consumer group and the first transaction wait
# while 100 logs are created on a small machine; 10 is plenty for one broker.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
min.insync.replicas=1
# Tests create a group per test; do not wait 3 s for more members to join.
group.initial.rebalance.delay.ms=0
# A laptop stack: keep a week or 1 GiB per partition, whichever comes first.
log.retention.hours=168
log.retention.bytes=1073741824
log.segment.bytes=268435456
num.network.threads=3
num.io.threads=4
PROPS
}

# kafka_format LIBS DATA PROPS [StorageTool format args...] — formats DATA/kraft-logs once. The
# cluster id is made once and kept beside the data, so a restart (or a re-format after a crash
# mid-format) reuses the same id. Extra arguments (--add-scram ...) go to StorageTool's format.
kafka_format() {
  local libs="$1" data="$2" props="$3" id
  shift 3
  [ ! -f "$data/kraft-logs/meta.properties" ] || return 0
  if [ ! -s "$data/cluster.id" ]; then
    id="$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)" ||
      die "could not generate a cluster id with kafka.tools.StorageTool"
    echo "$id" >"$data/cluster.id"
  fi
  log "formatting $data/kraft-logs (cluster id $(cat "$data/cluster.id"))"
  java -cp "$libs/*" -Dlog4j.configuration="file:$KAFKA_SERVICE_DIR/log4j.properties" kafka.tools.StorageTool \
    format --ignore-formatted -t "$(cat "$data/cluster.id")" -c "$props" "$@" >&2 ||
    die "kafka.tools.StorageTool could not format $data/kraft-logs"
}

# kafka_exec LIBS DATA PROPS HEAP_OPTS — execs the broker in the foreground with the JVM flags
# bin/kafka-server-start.sh uses (the heap is the caller's, sized for a shared dev machine).
kafka_exec() {
  local libs="$1" data="$2" props="$3" heap="$4"
  # shellcheck disable=SC2086 # the heap options are several words
  exec java $heap \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_SERVICE_DIR/log4j.properties" -Dkafka.logs.dir="$data" \
    -cp "$libs/*" kafka.Kafka "$props"
}
