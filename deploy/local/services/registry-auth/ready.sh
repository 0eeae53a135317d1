#!/usr/bin/env bash
# Exits 0 when registry-auth refuses a request without credentials (401) and, with them, answers
# GET /apis/ccompat/v7/subjects with the registry's JSON array (so the registry behind it is up too).
set -euo pipefail
SVC=registry-auth
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"
need_cmd node "the readiness check runs on Node.js 20+"
: "${SCHEMA_REGISTRY_SECURE_PORT:?SCHEMA_REGISTRY_SECURE_PORT is not set in .env (copy it from .env.example)}"
export SCHEMA_REGISTRY_SECURE_USERNAME SCHEMA_REGISTRY_SECURE_PASSWORD
exec node -e '
const url = `http://127.0.0.1:${process.argv[1]}/apis/ccompat/v7/subjects`;
const auth = Buffer.from(`${process.env.SCHEMA_REGISTRY_SECURE_USERNAME}:${process.env.SCHEMA_REGISTRY_SECURE_PASSWORD}`).toString("base64");
const get = (headers) => fetch(url, { headers, signal: AbortSignal.timeout(3000) });
(async () => {
  const anonymous = await get({});
  if (anonymous.status !== 401) throw new Error(`without credentials: HTTP ${anonymous.status}, not 401`);
  const r = await get({ authorization: `Basic ${auth}` });
  const body = await r.text();
  if (r.status === 502) throw new Error("the schema registry behind it does not answer (is the stack up? make up)");
  if (!r.ok || !Array.isArray(JSON.parse(body))) throw new Error(`with credentials: HTTP ${r.status} ${body.slice(0, 200)}`);
  console.log(`registry-auth ready: ${url} asks for credentials and lists ${JSON.parse(body).length} subject(s) with them`);
})().catch((e) => { console.error(`registry-auth not ready: ${e.cause?.code ?? e.message}`); process.exit(1); });
' "$SCHEMA_REGISTRY_SECURE_PORT"
