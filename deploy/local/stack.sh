#!/usr/bin/env bash
# The native local stack: every real service citypulse uses, as supervised processes on 127.0.0.1.
#
#   deploy/local/stack.sh install [svc...]   install (idempotent; a second run reuses the cache)
#   deploy/local/stack.sh up                 install, pre-flight, start, wait until all are healthy
#   deploy/local/stack.sh down               stop everything `up` started, and nothing else
#   deploy/local/stack.sh status [--quiet]   each service's state; exit 1 if one is down/unhealthy
#   deploy/local/stack.sh logs [svc] [-f]    where each service logs, or one service's log
#   deploy/local/stack.sh up|down|status secure   the same for the opt-in secured profile: Kafka with
#                                            SASL/SCRAM over TLS and the registry behind basic auth
#   deploy/local/stack.sh up|down|status cluster  the same for the opt-in cluster profile: three Kafka
#                                            brokers (RF 3, min ISR 2) and a Spark standalone master
#                                            with two workers (kill|stop|start <svc> cluster too)
#   deploy/local/stack.sh kill <svc> [SIG]   signal one service's own process (default SIGKILL): faults
#   deploy/local/stack.sh stop <svc>         stop one service (the supervisor does not restart it)
#   deploy/local/stack.sh start <svc>        start one service again (or wait for the supervisor's
#                                            restart) and wait until it is healthy
#
# process-compose supervises (dependency order, readiness probes, restarts, a log per service); it
# runs in the background, detached from this shell, and answers on a unix socket in
# $CITYPULSE_STACK/run, which is how `status` and `down` find it. See deploy/local/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

# A profile is a set of services under a supervisor of its own: the default stack, `secure` (opt-in,
# beside it: the secured Kafka, and the schema registry behind basic auth, a proxy in front of the
# default stack's registry) or `cluster` (opt-in, beside it: three Kafka brokers and a Spark
# standalone master with two workers). An argument `secure` or `cluster` anywhere picks it.
PROFILE=default
_args=()
for _a in "$@"; do
  case "$_a" in secure | cluster) PROFILE="$_a" ;; *) _args+=("$_a") ;; esac
done
set -- ${_args[@]+"${_args[@]}"}

# Supervised services, in start order, and the port each one answers on (from the env file), and
# the other ports each one takes.
declare -A PORT=(
  [kafka]="$KAFKA_PORT" [schema-registry]="$SCHEMA_REGISTRY_PORT" [ferretdb]="$MONGO_PORT"
  [postgres]="$POSTGRES_PORT" [prometheus]="$PROMETHEUS_PORT"
  [kafka-secure]="$KAFKA_SECURE_PORT" [registry-auth]="$SCHEMA_REGISTRY_SECURE_PORT"
  [kafka-1]="$KAFKA_CLUSTER_1_PORT" [kafka-2]="$KAFKA_CLUSTER_2_PORT" [kafka-3]="$KAFKA_CLUSTER_3_PORT"
  [spark-master]="$SPARK_MASTER_PORT"
  [spark-worker-1]="$SPARK_WORKER_1_UI_PORT" [spark-worker-2]="$SPARK_WORKER_2_UI_PORT"
)
declare -A MORE_PORTS=(
  [kafka]="$KAFKA_CONTROLLER_PORT" [kafka-secure]="$KAFKA_SECURE_CONTROLLER_PORT"
  [kafka-1]="$KAFKA_CLUSTER_1_CONTROLLER_PORT" [kafka-2]="$KAFKA_CLUSTER_2_CONTROLLER_PORT"
  [kafka-3]="$KAFKA_CLUSTER_3_CONTROLLER_PORT" [spark-master]="$SPARK_MASTER_UI_PORT"
)
PC="$STACK_CACHE/bin/process-compose"
RUN="$CITYPULSE_STACK/run"
if [ "$PROFILE" = secure ]; then
  SERVICES=(kafka-secure registry-auth)
  INSTALLABLE=(process-compose "${SERVICES[@]}")
  SUFFIX=-secure                      # of its supervisor's config, socket, pid file and log
  PROFILE_ARG=" secure"               # in the commands this script prints
  NAME="citypulse secure profile"
