"""Registers Avro schemas in the Confluent-compatible schema registry (SCHEMA_REGISTRY_URL) over HTTP."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryError(RuntimeError):
    pass


def _request(method: str, url: str, auth: tuple[str, str] | None, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE})
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return json.loads(text) if text else {}
    except urllib.error.HTTPError as e:
        raise RegistryError(f"{method} {url}: HTTP {e.code}: {e.read().decode(errors='replace')[:500]}") from e
    except urllib.error.URLError as e:
        raise RegistryError(f"{method} {url}: the schema registry does not answer ({e.reason}); is the stack up (make up)?") from e


def register(base_url: str, subject: str, schema: str, auth: tuple[str, str] | None = None) -> int:
    """Registers ``schema`` under ``subject`` (idempotent: the same schema gets the same id) and returns its id.
    An incompatible change is refused by the registry and raised as RegistryError."""
    url = f"{base_url.rstrip('/')}/subjects/{urllib.parse.quote(subject, safe='')}/versions"
    # the registry compares canonical forms; send the schema compact
    out = _request("POST", url, auth, {"schema": json.dumps(json.loads(schema), separators=(",", ":"))})
    if "id" not in out:
        raise RegistryError(f"POST {url}: no schema id in the answer {out}")
    return int(out["id"])


def delete_subject(base_url: str, subject: str, auth: tuple[str, str] | None = None) -> None:
    """Soft-deletes then hard-deletes a subject (tests clean up their own subjects)."""
    url = f"{base_url.rstrip('/')}/subjects/{urllib.parse.quote(subject, safe='')}"
    _request("DELETE", url, auth)
    _request("DELETE", url + "?permanent=true", auth)
