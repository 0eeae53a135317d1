"""Pure DataFrame -> DataFrame transforms of the traffic flow. No I/O, no Kafka, no settings.

main.py wires them between sources and sinks, for the streaming job and the batch recompute alike,
so the two modes compute gold with the same code. Each is tested on small static DataFrames
(tests/test_transforms.py).

Formulas (also in spark/README.md):

congestion score, per zone and 5-minute window, 0 (free flow, empty road) .. 100 (standstill, full):
    speed_term = clamp(1 - avg_speed_kmh / speed_limit_kmh, 0, 1)     # how far below the limit traffic moves
    occ_term   = avg_occupancy_pct / 100                               # how full the road is
    congestion_score = 100 * (0.6 * speed_term + 0.4 * occ_term)
  speed_limit_kmh is the zone's limit carried by the normalized records (50 km/h when absent).

city mobility index, per 5-minute window over every reading in the city (ARCHITECTURE.md):
    mobility_index = (avg_speed_kmh / 50 * 0.6 + (100 - avg_occupancy_pct) / 100 * 0.4) * 100
  category: EXCELLENT > 80, GOOD 60..80, MODERATE 40..60, LOW 20..40, CRITICAL < 20 (the symbols of the
  MobilityCategory enum in libs/contracts; a boundary value belongs to the higher category, except 80,
  which is GOOD). Not clamped: a city averaging over 50 km/h scores above 100, still EXCELLENT.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.avro.functions import from_avro, to_avro

WINDOW = "5 minutes"
DEFAULT_SPEED_LIMIT_KMH = 50.0
CONFLUENT_MAGIC = 0
CONFLUENT_HEADER_BYTES = 5  # magic byte 0 + 4-byte big-endian schema id


# --- wire format -------------------------------------------------------------------------------------


def confluent_payload(value: Column) -> Column:
    """The Avro body of a Confluent-framed message: everything after the 5-byte header."""
    return value.substr(F.lit(CONFLUENT_HEADER_BYTES + 1), F.length(value) - CONFLUENT_HEADER_BYTES)


def confluent_schema_id(value: Column) -> Column:
    """The schema id of a Confluent-framed message (null when the magic byte is not 0)."""
    sid = F.conv(F.hex(F.substring(value, 2, 4)), 16, 10).cast("int")
    return F.when(F.substring(value, 1, 1) == F.lit(bytes([CONFLUENT_MAGIC])), sid)


def decode_confluent_avro(
    df: DataFrame, reader_schema: str, writer_schemas: Mapping[int, str], value_col: str = "value"
) -> DataFrame:
    """Kafka rows (binary ``value``) -> the input plus ``schema_id``, ``record`` (the decoded struct, in
    ``reader_schema``'s shape) and ``decoded`` (true when ``record`` is a real record).

    Avro binary is not self-describing: a body can only be read with the schema it was written with.
    ``writer_schemas`` maps each schema id a producer may write with (the registry's ids under the
    topic's subject) to that schema's JSON; each message's body is decoded with the writer schema of
    its own id and resolved to ``reader_schema`` (Avro schema resolution: fields the writer added are
    skipped, fields it lacks take the reader's default). ``from_avro`` takes the writer schema as its
    schema argument and the reader schema as option ``avroSchema``.

    Messages that are not Confluent-framed, carry an id not in ``writer_schemas``, or whose body does
    not decode do not fail the query (PERMISSIVE mode): they get ``decoded`` false; ``valid_records`` /
    ``is_invalid_record`` split them.
    """
    v = F.col(value_col)
    sid = confluent_schema_id(v)
    framed = F.when(sid.isNotNull() & (F.length(v) > CONFLUENT_HEADER_BYTES), confluent_payload(v))
    reader = json.loads(reader_schema)
    # every branch has the reader schema's type; an unknown id (or an empty map) gets a typed null
    record: Column | None = None
    for schema_id, writer_schema in sorted(writer_schemas.items()):
        options = {"mode": "PERMISSIVE"}
        if json.loads(writer_schema) != reader:
            options["avroSchema"] = reader_schema
        branch = from_avro(framed, writer_schema, options)
        cond = sid == F.lit(int(schema_id))
        record = F.when(cond, branch) if record is None else record.when(cond, branch)
    unknown = from_avro(F.lit(None).cast("binary"), reader_schema, {"mode": "PERMISSIVE"})
    record = unknown if record is None else record.otherwise(unknown)
    # PERMISSIVE turns a corrupt body into a struct of nulls, so a record is real when every field the
    # reader schema declares non-nullable (not a union) is set.
    required = [f["name"] for f in reader["fields"] if not isinstance(f["type"], list)]
    ok = F.lit(True)
    for name in required:
        ok = ok & F.col("record")[name].isNotNull()
    return df.select("*", sid.alias("schema_id"), record.alias("record")).withColumn(
        "decoded", F.coalesce(F.col("record").isNotNull() & ok, F.lit(False))
    )


def valid_records(decoded: DataFrame) -> DataFrame:
    """The flattened records that decoded."""
    return decoded.where(F.col("decoded")).select("record.*")


def is_invalid_record() -> Column:
    return ~F.col("decoded")


def encode_confluent_avro(df: DataFrame, avro_schema: str, schema_id: int) -> DataFrame:
    """Rows with a ``key`` column and the Avro record's fields -> Kafka rows (``key``, ``value``) in the
    Confluent wire format: magic 0, the 4-byte big-endian ``schema_id``, then the Avro body."""
    header = bytes([CONFLUENT_MAGIC]) + schema_id.to_bytes(4, "big")
    record = project_to_schema(df, avro_schema)
    body = to_avro(F.struct(*[F.col(c) for c in record.columns]), avro_schema)
    return df.select(F.col("key").cast("string").alias("key"), F.concat(F.lit(header), body).alias("value"))


# --- event time ---------------------------------------------------------------------------------------


def with_event_time_watermark(events: DataFrame, delay: str) -> DataFrame:
    """Declares how late a reading may arrive (``delay``, e.g. "2 minutes") before it is dropped."""
    return events.withWatermark("event_time", delay)


def drop_duplicate_events(events: DataFrame) -> DataFrame:
    """One row per event_id: a re-delivered reading never counts twice.

    On a stream (after the watermark) the ids are remembered for the watermark delay; on a static
    DataFrame (batch recompute) it is a plain dropDuplicates over everything.
    """
    if events.isStreaming:
        return events.dropDuplicatesWithinWatermark(["event_id"])
    return events.dropDuplicates(["event_id"])


# --- aggregations -------------------------------------------------------------------------------------


def congestion_score(avg_speed: Column, speed_limit: Column, avg_occupancy: Column) -> Column:
    limit = F.when(speed_limit.isNull() | (speed_limit <= 0), F.lit(DEFAULT_SPEED_LIMIT_KMH)).otherwise(speed_limit)
    speed_term = F.greatest(F.lit(0.0), F.least(F.lit(1.0), 1 - avg_speed / limit))
    return 100 * (0.6 * speed_term + 0.4 * avg_occupancy / 100)


def mobility_index(avg_speed: Column, avg_occupancy: Column) -> Column:
    return (avg_speed / 50 * 0.6 + (100 - avg_occupancy) / 100 * 0.4) * 100


def mobility_category(index: Column) -> Column:
    return (
        F.when(index > 80, "EXCELLENT")
        .when(index >= 60, "GOOD")
        .when(index >= 40, "MODERATE")
        .when(index >= 20, "LOW")
        .otherwise("CRITICAL")
    )


def zone_windows(events: DataFrame) -> DataFrame:
    """Normalized readings -> one row per zone and 5-minute event-time window."""
    agg = events.groupBy(F.window("event_time", WINDOW).alias("w"), "zone_id").agg(
        F.max("zone_name").alias("zone_name"),
        F.avg("speed_kmh").alias("avg_speed_kmh"),
        F.min("speed_kmh").alias("min_speed_kmh"),
        F.max("speed_kmh").alias("max_speed_kmh"),
        F.sum(F.col("vehicle_count").cast("long")).alias("total_vehicle_flow"),
        F.avg("occupancy_pct").alias("avg_occupancy_pct"),
        F.avg("speed_limit_kmh").alias("speed_limit_kmh"),
        F.count(F.lit(1)).alias("readings"),
    )
    return agg.select(
        F.col("w.start").alias("window_start"),
        F.col("w.end").alias("window_end"),
        "zone_id",
        "zone_name",
        F.col("avg_speed_kmh").cast("double").alias("avg_speed_kmh"),
        F.col("min_speed_kmh").cast("double").alias("min_speed_kmh"),
        F.col("max_speed_kmh").cast("double").alias("max_speed_kmh"),
        "total_vehicle_flow",
        F.col("avg_occupancy_pct").cast("double").alias("avg_occupancy_pct"),
        congestion_score(F.col("avg_speed_kmh"), F.col("speed_limit_kmh"), F.col("avg_occupancy_pct"))
        .cast("double")
        .alias("congestion_score"),
        "readings",
    )


def city_mobility(events: DataFrame) -> DataFrame:
    """Normalized readings -> the city mobility index per 5-minute window, over every reading."""
    agg = events.groupBy(F.window("event_time", WINDOW).alias("w")).agg(
        F.avg("speed_kmh").cast("double").alias("avg_speed_kmh"),
        F.avg("occupancy_pct").cast("double").alias("avg_occupancy_pct"),
        # exact distinct count; count(DISTINCT) is not supported on streams, a set of zone ids is small
        F.size(F.collect_set("zone_id")).alias("zones"),
        F.count(F.lit(1)).alias("readings"),
    )
    idx = mobility_index(F.col("avg_speed_kmh"), F.col("avg_occupancy_pct"))
    return agg.select(
        F.col("w.start").alias("window_start"),
        F.col("w.end").alias("window_end"),
        "avg_speed_kmh",
        "avg_occupancy_pct",
        "readings",
        idx.alias("mobility_index"),
        mobility_category(idx).alias("category"),
        "zones",
    )


# --- aggregate updates (the agg.* topics) -------------------------------------------------------------


def _key_text(c: Column, is_timestamp: bool) -> Column:
    return F.unix_millis(c).cast("string") if is_timestamp else c.cast("string")


def as_updates(windows: DataFrame, key_fields: tuple[str, ...], separator: str, updated_at: Column) -> DataFrame:
    """Window rows -> aggregate update records as libs/contracts defines them: ``key`` (the key fields
    as text joined by ``separator``, timestamps as epoch millis), ``event_id`` (key|updated_at millis),
    ``event_time`` (window_end) and ``updated_at`` (when this update was computed)."""
    types = dict(windows.dtypes)
    key = F.concat_ws(separator, *[_key_text(F.col(f), types[f] == "timestamp") for f in key_fields])
    return windows.select(
        key.alias("key"),
        F.concat_ws(separator, key, F.unix_millis(updated_at).cast("string")).alias("event_id"),
        F.col("window_end").alias("event_time"),
        "*",
        updated_at.alias("updated_at"),
    )


def project_to_schema(df: DataFrame, avro_schema: str) -> DataFrame:
    """The record's fields, in the Avro schema's order (what to_avro encodes)."""

    names = [f["name"] for f in json.loads(avro_schema)["fields"]]
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise ValueError(f"columns missing for the Avro record: {missing}")
    return df.select(*names)


# --- lake layout --------------------------------------------------------------------------------------


def for_silver(events: DataFrame) -> DataFrame:
    """Normalized readings as stored in silver: every field plus ``event_date`` (the partition)."""
    return events.withColumn("event_date", F.to_date("event_time"))


def for_bronze(kafka_rows: DataFrame) -> DataFrame:
    """Raw Kafka rows as stored in bronze: bytes untouched, with their coordinates and ``ingest_date``."""
    return kafka_rows.select(
        "key",
        "value",
        "topic",
        "partition",
        "offset",
        F.col("timestamp").alias("kafka_timestamp"),
        F.to_date("timestamp").alias("ingest_date"),
    )
