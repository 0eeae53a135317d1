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

log() { printf '[%s] %s\n' "${SVC:-stack}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${SVC:-stack}" "$*" >&2; exit 1; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH: $2"; }

# apt_install PKG... — installs Debian packages that are missing (apt-get update once per run).
apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  if [ ! -f /tmp/.citypulse-apt-updated ]; then apt-get update -qq >/dev/null && touch /tmp/.citypulse-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
}

# mvn_fetch POM_DIR DEST — resolves the pom's runtime dependencies from Maven Central into DEST
# (jar files). ~/.m2 is the download cache, so a second clone copies from disk.
mvn_fetch() {
  need_cmd mvn "install Maven (apt-get install maven)"
  mvn -q -B -f "$1/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$2" >&2 || die "Maven could not resolve $1/pom.xml"
}

# port_free PORT — fails when something already listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
