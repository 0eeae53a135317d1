#!/usr/bin/env bash
# Builds FerretDB 1.24 (MongoDB wire protocol on SQLite) from the Go module proxy into
# $CITYPULSE_STACK/cache/ferretdb/bin. The binary is our own small module (cmd/) around FerretDB's
# embeddable package — see cmd/main.go for why. Rebuilt only when cmd/ changes.
set -euo pipefail
SVC=ferretdb
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

go_build_cached "$here/cmd" . "$STACK_CACHE/ferretdb/bin/citypulse-ferretdb" -ldflags "-s -w"
