"""The Confluent-compatible schema registry (SCHEMA_REGISTRY_URL, which may carry a path such as
/apis/ccompat/v7) over HTTP: registers the aggregate schemas, reads a subject's writer schemas."""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


def display_url(url: str) -> str:
    """The URL for a log line: a password in it (https://user:password@host) masked."""
    return re.sub(r"(//[^/@:]*):[^@/]*@", r"\1:***@", url)


class RegistryError(RuntimeError):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status, when the registry answered


def _request(method: str, url: str, auth: tuple[str, str] | None, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE}
    )
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return json.loads(text) if text else {}
    except urllib.error.HTTPError as e:
        if e.code in (401, 403):  # the body of a refusal says nothing more; say what to check
            why = "refused the credentials of" if auth else "asks for credentials: set"
            raise RegistryError(
                f"{method} {url}: HTTP {e.code}: the schema registry {why} SCHEMA_REGISTRY_USERNAME/PASSWORD", e.code
            ) from e
        raise RegistryError(f"{method} {url}: HTTP {e.code}: {e.read().decode(errors='replace')[:500]}", e.code) from e
    except urllib.error.URLError as e:
        raise RegistryError(
            f"{method} {url}: the schema registry does not answer ({e.reason}); is the stack up (make up)?"
        ) from e


def register(base_url: str, subject: str, schema: str, auth: tuple[str, str] | None = None) -> int:
    """Registers ``schema`` under ``subject`` (idempotent: the same schema gets the same id) and returns its id.
    An incompatible change is refused by the registry and raised as RegistryError."""
    url = f"{base_url.rstrip('/')}/subjects/{urllib.parse.quote(subject, safe='')}/versions"
    # the registry compares canonical forms; send the schema compact
    out = _request("POST", url, auth, {"schema": json.dumps(json.loads(schema), separators=(",", ":"))})
    if "id" not in out:
        raise RegistryError(f"POST {url}: no schema id in the answer {out}")
    return int(out["id"])


def writer_schemas(base_url: str, subject: str, auth: tuple[str, str] | None = None) -> dict[int, str]:
    """Every Avro schema registered under ``subject`` (soft-deleted versions too: their data may still be
    in the topic), as {schema id: schema JSON} -- the writer schemas a message on the topic may carry.

    Read once when the job starts: a schema registered later is picked up on the next restart; until
    then the decode counts its messages as invalid. A subject with no versions is an error (the
    deployment registers the contracts before producers start), not an empty map that would silently
    drop every message.
    """
    base = f"{base_url.rstrip('/')}/subjects/{urllib.parse.quote(subject, safe='')}/versions"
    try:
        versions = _request("GET", base + "?deleted=true", auth)
    except RegistryError as e:
        if e.status == 404:
            raise RegistryError(
                f"no schema registered under subject {subject!r}: register the contracts first "
                "(libs/contracts registerContracts) or start its producer, then restart the job",
                404,
            ) from e
        raise
    if not versions:
        raise RegistryError(f"GET {base}: subject {subject!r} has no versions", 404)
    out: dict[int, str] = {}
    for version in versions:
        v = _request("GET", f"{base}/{int(version)}?deleted=true", auth)
        if v.get("schemaType", "AVRO") != "AVRO":
            continue
        if "id" not in v or "schema" not in v:
            raise RegistryError(f"GET {base}/{version}: no id or schema in the answer {v}")
        out[int(v["id"])] = v["schema"]
    return out


def delete_subject(base_url: str, subject: str, auth: tuple[str, str] | None = None) -> None:
    """Soft-deletes then hard-deletes a subject (tests clean up their own subjects)."""
    url = f"{base_url.rstrip('/')}/subjects/{urllib.parse.quote(subject, safe='')}"
    _request("DELETE", url, auth)
    _request("DELETE", url + "?permanent=true", auth)
