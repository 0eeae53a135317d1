"""The event contracts, read from libs/contracts: topic names (topics.json) and Avro schemas (.avsc).

libs/contracts is the only place topic names and schemas are spelled; the job never repeats them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .settings import repo_root


@dataclass(frozen=True)
class Stream:
    name: str  # the stream's name in topics.json, e.g. "trafficNormalized"
    topic: str
    schema_file: Path
    key_fields: tuple[str, ...]
    partitions: int
    subject: str  # the registry subject of the value schema
    key_separator: str

    @property
    def schema(self) -> str:
        """The .avsc text, as from_avro / to_avro and the registry take it."""
        return self.schema_file.read_text()


def contracts_dir() -> Path:
    return repo_root() / "libs" / "contracts"


@cache
def _topics() -> dict[str, Any]:
    path = contracts_dir() / "topics.json"
    if not path.exists():
        raise RuntimeError(f"{path} is missing: libs/contracts defines every topic")
    topics: dict[str, Any] = json.loads(path.read_text())
    return topics


def stream(name: str) -> Stream:
    t = _topics()
    s = t["streams"].get(name)
    if s is None:
        raise KeyError(f"no stream {name!r} in libs/contracts/topics.json (have: {', '.join(t['streams'])})")
    return Stream(
        name=name,
        topic=s["topic"],
        schema_file=contracts_dir() / "schemas" / s["schema"],
        key_fields=tuple(s["key"]),
        partitions=int(s.get("partitions", 1)),
        subject=s["topic"] + t.get("subjectSuffix", "-value"),
        key_separator=t.get("keySeparator", "|"),
    )


# The streams this job reads and writes (names as in topics.json; the topics are looked up by them).
TRAFFIC_NORMALIZED = "trafficNormalized"
TRANSPORT_NORMALIZED = "transportNormalized"
INCIDENTS_NORMALIZED = "incidentsNormalized"
TICKETS_NORMALIZED = "ticketsNormalized"
TRAFFIC_BY_ZONE_5M = "trafficByZone5m"
MOBILITY_INDEX_5M = "mobilityIndex5m"
TRANSPORT_BY_LINE_10M = "transportByLine10m"
INCIDENTS_BY_ZONE_15M = "incidentsByZone15m"
TICKETS_BY_PRIORITY_1M = "ticketsByPriority1m"
