#!/usr/bin/env bash
# Ready when Prometheus answers /-/ready with 200.
set -euo pipefail
SVC=prometheus
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
curl -fsS -m 3 -o /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"
