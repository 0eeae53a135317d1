#!/usr/bin/env bash
# One-shot set-up of Redpanda for `docker compose up` (service redpanda-init, run with the Redpanda
# image for its rpk), the compose counterpart of what the native stack's Kafka config and
# registry flags do:
#   1. waits until the cluster answers with at least REDPANDA_REPLICATION_FACTOR brokers;
#   2. cluster settings as the native Kafka has them (deploy/local/services/kafka/broker.sh): no topic
#      auto-creation (KAFKA_AUTO_CREATE_TOPICS), 3 partitions for a topic created without a count
#      (num.partitions=3 there; the DLQs the consumers create get it), the replication factor,
#      retention, no initial rebalance delay;
#   3. creates every topic of libs/contracts/topics.json with its partitions (an existing topic with
#      fewer partitions gets more; never fewer: Kafka cannot shrink a topic);
#   4. sets the schema registry's global compatibility (SCHEMA_REGISTRY_COMPATIBILITY, BACKWARD).
# Idempotent: a second `docker compose up` finds everything in place.
#
#   redpanda-init.sh                       the set-up (inside the compose network)
#   redpanda-init.sh --list-topics FILE    prints "topic partitions" per stream of FILE and exits;
#                                          deploy/docker/check-compose.sh compares it with an
#                                          independent JSON parser, so this parser cannot drift
set -euo pipefail

# topics.json -> "topic partitions" lines. The Redpanda image has no jq or python, so this is a
# small JSON tokenizer in POSIX awk: it follows the key path and emits, for every object directly
# under "streams", its "topic" and "partitions" (1 when absent, as libs/contracts reads it).
list_topics() {
  awk '
    { buf = buf $0 "\n" }
    END {
      s = buf; n = 0
      while (length(s) > 0) {
        if (match(s, /^[ \t\r\n]+/)) { s = substr(s, RLENGTH + 1); continue }
        if (match(s, /^"([^"\\]|\\.)*"/)) { n++; tok[n] = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1); continue }
        if (match(s, /^-?[0-9][0-9.eE+-]*/)) { n++; tok[n] = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1); continue }
        if (match(s, /^[a-z]+/)) { n++; tok[n] = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1); continue }
        n++; tok[n] = substr(s, 1, 1); s = substr(s, 2)
      }
      depth = 0
      for (i = 1; i <= n; i++) {
        t = tok[i]
        if (t == "{" || t == "[") { depth++; kind[depth] = t; key[depth] = ""; if (depth == 3) { topic = ""; parts = 1; cfg = "" }; continue }
        if (t == "}" || t == "]") {
          if (depth == 3 && kind[3] == "{" && key[1] == "streams" && topic != "") print topic, parts cfg
          depth--; continue
        }
        if (t == "," ) continue
        # a key: a string followed by ":" inside an object
        if (kind[depth] == "{" && substr(t, 1, 1) == "\"" && tok[i + 1] == ":") { key[depth] = substr(t, 2, length(t) - 2); i++; continue }
        # a scalar value of the current key
        if (depth == 3 && key[1] == "streams" && key[3] == "topic") topic = substr(t, 2, length(t) - 2)
        if (depth == 3 && key[1] == "streams" && key[3] == "partitions") parts = t + 0
        # "configs": { "cleanup.policy": "compact" } -> " cleanup.policy=compact"
        if (depth == 4 && key[1] == "streams" && key[3] == "configs") cfg = cfg " " key[4] "=" substr(t, 2, length(t) - 2)
      }
    }' "$1"
}

if [ "${1:-}" = "--list-topics" ]; then
  list_topics "${2:?usage: redpanda-init.sh --list-topics FILE}"
  exit 0
fi

TOPICS_FILE="${TOPICS_FILE:-/citypulse/topics.json}"
BROKERS="${REDPANDA_BROKERS:-redpanda:9092}"
ADMIN="${REDPANDA_ADMIN:-redpanda:9644}"
REGISTRY="${REDPANDA_REGISTRY:-redpanda:8081}"
RF="${REDPANDA_REPLICATION_FACTOR:-1}"
COMPAT="${SCHEMA_REGISTRY_COMPATIBILITY:-BACKWARD}"
AUTO_CREATE="${KAFKA_AUTO_CREATE_TOPICS:-false}"
WAIT_SECONDS="${REDPANDA_INIT_WAIT_SECONDS:-180}"

