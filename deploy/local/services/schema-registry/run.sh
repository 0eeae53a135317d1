#!/usr/bin/env bash
# Runs Apicurio Registry in the foreground on 127.0.0.1:$SCHEMA_REGISTRY_PORT. Clients use its
# Confluent-compatible API, $SCHEMA_REGISTRY_URL (= .../apis/ccompat/v7). Schemas are stored in an
# H2 database file in $CITYPULSE_STACK/data/schema-registry, so ids survive restarts and the
# registry does not need Kafka to start.
set -euo pipefail
SVC=schema-registry
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

: "${SCHEMA_REGISTRY_VERSION:?SCHEMA_REGISTRY_VERSION is not set in .env (copy it from .env.example)}"
: "${SCHEMA_REGISTRY_PORT:?SCHEMA_REGISTRY_PORT is not set in .env (copy it from .env.example)}"
need_cmd java "the schema registry (Apicurio) needs a Java 17+ runtime (apt-get install openjdk-17-jre-headless)"

home="$STACK_CACHE/schema-registry/$SCHEMA_REGISTRY_VERSION"
[ -f "$home/.installed" ] ||
  die "Apicurio Registry $SCHEMA_REGISTRY_VERSION is not installed in $STACK_CACHE/schema-registry; run $here/install.sh first"
port_free "$SCHEMA_REGISTRY_PORT" ||
  die "port $SCHEMA_REGISTRY_PORT is already taken on 127.0.0.1 (another registry running? see 'ss -ltnp')"

data="$STACK_DATA/schema-registry"
mkdir -p "$data/tmp"

# System properties override the app's built-in application.properties.
#  - compatibility: a default global rule, BACKWARD like Confluent's default; subjects may override it
#  - deletion: Confluent clients (and tests) delete subjects; Apicurio forbids it by default
#  - access log off: the readiness probe would fill the log with GET /subjects lines
#  - a small connection pool: the default keeps 20 H2 connections open for one developer
# JVM: C1 only (TieredStopAtLevel=1) starts it ~2.5x faster on a busy 2-core machine (8-10 s instead
# of 23 s, measured) and a registry serves a handful of requests per second; serial GC, small heap.
exec java ${SCHEMA_REGISTRY_HEAP_OPTS:--Xms64m -Xmx512m} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -Djava.awt.headless=true \
  -Dquarkus.http.host=127.0.0.1 \
  -Dquarkus.http.port="$SCHEMA_REGISTRY_PORT" \
  -Dapicurio.storage.kind=sql \
  -Dapicurio.storage.sql.kind=h2 \
  -Dapicurio.datasource.url="jdbc:h2:file:$data/registry" \
  -Dapicurio.datasource.jdbc.initial-size=2 \
  -Dapicurio.datasource.jdbc.min-size=2 \
  -Dapicurio.datasource.jdbc.max-size=20 \
  -Dapicurio.rules.global.compatibility="${SCHEMA_REGISTRY_COMPATIBILITY:-BACKWARD}" \
  -Dapicurio.rest.deletion.artifact.enabled=true \
  -Dapicurio.rest.deletion.artifact-version.enabled=true \
  -Dapicurio.rest.deletion.group.enabled=true \
  -Dapicurio.storage.snapshot.location="$data/tmp" \
  -Dapicurio.import.work-dir="$data/tmp" \
  -Djava.io.tmpdir="$data/tmp" \
  -Dquarkus.http.access-log.enabled=false \
  -Dquarkus.log.console.format='%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{3.}] %s%e%n' \
  -jar "$home/app/$(cat "$home/runner")"
