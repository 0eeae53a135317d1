#!/usr/bin/env bash
# Exits 0 when the secured broker takes a TLS connection that verifies against the stack's CA,
# authenticates the client user with SCRAM-SHA-512 and answers Metadata with a live controller
# (secure-check.mjs: plain node, no node_modules, no JVM).
set -euo pipefail
SVC=kafka-secure
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
need_cmd node "the secured Kafka's readiness check runs on Node.js 20+"
: "${KAFKA_SECURE_PORT:?KAFKA_SECURE_PORT is not set in .env (copy it from .env.example)}"
export KAFKA_SECURE_USERNAME KAFKA_SECURE_PASSWORD
exec node "$here/secure-check.mjs" 127.0.0.1 "$KAFKA_SECURE_PORT" "$STACK_DATA/kafka-secure/tls/ca.pem" 5000
