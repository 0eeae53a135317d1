"""registry.writer_schemas against a stand-in registry: a local HTTP server on an ephemeral port
(no stack services), answering the Confluent API under a path prefix as the native stack's does."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

from citypulse_spark import registry

PREFIX = "/apis/ccompat/v7"
SUBJECT = "traffic.normalized-value"
VERSIONS = {
    1: {"subject": SUBJECT, "version": 1, "id": 11, "schema": '{"type":"record","name":"R","fields":[]}'},
    2: {
        "subject": SUBJECT,
        "version": 2,
        "id": 12,
        "schema": '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":0}]}',
    },
    3: {"subject": SUBJECT, "version": 3, "id": 13, "schemaType": "JSON", "schema": "{}"},
}


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self):  # http.server's name
        _Handler.seen.append(self.path)
        path = urlsplit(self.path).path
        base = f"{PREFIX}/subjects/{SUBJECT}/versions"
        if path == base:
            self._send(200, sorted(VERSIONS))
        elif path.startswith(base + "/") and int(path.rsplit("/", 1)[1]) in VERSIONS:
            self._send(200, VERSIONS[int(path.rsplit("/", 1)[1])])
        else:
            self._send(404, {"error_code": 40401, "message": "Subject not found"})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def registry_url():
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    _Handler.seen = []
    yield f"http://127.0.0.1:{server.server_port}{PREFIX}/"
    server.shutdown()
    server.server_close()


def test_writer_schemas_maps_every_avro_version_id_to_its_schema(registry_url):
    got = registry.writer_schemas(registry_url, SUBJECT)
    assert got == {11: VERSIONS[1]["schema"], 12: VERSIONS[2]["schema"]}  # the JSON-schema version is skipped
    assert all(p.startswith(PREFIX + "/subjects/") for p in _Handler.seen)  # the URL's path is kept
    assert all("deleted=true" in p for p in _Handler.seen)  # soft-deleted versions' data may still be read


def test_a_missing_subject_is_an_error_naming_it(registry_url):
    with pytest.raises(registry.RegistryError, match="no schema registered under subject 'other-value'") as e:
        registry.writer_schemas(registry_url, "other-value")
    assert e.value.status == 404
