#!/usr/bin/env bash
# Installs nginx (Debian package, through apt: root, or nginx already installed) for registry-auth:
# the schema registry behind HTTP basic auth. Apicurio Registry 3 has no basic auth of its own (its
# auth needs an OIDC server), so a reverse proxy in front of it checks the credentials, as a
# deployment would. The package's system service is never started (lib.sh's apt_install forbids it).
set -euo pipefail
SVC=registry-auth
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  [ "$(id -u)" = 0 ] || die "nginx is not installed and apt needs root: sudo apt-get install nginx"
  apt_install nginx
fi
need_cmd openssl "the proxy's password file is made with openssl passwd"
log "$(/usr/sbin/nginx -v 2>&1)"
