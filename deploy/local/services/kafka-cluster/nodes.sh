# Source me (after lib.sh): the cluster profile's three Kafka nodes and their ports, from the env file
# (KAFKA_CLUSTER_<N>_PORT, KAFKA_CLUSTER_<N>_CONTROLLER_PORT).
# shellcheck shell=bash

CLUSTER_NODES=(1 2 3)

_cluster_var() {
  local v="$1"
  [ -n "${!v:-}" ] || die "$v is not set in .env (copy it from .env.example)"
  echo "${!v}"
}
cluster_port() { _cluster_var "KAFKA_CLUSTER_${1}_PORT"; }
cluster_controller_port() { _cluster_var "KAFKA_CLUSTER_${1}_CONTROLLER_PORT"; }

# cluster_voters — controller.quorum.voters of the three nodes: 1@127.0.0.1:<port>,2@...,3@...
cluster_voters() {
  local n out=()
  for n in "${CLUSTER_NODES[@]}"; do out+=("$n@127.0.0.1:$(cluster_controller_port "$n")"); done
  (IFS=,; echo "${out[*]}")
}
