#!/bin/sh
# Prometheus under docker compose, with the native stack's own scrape config.
#
# deploy/prometheus/prometheus.yml is a template for the native stack: every target is
# `127.0.0.1:${SOME_PORT}` under a job named after the service. Containers are not on 127.0.0.1, so
# this renders the same file with each target's host replaced by its job's name, which is a compose
# service name or network alias (`spark` is the spark-job service's alias), and ${SOME_PORT} by its
# value. Same jobs, same ports, one file to edit: a job added to the template is scraped here too
# (deploy/docker/check-compose.sh fails when a job has no service of its name). The `stack`
# external label becomes citypulse-compose. The alert rules (deploy/prometheus/rules, mounted at
# /etc/citypulse/rules) are linked beside the rendered file, where its rule_files looks.
#
#   prometheus-entrypoint.sh --render TEMPLATE   print the rendered config (for checks) and exit
#
# POSIX sh + awk: the prom/prometheus image is busybox-based.
set -eu

render() {
  awk '
    /job_name:/ { job = $NF; gsub(/["\047]/, "", job) }
    /stack: *citypulse-local/ { sub(/citypulse-local/, "citypulse-compose") }
    {
      line = $0
      while (match(line, /127\.0\.0\.1:\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
        var = substr(line, RSTART + 12, RLENGTH - 13)
        if (!(var in ENVIRON) || ENVIRON[var] == "") {
          print "prometheus-entrypoint: " var " is not set (job " job ")" > "/dev/stderr"; exit 1
        }
        line = substr(line, 1, RSTART - 1) job ":" ENVIRON[var] substr(line, RSTART + RLENGTH)
      }
      if (line ~ /\$\{/) { print "prometheus-entrypoint: unrendered placeholder: " line > "/dev/stderr"; exit 1 }
      print line
    }' "$1"
}

if [ "${1:-}" = "--render" ]; then
  render "$2"
  exit 0
fi

TEMPLATE="${PROMETHEUS_TEMPLATE:-/etc/citypulse/prometheus.yml}"
OUT=/prometheus/prometheus.yml
: "${PROMETHEUS_PORT:?PROMETHEUS_PORT is not set}"
render "$TEMPLATE" >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
# the template's rule_files (rules/*.yml) is relative to the rendered file
RULES="${PROMETHEUS_RULES:-/etc/citypulse/rules}"
rm -rf /prometheus/rules
ln -s "$RULES" /prometheus/rules
echo "prometheus-entrypoint: rendered $TEMPLATE -> $OUT"
exec /bin/prometheus --config.file="$OUT" --storage.tsdb.path=/prometheus \
  --storage.tsdb.retention.time="${PROMETHEUS_RETENTION:-7d}" \
  --web.listen-address=":$PROMETHEUS_PORT" --web.enable-lifecycle "$@"
