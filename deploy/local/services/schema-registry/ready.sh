#!/usr/bin/env bash
# Exits 0 when the schema registry answers GET $SCHEMA_REGISTRY_URL/subjects with a JSON array
# (the Confluent API a client uses, not just a health page). Plain node: no curl or node_modules.
set -euo pipefail
SVC=schema-registry
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
: "${SCHEMA_REGISTRY_URL:?SCHEMA_REGISTRY_URL is not set in .env (copy it from .env.example)}"
need_cmd node "the schema registry readiness check runs on Node.js 20+"
exec node -e '
const url = process.argv[1].replace(/\/$/, "") + "/subjects";
fetch(url, { signal: AbortSignal.timeout(3000) })
  .then(async (r) => {
    const body = await r.json();
    if (!r.ok || !Array.isArray(body)) throw new Error(`HTTP ${r.status} ${JSON.stringify(body)}`);
    console.log(`schema registry ready: ${url} lists ${body.length} subject(s)`);
  })
  .catch((e) => { console.error(`schema registry not ready at ${url}: ${e.cause?.code ?? e.message}`); process.exit(1); });
' "$SCHEMA_REGISTRY_URL"