elif [ "$PROFILE" = cluster ]; then
  SERVICES=(kafka-1 kafka-2 kafka-3 spark-master spark-worker-1 spark-worker-2)
  # the brokers' jars and their shared cluster id; Spark (the venv's pyspark) for the master and workers
  INSTALLABLE=(process-compose kafka-cluster spark)
  SUFFIX=-cluster PROFILE_ARG=" cluster" NAME="citypulse cluster profile"
else
  SERVICES=(kafka schema-registry ferretdb postgres prometheus)
  # Everything `install` installs: the supervisor, the services, and Spark (local mode: a library
  # the job and tests load, no long-running process).
  INSTALLABLE=(process-compose "${SERVICES[@]}" spark)
  SUFFIX="" PROFILE_ARG="" NAME="citypulse stack"
fi
PC_NAME="process-compose$SUFFIX"
PC_FILE="$here/process-compose$SUFFIX.yaml" # process-compose-secure.yaml, -cluster.yaml
SOCK="$RUN/$PC_NAME.sock"
# A unix socket path must fit in 108 bytes; a deep checkout gets one in /tmp, named after it.
if [ ${#SOCK} -gt 100 ]; then
  SOCK="/tmp/citypulse-pc$SUFFIX-$(printf '%s' "$CITYPULSE_STACK" | sha256sum | cut -c1-12).sock"
fi
PIDFILE="$RUN/$PC_NAME.pid"
PC_LOG="$STACK_LOGS/$PC_NAME.log"
UP_TIMEOUT="${STACK_UP_TIMEOUT:-300}"
DOWN_TIMEOUT="${STACK_DOWN_TIMEOUT:-60}"
mkdir -p "$RUN"

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }

install_script() {
  case "$1" in
    process-compose) echo "$here/supervisor/install.sh" ;;
    *) echo "$here/services/$1/install.sh" ;;
  esac
}

cmd_install() {
  local svcs=("$@") svc script t0
  [ ${#svcs[@]} -gt 0 ] || svcs=("${INSTALLABLE[@]}")
  for svc in "${svcs[@]}"; do
    script="$(install_script "$svc")"
    [ -f "$script" ] || die "unknown service '$svc' (no $script); known: ${INSTALLABLE[*]}"
    t0=$SECONDS
    SVC="$svc" bash "$script" || die "installing $svc failed (see the messages above; script: $script)"
    log "$svc: installed ($((SECONDS - t0)) s)"
  done
}

# --- talking to the supervisor ---------------------------------------------------------------

pc_client() { "$PC" --unix-socket "$SOCK" "$@" 2>/dev/null; }

# The daemon's pid when it is alive and is the process-compose we started, else nothing.
pc_pid() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  grep -qa process-compose "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

# One line per service: name status ready restarts pid exit_code. Empty when nobody answers.
pc_states() {
  local json
  json="$(pc_client process list -o json)" || return 1
  python3 -c '
import json, sys
for p in json.loads(sys.argv[1]) or []:
    print(p["name"], p["status"], (p.get("is_ready") or "-").replace(" ", "_"),
          p.get("restarts", 0), p.get("pid", 0), p.get("exit_code", 0))
' "$json"
}

# --- likely causes, from a failing service's log -------------------------------------------

likely_cause() {
  local svc="$1" logf="$STACK_LOGS/$1.log"
  local text
  text="$(tail -n 200 "$logf" 2>/dev/null || true)"
  case "$text" in
    *"already taken"* | *"Address already in use"* | *"address already in use"* | *BindException*)
      echo "port ${PORT[$svc]:-?} is taken by another process (ss -ltnp 'sport = :${PORT[$svc]:-0}'); change it in .env or stop that process" ;;
    *"needs a Java"* | *"java: not found"* | *"java: command not found"*)
      echo "Java is missing: install a Java 17 runtime (apt-get install openjdk-17-jre-headless)" ;;
    *"is not set in the env file"* | *"is not set in .env"*)
      echo "a variable is missing from .env: compare it with .env.example and add what is missing" ;;
    *"is not installed"* | *"is missing: run"*)
      echo "not installed: run deploy/local/stack.sh install $svc" ;;
    *"OutOfMemoryError"* | *"Cannot allocate memory"*)
      echo "out of memory: free some memory or lower the heap in .env" ;;
    *"Permission denied"* | *"permission denied"*)
      echo "a permission problem on a file or directory named in the log" ;;
    *"lock file"* | *"postmaster.pid"*)
      echo "a stale lock file from an earlier run that did not stop cleanly; see the log" ;;
    *) echo "unknown: read the log above ($logf)" ;;
  esac
}

