#!/usr/bin/env bash
# The supervisor's entry point for one service: notes the service's pid and start time in
# $CITYPULSE_STACK/run/<svc>.pid, then execs services/<svc>/run.sh (which execs the service, so the
# pid stays the service's). `stack.sh down` uses these files to make sure every service is gone
# even if the supervisor itself died, without ever signalling a process found by name. A numbered
# node of the cluster profile (kafka-2, spark-worker-1) runs its folder's run.sh with its number
# (lib.sh's service_home).
set -euo pipefail
svc="${1:?usage: run-service.sh <service>}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${CITYPULSE_STACK:?CITYPULSE_STACK is not set (start services with deploy/local/stack.sh up)}"
. "$here/lib.sh"
run="$CITYPULSE_STACK/run"
mkdir -p "$run"
# Field 22 of /proc/<pid>/stat is the start time; with the pid it names exactly one process.
echo "$$ $(cut -d' ' -f22 "/proc/$$/stat")" >"$run/$svc.pid"
read -r dir arg <<<"$(service_home "$svc")"
exec "$here/services/$dir/run.sh" ${arg:+"$arg"}
