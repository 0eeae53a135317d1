# Source me: shared helpers for the native stack's scripts (deploy/local/services/<svc>/*.sh).
# Layout: $CITYPULSE_STACK/cache/<svc> installs, $CITYPULSE_STACK/data/<svc> data,
#         $CITYPULSE_STACK/logs/<svc>.log logs. All gitignored, all reused across runs.
# shellcheck shell=bash
set -euo pipefail
_lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$_lib_dir/../../scripts/env.sh"
STACK_CACHE="$CITYPULSE_STACK/cache"
STACK_DATA="$CITYPULSE_STACK/data"
STACK_LOGS="$CITYPULSE_STACK/logs"
mkdir -p "$STACK_CACHE" "$STACK_DATA" "$STACK_LOGS"

# service_home SVC — "DIR [ARG]": the folder of services/ a supervised service runs from, and the
# argument its run.sh and ready.sh take. The cluster profile's numbered nodes share one folder:
# kafka-2 is services/kafka-cluster node 2, spark-worker-1 is services/spark-worker worker 1.
service_home() {
  case "$1" in
    kafka-[0-9]) echo "kafka-cluster ${1#kafka-}" ;;
    spark-worker-[0-9]) echo "spark-worker ${1#spark-worker-}" ;;
    *) echo "$1" ;;
  esac
}

log() { printf '[%s] %s\n' "${SVC:-stack}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${SVC:-stack}" "$*" >&2; exit 1; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH: $2"; }

# apt_install PKG... — installs Debian packages that are missing (apt-get update once per run).
apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  # Update the package lists once per boot; a fresh machine may have none at all, and lists older
  # than the archive make installs fail with 404s, so a failed install updates and tries again.
  local marker=/tmp/.citypulse-apt-updated
  if [ ! -f "$marker" ] || ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    apt-get update -qq >/dev/null && touch "$marker"
  fi
  # Packages such as postgresql-15 and prometheus start a system-wide daemon on their default port
  # from their postinst; the stack runs its own instances, so forbid that (policy-rc.d exit 101)
  # for the duration of the install, unless the machine already has a policy.
  local policy=/usr/sbin/policy-rc.d ours=0
  if [ ! -e "$policy" ] && [ -w /usr/sbin ]; then
    printf '#!/bin/sh\n# citypulse: temporary, while apt installs the stack packages\nexit 101\n' >"$policy"
    chmod +x "$policy"; ours=1
  fi
  local rc=0
  _apt_get_install() { DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
  _apt_get_install "${missing[@]}" || { apt-get update -qq >/dev/null && touch "$marker" && _apt_get_install "${missing[@]}"; } || rc=$?
  [ "$ours" = 1 ] && rm -f "$policy"
  [ "$rc" = 0 ] || die "apt-get install ${missing[*]} failed"
}

# mvn_quiet ARGS... — runs Maven in batch mode; its output is shown only when it fails (even -q
# leaks terminal escape codes on success).
mvn_quiet() {
  need_cmd mvn "install Maven (apt-get install maven)"
  local out
  if ! out=$(mvn -q -B "$@" 2>&1); then
    printf '%s\n' "$out" >&2
    return 1
  fi
}

# mvn_fetch POM_DIR DEST — resolves the pom's runtime dependencies from Maven Central into DEST
# (jar files). ~/.m2 is the download cache, so a second clone copies from disk.
mvn_fetch() {
  mvn_quiet -f "$1/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$2" || die "Maven could not resolve $1/pom.xml"
}

# port_free PORT — fails when something already listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- added for the supervisor and the Go-built services (ferretdb, process-compose) -------------

# Go builds keep their module download and build caches per user, outside .stack/ (wiping .stack/
# keeps them; a cold install needs XDG_CACHE_HOME pointed elsewhere too). GOFLAGS
# -mod=readonly: the committed go.sum is the truth; GOTOOLCHAIN=local: never fetch a toolchain.
go_env() {
  # Module downloads and build results are caches of the user, like ~/.m2 and pip's: a fresh clone
  # (as CI makes) then rebuilds FerretDB and process-compose in seconds instead of minutes.
  local user_cache="${XDG_CACHE_HOME:-$HOME/.cache}/citypulse/go"
  export GOMODCACHE="$user_cache/mod" GOCACHE="$user_cache/build"
  export GOFLAGS="-mod=readonly" GOTOOLCHAIN=local CGO_ENABLED=0
  # The proxy here answers module versions but not version lists; never ask for those.
  export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
}

# go_build_cached MODDIR PKG OUT [go build args...] — builds PKG inside the Go module MODDIR into
# OUT, only when the module's sources (go.mod, go.sum, *.go) or the Go version changed since the
# last build (a stamp beside OUT remembers their hash). A failed build leaves no binary behind.
go_build_cached() {
  local moddir="$1" pkg="$2" out="$3"; shift 3
  need_cmd go "building ${SVC:-it} needs Go (https://go.dev/dl/)"
  go_env
  local want
  want="$( { go version; cat "$moddir"/go.mod "$moddir"/go.sum "$moddir"/*.go 2>/dev/null; echo "$pkg $*"; } | sha256sum | cut -c1-16)"
  if [ -x "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$want" ]; then
    log "$(basename "$out") is up to date ($out)"
    return 0
  fi
  log "building $(basename "$out") from $moddir (Go module proxy; first build takes minutes)"
  mkdir -p "$(dirname "$out")"
  (cd "$moddir" && nice -n 5 go build -trimpath -o "$out.tmp" "$@" "$pkg") >&2 ||
    { rm -f "$out.tmp"; die "go build of $pkg failed (see the messages above)"; }
  mv "$out.tmp" "$out"
  echo "$want" >"$out.stamp"
}

# render_template SRC DEST — copies SRC to DEST with every ${VAR} replaced by the environment's
# value (the env file is loaded), failing on a variable that is not set, so configs that need ports
# take them from .env instead of spelling them again. perl is part of every Debian base system.
render_template() {
  local tmp="$2.tmp"
  perl -pe 's/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/exists $ENV{$1} ? $ENV{$1} : die "$ARGV:$.: \${$1} is not set in the env file\n"/ge' \
    "$1" >"$tmp" || { rm -f "$tmp"; die "could not render $1"; }
  mv "$tmp" "$2"
}

# run_as_service_user CMD... — execs CMD as the unprivileged 'postgres' system user when we are
# root (PostgreSQL refuses to run as root), else as ourselves. setpriv execs in place (no
# intermediate process), so the supervisor's signals reach the service itself.
run_as_service_user() {
  if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  fi
  exec "$@"
}