report_failure() {
  local svc="$1" why="$2" logf="$STACK_LOGS/$1.log"
  {
    echo
    echo "citypulse stack: $svc $why"
    echo "  log: $logf"
    echo "  likely cause: $(likely_cause "$svc")"
    echo "  last lines of the log:"
    tail -n 25 "$logf" 2>/dev/null | sed 's/^/    | /' || echo "    (no log yet)"
  } >&2
}

# --- status ----------------------------------------------------------------------------------

print_table() {
  local states="$1" svc line status ready restarts pid
  printf '%-16s %-11s %-10s %-8s %-7s %s\n' SERVICE STATE HEALTH PID PORT LOG
  for svc in "${SERVICES[@]}"; do
    line="$(grep "^$svc " <<<"$states" || true)"
    if [ -z "$line" ]; then
      status=absent ready=- pid=-
    else
      read -r _ status ready restarts pid _ <<<"$line"
      [ "$ready" = Ready ] && ready=healthy
      [ "$ready" = Not_Ready ] && ready=unhealthy
      [ "$pid" = 0 ] && pid=-
    fi
    printf '%-16s %-11s %-10s %-8s %-7s %s\n' "$svc" "$status" "$ready" "$pid" "${PORT[$svc]}" \
      "${STACK_LOGS#"$CITYPULSE_ROOT"/}/$svc.log"
  done
}

# 0 when every supervised service is running and ready.
all_healthy() {
  local states="$1" svc
  for svc in "${SERVICES[@]}"; do
    grep -q "^$svc Running Ready " <<<"$states" || return 1
  done
}

cmd_status() {
  local quiet=0 states
  [ "${1:-}" = --quiet ] && quiet=1
  if ! pc_pid >/dev/null || ! states="$(pc_states)"; then
    [ "$quiet" = 1 ] || echo "$NAME is down (deploy/local/stack.sh up$PROFILE_ARG starts it)"
    return 1
  fi
  if all_healthy "$states"; then
    [ "$quiet" = 1 ] || { print_table "$states"; echo; echo "all ${#SERVICES[@]} services healthy"; }
    return 0
  fi
  [ "$quiet" = 1 ] || { print_table "$states"; echo; echo "some services are not healthy (deploy/local/stack.sh logs <svc>)"; }
  return 1
}

# --- up --------------------------------------------------------------------------------------

