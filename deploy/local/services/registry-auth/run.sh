#!/usr/bin/env bash
# Runs registry-auth in the foreground: nginx on 127.0.0.1:$SCHEMA_REGISTRY_SECURE_PORT, asking for
# HTTP basic auth (SCHEMA_REGISTRY_SECURE_USERNAME/PASSWORD from the env file, kept hashed in
# .stack/data/registry-auth/htpasswd) and passing what is let in to the stack's schema registry.
set -euo pipefail
SVC=registry-auth
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

for v in SCHEMA_REGISTRY_PORT SCHEMA_REGISTRY_SECURE_PORT SCHEMA_REGISTRY_SECURE_USERNAME SCHEMA_REGISTRY_SECURE_PASSWORD; do
  [ -n "${!v:-}" ] || die "$v is not set in .env (copy it from .env.example)"
done
need_cmd openssl "the proxy's password file is made with openssl passwd"
[ -x /usr/sbin/nginx ] || die "nginx is missing: run deploy/local/stack.sh install registry-auth"
# it fronts the default stack's registry: without it every request would be a 502, so say so and stop
if port_free "$SCHEMA_REGISTRY_PORT"; then
  die "nothing answers on 127.0.0.1:$SCHEMA_REGISTRY_PORT: registry-auth fronts the stack's schema registry; start the stack first (make up)"
fi
port_free "$SCHEMA_REGISTRY_SECURE_PORT" ||
  die "port $SCHEMA_REGISTRY_SECURE_PORT is already taken on 127.0.0.1 (see 'ss -ltnp')"

data="$STACK_DATA/registry-auth"
mkdir -p "$data/tmp"
# Rewritten at every start from the env file (SHA-256 crypt; the password goes through stdin, not argv).
hash="$(printf '%s\n' "$SCHEMA_REGISTRY_SECURE_PASSWORD" | openssl passwd -5 -stdin)"
(umask 077 && printf '%s:%s\n' "$SCHEMA_REGISTRY_SECURE_USERNAME" "$hash" >"$data/htpasswd")
NGINX_USER=""
if [ "$(id -u)" = 0 ]; then
  # as root, nginx's workers run as nobody: they read the password file, nothing else of ours
  NGINX_USER="user nobody nogroup;"
  chgrp nogroup "$data/htpasswd" && chmod 640 "$data/htpasswd"
fi
export NGINX_USER REGISTRY_AUTH_DATA="$data"
render_template "$here/nginx.conf" "$data/nginx.conf"
exec /usr/sbin/nginx -e stderr -p "$data" -c "$data/nginx.conf"
