#!/usr/bin/env bash
# Runs Prometheus in the foreground on 127.0.0.1:$PROMETHEUS_PORT. Its config is rendered at every
# start from deploy/prometheus/prometheus.yml with the env file's ports; TSDB in
# $CITYPULSE_STACK/data/prometheus/tsdb (7 days kept); alert rules from deploy/prometheus/rules.
set -euo pipefail
SVC=prometheus
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

bin="$STACK_CACHE/prometheus/bin/prometheus"
[ -x "$bin" ] || die "$bin is missing: run deploy/local/stack.sh install prometheus"
: "${PROMETHEUS_PORT:?PROMETHEUS_PORT is not set in the env file}"
data="$STACK_DATA/prometheus"
mkdir -p "$data/tsdb"
render_template "$CITYPULSE_ROOT/deploy/prometheus/prometheus.yml" "$data/prometheus.yml"
# rule_files (rules/*.yml) is relative to the rendered config: the repo's rules, live (a reload
# through /-/reload picks up an edit)
ln -sfn "$CITYPULSE_ROOT/deploy/prometheus/rules" "$data/rules"

exec "$bin" --config.file="$data/prometheus.yml" --storage.tsdb.path="$data/tsdb" \
  --storage.tsdb.retention.time=7d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
  --web.enable-lifecycle
