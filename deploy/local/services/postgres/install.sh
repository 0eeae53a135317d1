#!/usr/bin/env bash
# Installs PostgreSQL 15 from Debian packages (apt) and links its binaries into
# $CITYPULSE_STACK/cache/postgres/bin. The package's own 'main' cluster is never started by us (and
# lib.sh's apt_install keeps the package from starting it); the stack runs its own cluster in
# $CITYPULSE_STACK/data/postgres (see run.sh).
set -euo pipefail
SVC=postgres
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

pg_bin=/usr/lib/postgresql/15/bin
if [ ! -x "$pg_bin/postgres" ] || [ ! -x "$pg_bin/psql" ]; then
  [ "$(id -u)" = 0 ] || die "PostgreSQL 15 is not installed and apt needs root: sudo apt-get install postgresql-15"
  apt_install postgresql-15 postgresql-client-15
fi
[ -x "$pg_bin/postgres" ] || die "postgresql-15 installed, but $pg_bin/postgres is missing"
# PostgreSQL refuses to run as root; as root we run it as the 'postgres' user the package creates.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "user 'postgres' is missing (it comes with postgresql-common)"
  need_cmd setpriv "it runs PostgreSQL as the postgres user (apt-get install util-linux)"
fi
mkdir -p "$STACK_CACHE/postgres"
ln -sfn "$pg_bin" "$STACK_CACHE/postgres/bin"
log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') ready to use ($pg_bin)"
