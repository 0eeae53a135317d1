#!/usr/bin/env bash
# Installs the Node toolchain and the workspace's packages: pnpm through corepack (pinned in
# package.json's packageManager), then `pnpm install --frozen-lockfile`. Idempotent; pnpm's store
# is a cache shared across clones, so a second checkout installs from disk.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$CITYPULSE_ROOT"

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "citypulse needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1].split("+")[0]')
if ! pnpm --version 2>/dev/null | grep -qx "$pnpm_version"; then
  corepack enable >/dev/null 2>&1 || true
  # corepack verifies its own "latest" metadata with keys that can lag the registry; the version
  # here is pinned, so fall back to npm when corepack cannot fetch it.
  if ! corepack prepare "pnpm@$pnpm_version" --activate >/dev/null 2>&1; then
    COREPACK_INTEGRITY_CHECK=0 corepack prepare "pnpm@$pnpm_version" --activate >/dev/null 2>&1 ||
      npm install -g "pnpm@$pnpm_version" >/dev/null
  fi
fi

if [ -f pnpm-lock.yaml ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --reporter=append-only
fi
