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