preflight() {
  local problems=() svc port holder
  for svc in "${SERVICES[@]}"; do
    if service_pid "$svc" >/dev/null; then
      problems+=("$svc from an earlier run is still running without its supervisor: run deploy/local/stack.sh down first")
    fi
  done
  command -v java >/dev/null 2>&1 || problems+=("Java is missing: Kafka and the schema registry need a Java 17 runtime (apt-get install openjdk-17-jre-headless)")
  command -v node >/dev/null 2>&1 || problems+=("Node.js is missing: the Kafka and registry readiness checks run on Node 20+")
  command -v python3 >/dev/null 2>&1 || problems+=("python3 is missing: this script reads the supervisor's JSON with it")
  for svc in "${SERVICES[@]}"; do
    for port in ${PORT[$svc]} ${MORE_PORTS[$svc]:-}; do
      if ! port_free "$port"; then
        holder="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*' | head -1 | sed 's/users:((//')"
        problems+=("port $port ($svc) is already taken on 127.0.0.1${holder:+ by $holder}; stop that process or change the port in .env")
      fi
    done
  done
  if [ ${#problems[@]} -gt 0 ]; then
    printf 'citypulse stack: cannot start:\n' >&2
    printf '  - %s\n' "${problems[@]}" >&2
    exit 1
  fi
}

wait_healthy() {
  local deadline=$((SECONDS + UP_TIMEOUT)) states svc status ready restarts last=""
  while :; do
    # Liveness by pid only: right after the start the pid may still be the subshell that is about
    # to exec process-compose, so pc_pid's name check would be a race.
    if ! kill -0 "$(cat "$PIDFILE" 2>/dev/null || echo 0)" 2>/dev/null; then
      echo "citypulse stack: the supervisor (process-compose) exited during start-up; its log: $PC_LOG" >&2
      tail -n 20 "$PC_LOG" 2>/dev/null | sed 's/^/    | /' >&2
      return 1
    fi
    states="$(pc_states || true)"
    if [ -n "$states" ] && all_healthy "$states"; then return 0; fi
    # A service that crashed past its restart budget, or keeps crashing, will not come up.
    while read -r svc status ready restarts _; do
      [ -n "$svc" ] || continue
      if [ "$status" = Error ] || [ "$status" = Completed ] || [ "$status" = Skipped ] || [ "${restarts:-0}" -ge 2 ]; then
        report_failure "$svc" "failed to start (state $status, $restarts restarts)"
        return 1
      fi
    done <<<"$states"
    if [ $SECONDS -ge $deadline ]; then
      while read -r svc status ready _; do
        [ -n "$svc" ] && [ "$ready" != Ready ] || continue
        if [ "$status" = Pending ]; then
          echo "citypulse stack: $svc did not start: it waits for a dependency that is not healthy" >&2
        else
          report_failure "$svc" "is not healthy after ${UP_TIMEOUT}s (state $status, health $ready)"
        fi
      done <<<"$states"
      return 1
    fi
    # One progress line whenever the set of ready services changes.
    local now
    now="$(awk '$3 == "Ready" {print $1}' <<<"$states" | paste -sd' ')"
    if [ "$now" != "$last" ]; then log "ready so far: ${now:-none} ($((SECONDS - t_start)) s)"; last="$now"; fi
    sleep 1
  done
}

cmd_up() {
  exec 9>"$RUN/stack.lock"
  flock -n 9 || die "another stack.sh up/down is running"
  if pc_pid >/dev/null; then
    if cmd_status --quiet; then
      echo "$NAME is already up"
      cmd_status
      return 0
    fi
    log "the stack is running but not every service is healthy yet; waiting"
  else
    cmd_install
    preflight
    rm -f "$SOCK"
    # Logs are appended across runs; a header makes this run's start easy to find.
    local svc
    for svc in "${SERVICES[@]}"; do
      printf '\n===== citypulse stack up %s =====\n' "$(date -u +%FT%TZ)" >>"$STACK_LOGS/$svc.log"
    done
    log "starting ${SERVICES[*]} (process-compose; supervisor log $PC_LOG)"
    # setsid + nohup: the supervisor outlives this shell and `make`, and no terminal signal
    # (Ctrl-C in the shell that ran `make up`) reaches it. --disable-dotenv: the environment
    # already holds the env file (scripts/env.sh); process-compose must not read another .env.
    (
      cd "$CITYPULSE_ROOT"
      exec 9>&- # the lock is ours; the long-lived supervisor must not inherit it
      exec setsid nohup "$PC" up --tui=false --disable-dotenv \
        -f "$PC_FILE" --unix-socket "$SOCK" -L "$PC_LOG" \
        </dev/null >>"$STACK_LOGS/$PC_NAME.out" 2>&1
    ) &
    echo $! >"$PIDFILE"
  fi
  t_start=$SECONDS
  if ! wait_healthy; then
    if [ "${STACK_KEEP_ON_FAILURE:-0}" != 1 ]; then
      echo "citypulse stack: stopping what was started (STACK_KEEP_ON_FAILURE=1 keeps it for a look)" >&2
      cmd_down >&2 || true
    fi
    exit 1
  fi
  echo
  print_table "$(pc_states)"
  echo
  echo "$NAME is up: ${#SERVICES[@]} services healthy in $((SECONDS - t_start)) s." \
    "Stop it with: deploy/local/stack.sh down$PROFILE_ARG"
}

# --- down ------------------------------------------------------------------------------------

# The pid of a service when the process recorded in run/<svc>.pid (by run-service.sh) is still
# alive, and is the same process (same start time), else nothing.
service_pid() {
  local pid start
  { read -r pid start <"$RUN/$1.pid"; } 2>/dev/null || return 1
  [ -r "/proc/$pid/stat" ] && [ "$(cut -d' ' -f22 "/proc/$pid/stat")" = "$start" ] || return 1
  echo "$pid"
}

cmd_down() {
  local pid deadline svc sig stopped=0
  if pid="$(pc_pid)"; then
    log "stopping the stack (process-compose pid $pid)"
    pc_client down >/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + DOWN_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "process-compose did not exit within ${DOWN_TIMEOUT}s; sending it SIGTERM"
      kill -TERM "$pid" 2>/dev/null || true
      sleep 2
    fi
    stopped=1
  fi
  # Services that outlived the supervisor (it crashed, or was killed): exactly the processes
  # run-service.sh recorded, with the signal process-compose.yaml would have sent.
  deadline=$((SECONDS + DOWN_TIMEOUT))
  for svc in "${SERVICES[@]}"; do
    pid="$(service_pid "$svc")" || continue
    sig=TERM
    [ "$svc" = postgres ] && sig=INT # PostgreSQL's fast shutdown
    log "$svc (pid $pid) is still running without its supervisor; SIG$sig"
    kill "-$sig" "$pid" 2>/dev/null || true
    while service_pid "$svc" >/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if service_pid "$svc" >/dev/null; then
      log "$svc (pid $pid) ignored SIG$sig; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    stopped=1
  done
  rm -f "$SOCK" "$PIDFILE"
  for svc in "${SERVICES[@]}"; do rm -f "$RUN/$svc.pid"; done
  if [ "$stopped" = 1 ]; then echo "$NAME stopped"; else echo "$NAME is not running"; fi
}

# --- one service: faults and restarts (the fault suite, e2e/test/faults) ---------------------

known_service() {
  local s
  for s in "${SERVICES[@]}"; do [ "$s" = "$1" ] && return 0; done
  die "unknown service '$1'; known: ${SERVICES[*]}"
}

# service_ready SVC — the service's own readiness check (services/<dir>/ready.sh [node]).
service_ready() {
  local dir arg
  read -r dir arg <<<"$(service_home "$1")"
  "$here/services/$dir/ready.sh" ${arg:+"$arg"}
}

# The supervisor's state of one service: "status ready restarts pid", empty when nobody answers.
svc_state() { pc_states 2>/dev/null | awk -v s="$1" '$1 == s {print $2, $3, $4, $5}'; }

# kill <svc> [SIG] — sends SIG (default KILL) to exactly the process run-service.sh recorded for
# the service (never to anything found by name) and, for a signal that ends it, waits until it is
# gone. The supervisor then restarts it as it would after a crash (3 s later); `start` waits for that.
cmd_kill() {
  local svc="${1:?usage: stack.sh kill <svc> [SIGNAL]}" sig="${2:-KILL}" pid deadline
  known_service "$svc"
  pc_pid >/dev/null || die "the stack is not running"
  pid="$(service_pid "$svc")" || die "$svc is not running"
  sig="${sig#SIG}"
  kill "-$sig" "$pid" || die "could not send SIG$sig to $svc (pid $pid)"
  log "$svc (pid $pid): SIG$sig"
  case "$sig" in STOP | CONT | HUP | USR1 | USR2 | 0) return 0 ;; esac
  deadline=$((SECONDS + DOWN_TIMEOUT))
  while [ -r "/proc/$pid/stat" ] && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
    [ $SECONDS -lt $deadline ] || die "$svc (pid $pid) is still there ${DOWN_TIMEOUT}s after SIG$sig"
    sleep 0.1
  done
}

# stop <svc> — a clean stop through the supervisor (its shutdown signal and timeout); no restart.
cmd_stop() {
  local svc="${1:?usage: stack.sh stop <svc>}"
  known_service "$svc"
  pc_pid >/dev/null || die "the stack is not running"
  pc_client process stop "$svc" >/dev/null || true
  local deadline=$((SECONDS + DOWN_TIMEOUT))
  while service_pid "$svc" >/dev/null; do
    [ $SECONDS -lt $deadline ] || die "$svc did not stop within ${DOWN_TIMEOUT}s"
    sleep 0.2
  done
  log "$svc stopped"
}

# start <svc> — waits until the service is running and healthy again: a service the supervisor is
# restarting (after `kill` or a crash) is waited for; one it stopped, or gave up on (5 restarts),
# is started anew (which also resets its restart count).
cmd_start() {
  local svc="${1:?usage: stack.sh start <svc>}" state status ready restarts t0=$SECONDS started=0
  local deadline=$((SECONDS + UP_TIMEOUT))
  known_service "$svc"
  pc_pid >/dev/null || die "the stack is not running (deploy/local/stack.sh up)"
  while :; do
    state="$(svc_state "$svc")"
    read -r status ready restarts _ <<<"$state"
    # the supervisor's view lags a kill by a moment: the recorded process must be alive and answer too
    if [ "$status" = Running ] && [ "$ready" = Ready ] && service_pid "$svc" >/dev/null &&
      service_ready "$svc" >/dev/null 2>&1; then
      log "$svc healthy ($((SECONDS - t0)) s, restarts by the supervisor: ${restarts:-0})"
      return 0
    fi
    case "$status" in
      Running | Restarting | Launching | Launched | Pending | "") ;;
      *)
        # Stopped, Completed, Error, Skipped...: the supervisor will not start it by itself.
        if [ "$started" = 0 ]; then
          pc_client process start "$svc" >/dev/null || die "the supervisor refused to start $svc"
          started=1
          log "$svc: started (it was $status)"
        fi
        ;;
    esac
    if [ $SECONDS -ge $deadline ]; then
      report_failure "$svc" "is not healthy ${UP_TIMEOUT}s after start (state ${status:-?}, health ${ready:-?})"
      return 1
    fi
    sleep 0.5
  done
}

