#!/usr/bin/env bash
# Installs process-compose, the supervisor of the native stack, into $CITYPULSE_STACK/cache/bin.
#
# Why a go.mod here instead of `go install github.com/f1bonacc1/process-compose@vX`: `go install
# pkg@version` asks the module proxy for the module's version list (to report deprecation), and
# the proxy reachable from our machines answers versions but refuses lists (403). Building it as a
# `tool` of this small module pins the version and every dependency's checksum (go.sum) instead.
# (The module path is f1bonacc1 — the digit one at the end, as in github.com/F1bonacc1.)
# Rebuilt only when go.mod/go.sum change; the module and build caches live in the stack cache.
set -euo pipefail
SVC=process-compose
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../lib.sh"

version="$(sed -n 's|^\s*github.com/f1bonacc1/process-compose \(v[0-9.]*\).*|\1|p' "$here/go.mod")"
[ -n "$version" ] || die "no github.com/f1bonacc1/process-compose requirement in $here/go.mod"
go_build_cached "$here" github.com/f1bonacc1/process-compose "$STACK_CACHE/bin/process-compose" \
  -ldflags "-s -w -X github.com/f1bonacc1/process-compose/src/config.Version=$version"