log() { echo "redpanda-init: $*"; }
die() { echo "redpanda-init: ERROR: $*" >&2; exit 1; }
r() { rpk "$@" -X brokers="$BROKERS" -X admin.hosts="$ADMIN" -X registry.hosts="$REGISTRY"; }

[ -r "$TOPICS_FILE" ] || die "$TOPICS_FILE is not readable (mount libs/contracts/topics.json there)"
mapfile -t wanted < <(list_topics "$TOPICS_FILE")
[ "${#wanted[@]}" -gt 0 ] || die "no streams found in $TOPICS_FILE"

# 1. brokers
log "waiting for $RF broker(s) at $BROKERS (up to ${WAIT_SECONDS}s)"
deadline=$((SECONDS + WAIT_SECONDS)); brokers=0
while :; do
  # `rpk cluster info -b` lists one line per broker under "ID HOST PORT" (the controller's id has a *)
  brokers="$(r cluster info -b 2>/dev/null | awk '$1 ~ /^[0-9]+\*?$/' | wc -l || true)"
  [ "$brokers" -ge "$RF" ] && break
  [ "$SECONDS" -lt "$deadline" ] ||
    die "only $brokers broker(s) answer, REDPANDA_REPLICATION_FACTOR=$RF needs $RF (three: start with --profile cluster)"
  sleep 2
done
log "$brokers broker(s) up"

# 2. cluster settings
r cluster config set auto_create_topics_enabled "$AUTO_CREATE" >/dev/null
r cluster config set default_topic_partitions 3 >/dev/null
r cluster config set default_topic_replications "$RF" >/dev/null
# the native broker's retention (a week or 1 GiB per partition) and rebalance delay (none)
r cluster config set log_retention_ms 604800000 >/dev/null
r cluster config set retention_bytes 1073741824 >/dev/null
r cluster config set group_initial_rebalance_delay 0 >/dev/null
log "cluster config: auto_create_topics_enabled=$AUTO_CREATE default_topic_partitions=3" \
  "default_topic_replications=$RF log_retention_ms=604800000 retention_bytes=1073741824"

# 3. topics
declare -A have=()
while read -r name parts _; do
  [ -n "$name" ] && have["$name"]="$parts"
done < <(r topic list 2>/dev/null | awk 'NR > 1 { print $1, $2 }')
for line in "${wanted[@]}"; do
  read -r topic parts configs <<<"$line"
  read -ra configs <<<"${configs:-}" # topics.json "configs" as key=value words
  create_args=() set_args=()
  for c in "${configs[@]}"; do create_args+=(-c "$c"); set_args+=(--set "$c"); done
  if [ -z "${have[$topic]:-}" ]; then
    r topic create "$topic" --partitions "$parts" --replicas "$RF" "${create_args[@]}" >/dev/null ||
      die "could not create topic $topic"
    log "created $topic ($parts partitions, replication $RF${configs[*]:+, ${configs[*]}})"
  elif [ "${have[$topic]}" -lt "$parts" ]; then
    r topic add-partitions "$topic" --num "$((parts - have[$topic]))" >/dev/null ||
      die "could not add partitions to $topic"
    log "$topic: ${have[$topic]} -> $parts partitions"
  else
    log "$topic exists (${have[$topic]} partitions)"
  fi
  # a topic created before (or by someone else) gets the configs its contract names
  if [ -n "${have[$topic]:-}" ] && [ "${#set_args[@]}" -gt 0 ]; then
    r topic alter-config "$topic" "${set_args[@]}" >/dev/null || die "could not set ${configs[*]} on $topic"
    log "$topic: ${configs[*]}"
  fi
done

# 4. schema registry: global compatibility (Redpanda's registry runs in the broker; subjects may
# override it, as the contracts' registry helpers do with the same level)
until r registry subject list >/dev/null 2>&1; do
  [ "$SECONDS" -lt "$deadline" ] || die "the schema registry at $REGISTRY does not answer"
  sleep 2
done
# (rpk reports a refused level in its output's error column, not always in its exit code: read it back)
r registry compatibility-level set --level "$COMPAT" >/dev/null || true
level="$(r registry compatibility-level get 2>/dev/null | awk '$1 == "{GLOBAL}" { print $2 }')"
[ "$level" = "$COMPAT" ] ||
  die "could not set the registry's global compatibility to $COMPAT (it reports '${level:-nothing}')"
log "schema registry: global compatibility $COMPAT"
log "done: ${#wanted[@]} topics from $(basename "$TOPICS_FILE")"