# --- logs ------------------------------------------------------------------------------------

cmd_logs() {
  local svc="" follow=0 a
  for a in "$@"; do
    case "$a" in -f | --follow) follow=1 ;; *) svc="$a" ;; esac
  done
  if [ -z "$svc" ]; then
    echo "each service logs to one file in $STACK_LOGS:"
    for svc in "${SERVICES[@]}" "$PC_NAME"; do
      printf '  %-16s %s\n' "$svc" "$STACK_LOGS/$svc.log"
    done
    echo "deploy/local/stack.sh logs <svc> [-f] shows (follows) one"
    return 0
  fi
  [ -f "$STACK_LOGS/$svc.log" ] || die "no log for '$svc' in $STACK_LOGS"
  if [ "$follow" = 1 ]; then exec tail -n 100 -F "$STACK_LOGS/$svc.log"; fi
  tail -n 100 "$STACK_LOGS/$svc.log"
}

main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    install) cmd_install "$@" ;;
    up) cmd_up ;;
    down)
      exec 9>"$RUN/stack.lock"
      flock -w "$DOWN_TIMEOUT" 9 || die "another stack.sh up/down is running"
      cmd_down
      ;;
    status) cmd_status "$@" ;;
    logs) cmd_logs "$@" ;;
    kill) cmd_kill "$@" ;;
    stop) cmd_stop "$@" ;;
    start) cmd_start "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}
main "$@"
