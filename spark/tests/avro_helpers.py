"""Avro in the Confluent wire format, written with fastavro: independent of Spark's to_avro/from_avro."""

from __future__ import annotations

import io
import json
import struct
from datetime import UTC, datetime
from typing import Any

import fastavro

# An Avro record as fastavro writes and reads it: field name -> value.
Record = dict[str, Any]


def parsed(avsc: str):
    return fastavro.parse_schema(json.loads(avsc))


def confluent_encode(schema, schema_id: int, record: Record) -> bytes:
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, schema, record)
    return b"\x00" + struct.pack(">I", schema_id) + buf.getvalue()


def confluent_decode(schema, data: bytes) -> tuple[int, Record]:
    assert data[0] == 0, f"magic byte {data[0]} != 0"
    (schema_id,) = struct.unpack(">I", data[1:5])
    # reader_schema None (the writer's) is fastavro's default; its type stub omits the default
    record = fastavro.schemaless_reader(io.BytesIO(data[5:]), schema, None)
    assert isinstance(record, dict), f"not a record: {record!r}"
    return schema_id, record


def utc(y: int, mo: int, d: int, h: int, mi: int, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def traffic_reading(
    event_id: str,
    event_time: datetime,
    zone_id: str = "Z01",
    speed_kmh: float = 40.0,
    vehicle_count: int = 10,
    occupancy_pct: float = 20.0,
    sensor_id: str = "S001",
    zone_name: str | None = None,
    speed_limit_kmh: float = 50.0,
    capacity: int = 1800,
) -> Record:
    """A traffic.normalized record as the normalizer writes it."""
    return {
        "event_id": event_id,
        "event_time": event_time,
        "sensor_id": sensor_id,
        "zone_id": zone_id,
        "zone_name": zone_name or f"Zone {zone_id}",
        "speed_kmh": float(speed_kmh),
        "vehicle_count": int(vehicle_count),
        "occupancy_pct": float(occupancy_pct),
        "speed_limit_kmh": float(speed_limit_kmh),
        "capacity": capacity,
        "original_speed_unit": "KMH",
        "source": "test",
        "ingested_at": event_time,
    }


def transport_status(
    event_id: str,
    event_time: datetime,
    vehicle_id: str = "V001",
    line_id: str = "L1",
    delay_seconds: int = 0,
    passenger_count: int = 20,
    capacity: int = 100,
    line_name: str | None = None,
) -> Record:
    """A transport.normalized record as a normalizer would write it."""
    return {
        "event_id": event_id,
        "event_time": event_time,
        "vehicle_id": vehicle_id,
        "line_id": line_id,
        "line_name": line_name or f"Line {line_id}",
        "vehicle_type": "BUS",
        "zone_id": None,
        "latitude": 52.37,
        "longitude": 4.89,
        "delay_seconds": int(delay_seconds),
        "on_time": abs(delay_seconds) <= 120,
        "passenger_count": int(passenger_count),
        "capacity": capacity,
        "occupancy_pct": passenger_count / capacity * 100,
        "source": "test",
        "ingested_at": event_time,
    }


def incident_report(
    event_id: str,
    event_time: datetime,
    incident_id: str = "I001",
    zone_id: str = "Z01",
    severity: str = "MEDIUM",
    status: str = "REPORTED",
    zone_name: str | None = None,
) -> Record:
    """An incidents.normalized record as a normalizer would write it."""
    return {
        "event_id": event_id,
        "event_time": event_time,
        "incident_id": incident_id,
        "zone_id": zone_id,
        "zone_name": zone_name or f"Zone {zone_id}",
        "incident_type": "ACCIDENT",
        "severity": severity,
        "status": status,
        "latitude": None,
        "longitude": None,
        "description": None,
        "source": "test",
        "ingested_at": event_time,
    }


def support_ticket(event_id: str, event_time: datetime, ticket_id: str = "T001", priority: str = "MEDIUM") -> Record:
    """A tickets.normalized record as a normalizer would write it."""
    return {
        "event_id": event_id,
        "event_time": event_time,
        "ticket_id": ticket_id,
        "priority": priority,
        "category": "TRAFFIC",
        "channel": "WEB",
        "zone_id": None,
        "zone_name": None,
        "subject": "a ticket",
        "source": "test",
        "ingested_at": event_time,
    }
