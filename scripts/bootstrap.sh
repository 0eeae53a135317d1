#!/usr/bin/env bash
# Installs the Node toolchain and the workspace's packages: pnpm at the version pinned in
# package.json's packageManager (with its sha512), then `pnpm install --frozen-lockfile`.
# Idempotent, needs no root and writes nothing outside the checkout and the user's caches.
#
#   scripts/bootstrap.sh                  pnpm + the workspace's packages
#   scripts/bootstrap.sh --toolchain-only pnpm only (scripts/tests/test_bootstrap.py uses it)
#
# pnpm comes, in this order, from:
#   1. a pnpm on PATH that already is the pinned version: used as it is;
#   2. corepack (ships with Node 20-24): its shims go to $CITYPULSE_BIN (.stack/bin, which
#      scripts/env.sh puts first on PATH), never to node's own bin folder, so nothing collides
#      with a global pnpm or needs root. corepack checks the download against the sha512 of
#      packageManager. Its *registry signature* check fails on mirrors whose metadata carries no
#      npm signatures ("No compatible signature found"); the second try skips only that check
#      (COREPACK_INTEGRITY_KEYS=0), the sha512 pin still holds;
#   3. npm (no corepack, e.g. Node 25+): `npm install pnpm@<pinned>` into .stack/tools, with npm's
#      own integrity check, linked into $CITYPULSE_BIN.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$CITYPULSE_ROOT"

toolchain_only=0
[ "${1:-}" = "--toolchain-only" ] && toolchain_only=1

say() { printf '[bootstrap] %s\n' "$*" >&2; }
fail() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || fail "Node.js 20 or newer is needed and 'node' is not on PATH"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "citypulse needs Node.js 20 or newer (found: $(node --version))"

export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1].split("+")[0]')
mkdir -p "$CITYPULSE_BIN"

pnpm_ok() { [ "$(pnpm --version 2>/dev/null || true)" = "$pnpm_version" ]; }

via_corepack() {
  command -v corepack >/dev/null 2>&1 || { say "no corepack on PATH"; return 1; }
  local log="$CITYPULSE_BIN/.corepack.log"
  # `corepack install` (in the project) fetches exactly packageManager's version and hash.
  if ! corepack install >"$log" 2>&1; then
    if grep -q "signature" "$log"; then
      say "corepack: the registry's metadata has no signature corepack knows; retrying with the sha512 pin only"
      COREPACK_INTEGRITY_KEYS=0 corepack install >"$log" 2>&1 || { cat "$log" >&2; return 1; }
    else
      cat "$log" >&2
      return 1
    fi
  fi
  rm -f "$CITYPULSE_BIN/pnpm" "$CITYPULSE_BIN/pnpx"
  corepack enable --install-directory "$CITYPULSE_BIN" pnpm >>"$log" 2>&1 || { cat "$log" >&2; return 1; }
  hash -r
  pnpm_ok
}

via_npm() {
  command -v npm >/dev/null 2>&1 || { say "no npm on PATH"; return 1; }
  local prefix="$CITYPULSE_STACK/tools/pnpm-$pnpm_version"
  if [ ! -x "$prefix/node_modules/.bin/pnpm" ]; then
    say "npm install pnpm@$pnpm_version into $prefix"
    rm -rf "$prefix" && mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error \
      "pnpm@$pnpm_version" >&2 || return 1
  fi
  rm -f "$CITYPULSE_BIN/pnpm" "$CITYPULSE_BIN/pnpx"
  ln -s "$prefix/node_modules/.bin/pnpm" "$CITYPULSE_BIN/pnpm"
  ln -s "$prefix/node_modules/.bin/pnpx" "$CITYPULSE_BIN/pnpx"
  hash -r
  pnpm_ok
}

if pnpm_ok; then
  :
elif via_corepack; then
  say "pnpm $pnpm_version through corepack ($CITYPULSE_BIN/pnpm)"
elif via_npm; then
  say "pnpm $pnpm_version through npm ($CITYPULSE_BIN/pnpm)"
else
  fail "could not install pnpm $pnpm_version (corepack and npm both failed; messages above)"
fi

[ "$toolchain_only" = 1 ] && exit 0

if [ -f pnpm-lock.yaml ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --reporter=append-only
fi
