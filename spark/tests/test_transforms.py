"""The traffic transforms on small static DataFrames (no services)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from citypulse_spark import aggregates as A
from citypulse_spark import contracts
from citypulse_spark import transforms as T
from tests.avro_helpers import confluent_decode, confluent_encode, parsed, traffic_reading, utc

TRAFFIC = contracts.stream(contracts.TRAFFIC_NORMALIZED)
ZONE_AGG = contracts.stream(contracts.TRAFFIC_BY_ZONE_5M)
MOBILITY = contracts.stream(contracts.MOBILITY_INDEX_5M)

EVENT_COLS = [
    "event_id",
    "event_time",
    "zone_id",
    "zone_name",
    "speed_kmh",
    "vehicle_count",
    "occupancy_pct",
    "speed_limit_kmh",
]


def ts(h: int, m: int, s: int = 0) -> datetime:
    # naive UTC, as Spark hands TimestampType back with spark.sql.session.timeZone=UTC
    return datetime(2024, 5, 6, h, m, s)


def events(spark, rows):
    schema = (
        "event_id string, event_time timestamp, zone_id string, zone_name string, speed_kmh double, "
        "vehicle_count int, occupancy_pct double, speed_limit_kmh double"
    )
    return spark.createDataFrame(rows, schema)


def first(df: DataFrame) -> Row:
    """The first row of a DataFrame the test knows is not empty."""
    row = df.first()
    assert row is not None, "no rows"
    return row


# --- wire format --------------------------------------------------------------------------------------


def test_decode_confluent_avro_skips_the_header_and_reads_every_field(spark):
    schema = parsed(TRAFFIC.schema)
    r = traffic_reading(
        "e1", utc(2024, 5, 6, 8, 1, 30), zone_id="Z07", speed_kmh=31.5, vehicle_count=12, occupancy_pct=44.0
    )
    df = spark.createDataFrame([(confluent_encode(schema, 42, r),)], "value binary")

    decoded = T.decode_confluent_avro(df, TRAFFIC.schema, {42: TRAFFIC.schema})
    got = T.valid_records(decoded).select(*EVENT_COLS, "original_speed_unit")

    expected = events(spark, [("e1", ts(8, 1, 30), "Z07", "Zone Z07", 31.5, 12, 44.0, 50.0)]).withColumn(
        "original_speed_unit", F.lit("KMH")
    )
    assertDataFrameEqual(got, expected)
    assert first(decoded.select("schema_id"))[0] == 42


def test_bad_bytes_and_unframed_messages_decode_to_null_not_an_error(spark):
    schema = parsed(TRAFFIC.schema)
    good = confluent_encode(schema, 1, traffic_reading("ok", utc(2024, 5, 6, 8, 0)))
    rows = [
        (good,),
        (b"\x00\x00\x00\x00\x01\xff\xfe",),  # framed, body is not the record
        (b"\x01" + good[1:],),  # wrong magic byte
        (b"\x00\x00",),  # shorter than the header
        (None,),  # tombstone
    ]
    decoded = T.decode_confluent_avro(spark.createDataFrame(rows, "value binary"), TRAFFIC.schema, {1: TRAFFIC.schema})
    assert [r.event_id for r in T.valid_records(decoded).collect()] == ["ok"]
    assert decoded.where(T.is_invalid_record()).count() == 4


def _with_fields(avsc: str, drop: tuple[str, ...] = (), insert_after: dict[str, dict[str, Any]] | None = None) -> str:
    """The contract schema with fields dropped / inserted (a field in the middle changes the body's
    layout, so a wrong writer schema cannot get lucky by ignoring trailing bytes)."""
    schema = json.loads(avsc)
    fields = []
    for f in schema["fields"]:
        if f["name"] not in drop:
            fields.append(f)
        if insert_after and f["name"] in insert_after:
            fields.append(insert_after[f["name"]])
    return json.dumps({**schema, "fields": fields})


# v2: a producer on a newer, BACKWARD-compatible version (an optional field, with a default)
TRAFFIC_V2 = _with_fields(
    TRAFFIC.schema, insert_after={"zone_name": {"name": "lane_count", "type": ["null", "int"], "default": None}}
)
# v0: older data, written before the contract's defaulted fields `source` / `original_speed_unit` existed
TRAFFIC_V0 = _with_fields(TRAFFIC.schema, drop=("source", "original_speed_unit"))


def test_each_message_is_decoded_with_its_writer_schema_and_resolved_to_the_contract(spark):
    current = traffic_reading(
        "v1", utc(2024, 5, 6, 8, 1), zone_id="Z01", speed_kmh=31.5, vehicle_count=12, occupancy_pct=44.0
    )
    newer = {
        **traffic_reading(
            "v2", utc(2024, 5, 6, 8, 2), zone_id="Z02", speed_kmh=62.0, vehicle_count=7, occupancy_pct=9.5
        ),
        "lane_count": 3,
    }
    older = traffic_reading(
        "v0", utc(2024, 5, 6, 8, 3), zone_id="Z03", speed_kmh=18.25, vehicle_count=40, occupancy_pct=81.0
    )
    for k in ("source", "original_speed_unit"):
        del older[k]
    rows = [
        (confluent_encode(parsed(TRAFFIC.schema), 1, current),),
        (confluent_encode(parsed(TRAFFIC_V2), 2, newer),),
        (confluent_encode(parsed(TRAFFIC_V0), 7, older),),
        (confluent_encode(parsed(TRAFFIC.schema), 99, {**current, "event_id": "unknown-id"}),),  # id not registered
    ]
    writers = {1: TRAFFIC.schema, 2: TRAFFIC_V2, 7: TRAFFIC_V0}
    decoded = T.decode_confluent_avro(spark.createDataFrame(rows, "value binary"), TRAFFIC.schema, writers)

    cols = [*EVENT_COLS, "sensor_id", "capacity", "original_speed_unit", "source", "ingested_at"]
    got = T.valid_records(decoded).select(*cols)
    assert got.columns == cols and "lane_count" not in T.valid_records(decoded).columns  # the contract's shape
    expected = spark.createDataFrame(
        [
            ("v1", ts(8, 1), "Z01", "Zone Z01", 31.5, 12, 44.0, 50.0, "S001", 1800, "KMH", "test", ts(8, 1)),
            ("v2", ts(8, 2), "Z02", "Zone Z02", 62.0, 7, 9.5, 50.0, "S001", 1800, "KMH", "test", ts(8, 2)),
            # the fields v0 lacks take the contract's defaults
            ("v0", ts(8, 3), "Z03", "Zone Z03", 18.25, 40, 81.0, 50.0, "S001", 1800, "UNKNOWN", "unknown", ts(8, 3)),
        ],
        got.schema,
    )
    assertDataFrameEqual(got, expected)
    invalid = decoded.where(T.is_invalid_record()).select("schema_id").collect()
    assert [r.schema_id for r in invalid] == [99]
    assert decoded.where(~T.is_invalid_record()).count() == 3


def test_an_evolved_body_read_with_the_contract_as_writer_schema_is_wrong(spark):
    """Why the writer schema matters: the v2 body read as if written with the contract is not the record."""
    newer = {**traffic_reading("v2", utc(2024, 5, 6, 8, 2), speed_kmh=62.0), "lane_count": 3}
    df = spark.createDataFrame([(confluent_encode(parsed(TRAFFIC_V2), 2, newer),)], "value binary")
    wrong = T.valid_records(T.decode_confluent_avro(df, TRAFFIC.schema, {2: TRAFFIC.schema})).collect()
    assert [(r.event_id, r.speed_kmh) for r in wrong] != [("v2", 62.0)]
    right = T.valid_records(T.decode_confluent_avro(df, TRAFFIC.schema, {2: TRAFFIC_V2})).collect()
    assert [(r.event_id, r.speed_kmh) for r in right] == [("v2", 62.0)]


def test_no_writer_schemas_means_every_message_is_invalid_not_an_error(spark):
    good = confluent_encode(parsed(TRAFFIC.schema), 1, traffic_reading("ok", utc(2024, 5, 6, 8, 0)))
    decoded = T.decode_confluent_avro(spark.createDataFrame([(good,)], "value binary"), TRAFFIC.schema, {})
    assert decoded.where(T.is_invalid_record()).count() == 1
    assert T.valid_records(decoded).columns == [f["name"] for f in json.loads(TRAFFIC.schema)["fields"]]


def test_encode_confluent_avro_writes_magic_schema_id_and_a_body_fastavro_reads(spark):
    windows = spark.createDataFrame(
        [(ts(8, 0), ts(8, 5), "Z01", "Zone Z01", 40.0, 30.0, 50.0, 25, 20.0, 24.0, 3)],
        "window_start timestamp, window_end timestamp, zone_id string, zone_name string, avg_speed_kmh double, "
        "min_speed_kmh double, max_speed_kmh double, total_vehicle_flow long, avg_occupancy_pct double, "
        "congestion_score double, readings long",
    )
    updates = T.as_updates(windows, ZONE_AGG.key_fields, ZONE_AGG.key_separator, F.lit(ts(8, 6)).cast("timestamp"))
    out = T.encode_confluent_avro(updates, ZONE_AGG.schema, 1234).collect()

    assert len(out) == 1
    start_ms = int(utc(2024, 5, 6, 8, 0).timestamp() * 1000)
    updated_ms = int(utc(2024, 5, 6, 8, 6).timestamp() * 1000)
    assert out[0].key == f"Z01|{start_ms}"
    schema_id, rec = confluent_decode(parsed(ZONE_AGG.schema), bytes(out[0].value))
    assert schema_id == 1234
    assert rec["event_id"] == f"Z01|{start_ms}|{updated_ms}"
    assert rec["event_time"] == utc(2024, 5, 6, 8, 5)
    assert rec["window_start"] == utc(2024, 5, 6, 8, 0)
    assert (rec["zone_id"], rec["readings"], rec["total_vehicle_flow"], rec["congestion_score"]) == ("Z01", 3, 25, 24.0)
    assert rec["updated_at"] == utc(2024, 5, 6, 8, 6)


def test_project_to_schema_names_the_missing_fields(spark):
    df = spark.createDataFrame([("Z01",)], "zone_id string")
    with pytest.raises(ValueError, match="window_start"):
        T.project_to_schema(df, ZONE_AGG.schema)


# --- dedup ---------------------------------------------------------------------------------------------


def test_duplicate_event_ids_count_once(spark):
    df = events(
        spark,
        [
            ("e1", ts(8, 1), "Z01", "Zone Z01", 40.0, 10, 20.0, 50.0),
            ("e1", ts(8, 1), "Z01", "Zone Z01", 40.0, 10, 20.0, 50.0),
            ("e2", ts(8, 2), "Z01", "Zone Z01", 20.0, 5, 40.0, 50.0),
        ],
    )
    got = A.TRAFFIC_ZONE_5M.compute(T.drop_duplicate_events(df)).select("readings", "total_vehicle_flow")
    assertDataFrameEqual(got, [Row(readings=2, total_vehicle_flow=15)])


# --- zone windows -------------------------------------------------------------------------------------


def test_zone_windows_per_zone_and_five_minutes(spark):
    df = events(
        spark,
        [
            # Z01, window 08:00-08:05
            ("a", ts(8, 0), "Z01", "Centre", 30.0, 10, 20.0, 50.0),
            ("b", ts(8, 4, 59), "Z01", "Centre", 50.0, 20, 40.0, 50.0),
            # Z01, next window (08:05 is the first instant of 08:05-08:10)
            ("c", ts(8, 5), "Z01", "Centre", 10.0, 3, 90.0, 50.0),
            # Z02, window 08:00-08:05
            ("d", ts(8, 2), "Z02", "Harbour", 60.0, 7, 10.0, 80.0),
        ],
    )
    expected = spark.createDataFrame(
        [
            # speed_term = 1 - 40/50 = 0.2, occ 30 -> 100*(0.6*0.2 + 0.4*0.3) = 24
            (ts(8, 0), ts(8, 5), "Z01", "Centre", 40.0, 30.0, 50.0, 30, 30.0, 24.0, 2),
            # 1 - 10/50 = 0.8, occ 90 -> 100*(0.48 + 0.36) = 84
            (ts(8, 5), ts(8, 10), "Z01", "Centre", 10.0, 10.0, 10.0, 3, 90.0, 84.0, 1),
            # 1 - 60/80 = 0.25, occ 10 -> 100*(0.15 + 0.04) = 19
            (ts(8, 0), ts(8, 5), "Z02", "Harbour", 60.0, 60.0, 60.0, 7, 10.0, 19.0, 1),
        ],
        A.TRAFFIC_ZONE_5M.compute(df).schema,
    )
    assertDataFrameEqual(A.TRAFFIC_ZONE_5M.compute(df), expected, rtol=1e-9)


def test_congestion_score_is_clamped_to_0_100_and_defaults_the_speed_limit(spark):
    df = events(
        spark,
        [
            ("fast", ts(9, 0), "Z01", "A", 120.0, 1, 0.0, 50.0),  # above the limit, empty: 0
            ("jam", ts(9, 0), "Z02", "B", 0.0, 0, 100.0, 50.0),  # standstill, full: 100
            ("nolimit", ts(9, 0), "Z03", "C", 25.0, 1, 50.0, None),  # 50 km/h assumed: 100*(0.3+0.2)=50
        ],
    )
    got = {r.zone_id: r.congestion_score for r in A.TRAFFIC_ZONE_5M.compute(df).collect()}
    assert got == pytest.approx({"Z01": 0.0, "Z02": 100.0, "Z03": 50.0})


# --- mobility index -----------------------------------------------------------------------------------


def test_mobility_index_over_every_reading_in_the_city(spark):
    df = events(
        spark,
        [
            ("a", ts(8, 1), "Z01", "A", 40.0, 10, 20.0, 50.0),
            ("b", ts(8, 2), "Z01", "A", 60.0, 10, 40.0, 50.0),
            ("c", ts(8, 3), "Z02", "B", 20.0, 10, 60.0, 50.0),
        ],
    )
    # avg speed 40, avg occupancy 40 -> (40/50*0.6 + 60/100*0.4)*100 = 48 + 24 = 72 -> GOOD
    expected = spark.createDataFrame(
        [(ts(8, 0), ts(8, 5), 40.0, 40.0, 3, 72.0, "GOOD", 2)], A.MOBILITY_INDEX_5M.compute(df).schema
    )
    assertDataFrameEqual(A.MOBILITY_INDEX_5M.compute(df), expected, rtol=1e-9)


@pytest.mark.parametrize(
    ("speed", "occupancy", "category"),
    [
        (50.0, 0.0, "EXCELLENT"),  # 100
        (45.0, 20.0, "EXCELLENT"),  # 54 + 32 = 86
        (50.0, 50.0, "GOOD"),  # 60 + 20 = 80: the upper bound of GOOD
        (25.0, 25.0, "GOOD"),  # 30 + 30 = 60
        (25.0, 50.0, "MODERATE"),  # 30 + 20 = 50
        (10.0, 75.0, "LOW"),  # 12 + 10 = 22
        (5.0, 90.0, "CRITICAL"),  # 6 + 4 = 10
        (0.0, 100.0, "CRITICAL"),  # 0
    ],
)
def test_mobility_category_bands(spark, speed, occupancy, category):
    df = events(spark, [("x", ts(8, 0), "Z01", "A", speed, 1, occupancy, 50.0)])
    assert first(A.MOBILITY_INDEX_5M.compute(df)).category == category


# --- lake layout --------------------------------------------------------------------------------------


def test_silver_is_partitioned_by_event_date(spark):
    df = events(spark, [("late-night", datetime(2024, 5, 6, 23, 59, 59), "Z01", "A", 40.0, 1, 10.0, 50.0)])
    assert first(T.for_silver(df).select("event_date"))[0].isoformat() == "2024-05-06"
