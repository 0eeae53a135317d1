#!/usr/bin/env bash
# Installs Prometheus (and promtool) from Debian packages (apt) and links the binaries into
# $CITYPULSE_STACK/cache/prometheus/bin. The package's system service is never started (lib.sh's
# apt_install forbids it); the stack runs its own instance (run.sh).
set -euo pipefail
SVC=prometheus
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

if [ ! -x /usr/bin/prometheus ]; then
  [ "$(id -u)" = 0 ] || die "Prometheus is not installed and apt needs root: sudo apt-get install prometheus"
  apt_install prometheus
fi
[ -x /usr/bin/prometheus ] || die "the prometheus package installed, but /usr/bin/prometheus is missing"
# promtool (same package) checks and unit-tests the alert rules (deploy/prometheus/test-rules.sh)
[ -x /usr/bin/promtool ] || die "the prometheus package installed, but /usr/bin/promtool is missing"
# ready.sh asks /-/ready over HTTP.
command -v curl >/dev/null 2>&1 || apt_install curl
mkdir -p "$STACK_CACHE/prometheus/bin"
ln -sfn /usr/bin/prometheus "$STACK_CACHE/prometheus/bin/prometheus"
ln -sfn /usr/bin/promtool "$STACK_CACHE/prometheus/bin/promtool"
log "$(/usr/bin/prometheus --version 2>&1 | head -1)"
