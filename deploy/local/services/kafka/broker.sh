# Source me (after lib.sh): what every native Kafka broker of the stack shares — a KRaft node that is
# both broker and controller, on 127.0.0.1 — so services/kafka (plaintext), services/kafka-secure
# (SASL/SCRAM over TLS) and the cluster profile's three nodes (services/kafka-cluster) differ only in
# their listeners, security settings and the controller quorum they belong to.
# shellcheck shell=bash

KAFKA_SERVICE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# kafka_libs — the installed Kafka jars (services/kafka/install.sh), or dies naming the fix.
kafka_libs() {
  : "${KAFKA_VERSION:?KAFKA_VERSION is not set in .env (copy it from .env.example)}"
  [ -f "$STACK_CACHE/kafka/$KAFKA_VERSION/.installed" ] ||
    die "Kafka $KAFKA_VERSION is not installed in $STACK_CACHE/kafka; run deploy/local/stack.sh install kafka first"
  echo "$STACK_CACHE/kafka/$KAFKA_VERSION/libs"
}

# kafka_plaintext_listeners PORT CONTROLLER_PORT — the listener lines of a plaintext node: clients and
# the other brokers on PORT, the controller quorum on CONTROLLER_PORT, both on 127.0.0.1 only.
kafka_plaintext_listeners() {
  cat <<PROPS
listeners=PLAINTEXT://127.0.0.1:${1},CONTROLLER://127.0.0.1:${2}
advertised.listeners=PLAINTEXT://127.0.0.1:${1}
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
PROPS
}

# kafka_replication NODES — "RF MIN_ISR": the replication a cluster of NODES brokers gives its topics:
# min(NODES, 3) replicas, and min.insync.replicas one less (at least 1), so that an acknowledged
# record (acks=all) is on two brokers of three and one broker may be down without stopping writes.
# One broker: 1 and 1 (it cannot hold more); three: 3 and 2.
kafka_replication() {
  local n="$1" rf
  rf=$((n < 3 ? n : 3))
  echo "$rf $((rf > 1 ? rf - 1 : 1))"
}

# kafka_common_props DATA NODE_ID VOTERS — server.properties lines every node of the stack has (the
# node, the controller quorum VOTERS as "id@host:port,...", storage, topics, retention); the caller
# adds its listeners. The replication defaults follow the quorum's size (kafka_replication): topics
# are created with the cluster's default replication factor and min.insync.replicas (libs/kafka's
# ensureTopics asks for the broker's default), so a client never has to know how many brokers there are.
kafka_common_props() {
  local data="$1" node_id="$2" voters="$3" rf min_isr nodes
  IFS=, read -ra nodes <<<"$voters"
  read -r rf min_isr <<<"$(kafka_replication "${#nodes[@]}")"
  cat <<PROPS
process.roles=broker,controller
node.id=${node_id}
controller.quorum.voters=${voters}
controller.listener.names=CONTROLLER
log.dirs=${data}/kraft-logs

# Topics are declared (libs/contracts) and created by an admin client, never by a typo in a
# producer; set KAFKA_AUTO_CREATE_TOPICS=true in .env to get the permissive behaviour back.
auto.create.topics.enable=${KAFKA_AUTO_CREATE_TOPICS:-false}
num.partitions=3
# Replication from the size of the quorum (kafka_replication): the topics' defaults, and the
# internal topics', which consumer groups and transactions need before they can start.
default.replication.factor=${rf}
min.insync.replicas=${min_isr}
offsets.topic.replication.factor=${rf}
transaction.state.log.replication.factor=${rf}
transaction.state.log.min.isr=${min_isr}
# 50 partitions each (the default) makes the first consumer group and the first transaction wait
# while 100 logs are created on a small machine; 10 is plenty here.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
# Never elect a replica that is not in sync: that would lose acknowledged records (Kafka's default).
unclean.leader.election.enable=false
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

# kafka_cluster_id LIBS FILE — makes FILE hold a new KRaft cluster id once (StorageTool random-uuid);
# an existing one is kept, so a restart or a re-format after a crash mid-format reuses it.
kafka_cluster_id() {
  local libs="$1" file="$2" id
  [ ! -s "$file" ] || return 0
  id="$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)" ||
    die "could not generate a cluster id with kafka.tools.StorageTool"
  mkdir -p "$(dirname "$file")"
  echo "$id" >"$file"
}

# kafka_format LIBS DATA PROPS [StorageTool format args...] — formats DATA/kraft-logs once, with the
# cluster id of DATA/cluster.id (made by kafka_cluster_id when missing; the nodes of one cluster are
# given the same file first). Extra arguments (--add-scram ...) go to StorageTool's format.
kafka_format() {
  local libs="$1" data="$2" props="$3"
  shift 3
  [ ! -f "$data/kraft-logs/meta.properties" ] || return 0
  kafka_cluster_id "$libs" "$data/cluster.id"
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
