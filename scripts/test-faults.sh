#!/usr/bin/env bash
# `make test-faults`: the fault suite (issue #11) against the real native stack, one case after the
# other (e2e/test/faults/*.fault-spec.ts; what each does: e2e/test/faults/README.md).
#   1. workspace install and the apps' builds (turbo; cached), the Spark venv and jars
#   2. the native stack: started here when it is down, and stopped again at the end
#   3. the cases; FAULTS=kafka,spark runs those whose file name contains one of the words
# The cases on the cluster profile (cluster-*.fault-spec.ts) run only when asked: `make
# test-faults-cluster` (this script with the argument `cluster`: FAULTS=cluster unless set) or a
# FAULTS word naming them; the cluster profile is then started beside the stack when it is down,
# and stopped again at the end.
# The cases kill, freeze and stop the stack's own services (Kafka, FerretDB, PostgreSQL): run them
# on a stack of their own, not one other people are using (deploy/local/README.md, "Running a
# second stack"). Ends with one line per case (result, minutes) and "citypulse faults: N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/env.sh"
. "$(dirname "$0")/lib.sh"
cd "$CITYPULSE_ROOT"
export TURBO_TELEMETRY_DISABLED=1 COREPACK_ENABLE_DOWNLOAD_PROMPT=0
case "${1:-}" in
  "") ;;
  cluster) FAULTS="${FAULTS:-cluster}" ;;
  *) echo "usage: scripts/test-faults.sh [cluster]   (FAULTS=word,word picks cases)" >&2; exit 2 ;;
esac

# the cases to run: those whose file name contains a word of FAULTS, else every case but the
# cluster profile's
specs=() need_cluster=0
for f in e2e/test/faults/*.fault-spec.ts; do
  name="$(basename "$f")" pick=0
  if [ -n "${FAULTS:-}" ]; then
    IFS=',' read -ra words <<<"$FAULTS"
    for w in "${words[@]}"; do
      if [[ -n "$w" && "$name" == *"$w"* ]]; then pick=1; fi
    done
  elif [[ "$name" != cluster-* ]]; then
    pick=1
  fi
  [ "$pick" = 1 ] || continue
  specs+=("test/faults/${name//./\\.}\$")
  if [[ "$name" == cluster-* ]]; then need_cluster=1; fi
done
[ ${#specs[@]} -gt 0 ] || { echo "no fault case matches FAULTS=${FAULTS:-}" >&2; exit 2; }

step "build"
build_flow

# end_orphans — the services of a case whose runner died (a timeout, Ctrl-C) outlive it in their own
# process groups; the harness lists them (pid and start time) in the stack's run folder.
end_orphans() {
  local f="$CITYPULSE_STACK/run/fault-children.pids" pid start
  [ -f "$f" ] || return 0
  while read -r pid start; do
    [ -n "$pid" ] && [ "$(cut -d' ' -f22 "/proc/$pid/stat" 2>/dev/null)" = "$start" ] || continue
    echo "ending process group $pid, left behind by the fault runner" >&2
    kill -KILL -- "-$pid" 2>/dev/null || true
  done <"$f"
  rm -f "$f"
}

step "native stack"
use_stack
trap 'end_orphans; _stop_profile_if_ours; _stop_stack_if_ours' EXIT
echo "the fault cases kill and stop this stack's services (KAFKA_PORT=$KAFKA_PORT): keep other work off it"
if [ "$need_cluster" = 1 ]; then
  step "cluster profile"
  use_profile cluster
  echo "the cluster cases kill its brokers (KAFKA_CLUSTER_BROKERS=$KAFKA_CLUSTER_BROKERS)"
fi

step "fault cases"
results="$CITYPULSE_ROOT/e2e/.test-results/faults.json"
rm -f "$results"
rc=0
pnpm --filter @citypulse/e2e run test:faults -- "${specs[@]}" || rc=$?

step "summary"
if [ -f "$results" ]; then
  python3 - "$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for suite in r["testResults"]:
    for t in suite["assertionResults"]:
        print(f"  {t['status']:7} {t['duration'] / 60000:5.1f} min  {t['title']}")
print(f"citypulse faults: {r['numPassedTests']} passed, {r['numFailedTests'] + r['numRuntimeErrorTestSuites']} failed")
PY
fi
exit "$rc"
