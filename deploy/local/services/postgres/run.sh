#!/usr/bin/env bash
# Runs PostgreSQL 15 in the foreground on 127.0.0.1:$POSTGRES_PORT (TCP only, no unix socket), data
# in $CITYPULSE_STACK/data/postgres. On first start it creates the cluster the way the official
# docker image does: POSTGRES_USER is the superuser with POSTGRES_PASSWORD, and POSTGRES_DB exists.
# Changing those in .env later needs a fresh data dir (deploy/local/stack.sh down; rm -rf it).
set -euo pipefail
SVC=postgres
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

pg_bin="$STACK_CACHE/postgres/bin"
[ -x "$pg_bin/postgres" ] || die "$pg_bin/postgres is missing: run deploy/local/stack.sh install postgres"
: "${POSTGRES_PORT:?}" "${POSTGRES_USER:?}" "${POSTGRES_PASSWORD:?}" "${POSTGRES_DB:?}"
pgdata="$STACK_DATA/postgres"

# As root, the server runs as 'postgres': it must own the data dir and reach it through every
# parent directory.
as_pg() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi; }
own_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$@"; fi; }
if [ "$(id -u)" = 0 ] && ! setpriv --reuid=postgres --regid=postgres --init-groups -- test -x "$STACK_DATA"; then
  die "user 'postgres' cannot reach $STACK_DATA (a parent directory is not world-executable);" \
    "set CITYPULSE_STACK to a path it can reach, or chmod o+x the parents"
fi

if [ ! -s "$pgdata/PG_VERSION" ]; then
  # Build the cluster in a side directory and rename it at the end, so an interrupted first start
  # never leaves a half-made cluster that looks finished.
  init="$pgdata.init"
  rm -rf "$init" && mkdir -p "$init" && own_pg "$init"
  pwfile="$STACK_DATA/.postgres-pw"
  (umask 077 && printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile") && own_pg "$pwfile"
  log "initdb: superuser $POSTGRES_USER, database $POSTGRES_DB, in $pgdata"
  as_pg "$pg_bin/initdb" -D "$init" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-host=scram-sha-256 --auth-local=peer >&2 || { rm -f "$pwfile"; die "initdb failed"; }
  rm -f "$pwfile"
  if [ "$POSTGRES_DB" != postgres ]; then
    # Single-user mode creates the database before the server ever listens: no race, no socket.
    printf 'CREATE DATABASE "%s" OWNER "%s";\n' "$POSTGRES_DB" "$POSTGRES_USER" |
      as_pg "$pg_bin/postgres" --single -D "$init" -j postgres >/dev/null ||
      die "could not create database $POSTGRES_DB"
  fi
  [ ! -e "$pgdata" ] || rmdir "$pgdata" 2>/dev/null || die "$pgdata exists but holds no cluster; move it away"
  mv "$init" "$pgdata"
fi

# -c flags instead of editing postgresql.conf: the env file stays the one place for the port.
run_as_service_user "$pg_bin/postgres" -D "$pgdata" -p "$POSTGRES_PORT" \
  -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c shared_buffers=64MB \
  -c log_line_prefix='%m [%p] '
