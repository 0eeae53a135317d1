#!/usr/bin/env bash
# Installs the cluster profile's brokers (kafka-1, kafka-2, kafka-3): the same Kafka jars as
# services/kafka (its install.sh, cached), and the one KRaft cluster id the three nodes are formatted
# with, made here once in $CITYPULSE_STACK/data/kafka-cluster/cluster.id (each node copies it into its
# own data dir before its first format).
set -euo pipefail
SVC=kafka-cluster
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
. "$here/../kafka/broker.sh"

SVC=kafka bash "$here/../kafka/install.sh"
kafka_cluster_id "$(kafka_libs)" "$STACK_DATA/kafka-cluster/cluster.id"
log "cluster id $(cat "$STACK_DATA/kafka-cluster/cluster.id") ($STACK_DATA/kafka-cluster/cluster.id)"
