"""Pure DataFrame -> DataFrame transforms: wire format, event time, dedup and each aggregate's figures.
No I/O, no Kafka, no settings.

main.py wires them between sources and sinks, for the streaming job and the batch recompute alike,
so the two modes compute gold with the same code. The aggregate transforms (``zone_windows``,
``city_mobility``, ``transport_lines``, ``incident_zones``, ``ticket_priorities``) take *windowed*
events: the normalized records with a ``window`` column that ``assign_windows`` adds from the window
length and slide of their entry in aggregates.py; they group by it and their keys. Each is tested on
small static DataFrames (tests/test_transforms.py, tests/test_aggregates.py).

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

transport, per line and 10-minute window, over the line's status reports:
    avg_delay_seconds, avg_occupancy_pct   means over the reports
    active_vehicles    distinct vehicle_id (exact: the size of the window's set of ids)
    total_passengers   sum over the line's vehicles of each one's LATEST passenger_count in the window
                       (latest event_time; equal times: the larger count) -- people on board at the
                       window's last report of each vehicle, not boardings (a rider seen in 30 reports
                       counts once, not 30 times)
    punctuality_score  100 * share of reports with |delay_seconds| <= 120 (early counts like late)
    crowded_vehicles   distinct vehicle_id with a report of occupancy_pct > 90
    readings           reports (distinct event ids)

incidents, per zone, severity and 15-minute window: incident_count = distinct incident_id, and
    alert_level  RED     CRITICAL, or HIGH with >= 3 incidents
                 ORANGE  HIGH (1-2 incidents), or MEDIUM with >= 3
                 YELLOW  any other incident (MEDIUM 1-2, LOW, UNKNOWN)
                 NONE    no incident (a window row always has one: the level exists for readers of the enum)
  per row, i.e. per zone AND severity: a zone with 2 HIGH and 5 LOW incidents has an ORANGE HIGH row
  and a YELLOW LOW row, and a reader wanting the zone's level takes the highest of its rows.

tickets, per priority and 1-minute window: ticket_count = distinct ticket_id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.avro.functions import from_avro, to_avro

WINDOW_COL = "window"  # the column assign_windows adds: struct<start, end>, as F.window gives it
DEFAULT_SPEED_LIMIT_KMH = 50.0
PUNCTUALITY_TOLERANCE_SECONDS = 120  # a report is punctual when |delay_seconds| <= this
CROWDED_OCCUPANCY_PCT = 90.0  # a vehicle is crowded above this occupancy (the architecture's crowded rule)
ALERT_ESCALATION_COUNT = 3  # this many incidents of one severity in a window raise the level one step
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
    """The flattened records that decoded.

    A generator, not a filter: Spark pushes a filter on ``decoded`` below the projection that decodes
    and inlines the decode into the predicate once per field the check reads (13 Avro decodes of each
    traffic message instead of one; measured: the decode alone took 4x longer). An explode of a one-
    element array (none when the message did not decode) is not pushed down, so each body is decoded once.
    """
    return decoded.select(F.explode(F.when(F.col("decoded"), F.array("record"))).alias("record")).select("record.*")


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


def watermark_per_partition(partitions: Sequence[DataFrame], delay: str) -> DataFrame:
    """The records of each Kafka partition with an event-time watermark of its own, as one stream.

    Spark keeps one watermark per ``withWatermark`` and the query's is the minimum of them
    (``spark.sql.streaming.multipleWatermarkPolicy`` "min", its default): so the query's watermark is
    the slowest partition's newest event time minus ``delay``, as Flink's and Kafka Streams' are. One
    watermark over all partitions would be the fastest partition's: after a backlog, a partition drained
    ahead of the others would push it past the readings still waiting in the others, and those would be
    dropped as late. The price: a partition that never gets a record holds every window open.
    """
    if not partitions:
        raise ValueError("no partitions to read")
    marked = [with_event_time_watermark(p, delay) for p in partitions]
    return reduce(DataFrame.unionByName, marked)


def drop_duplicate_events(events: DataFrame) -> DataFrame:
    """One row per event_id: a re-delivered reading never counts twice.

    On a stream (after the watermark) the ids are remembered for the watermark delay; on a static
    DataFrame (batch recompute) it is a plain dropDuplicates over everything.
    """
    if events.isStreaming:
        return events.dropDuplicatesWithinWatermark(["event_id"])
    return events.dropDuplicates(["event_id"])


def assign_windows(events: DataFrame, length: str, slide: str) -> DataFrame:
    """Events -> events with their event-time window in ``window`` (struct start, end; ``[start, end)``).

    ``length`` and ``slide`` are Spark intervals ("5 minutes"); ``slide == length`` is a tumbling window
    (one row per event), a shorter slide a sliding one (an event is in length/slide windows, one row per
    window). Windows are aligned to the epoch, as ``F.window`` aligns them. The window carries the
    event-time watermark, so a streaming aggregation grouped by it emits a window once it closed.
    """
    return events.withColumn(WINDOW_COL, F.window("event_time", length, slide))


def window_bounds() -> list[Column]:
    """``window_start`` and ``window_end`` of the grouped ``window``, the first columns of every aggregate."""
    return [F.col(f"{WINDOW_COL}.start").alias("window_start"), F.col(f"{WINDOW_COL}.end").alias("window_end")]


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


# --- accumulators: an aggregate in three steps -----------------------------------------------------
#
# Every aggregate is computed as accumulate -> merge -> finish, so the streaming job can add one micro-
# batch's events to the windows it already holds (main.py, WindowState) and the batch recompute can
# do all of silver at once, with the same figures:
#   accumulate(windowed events)      one row per window and key: each accumulator's partial value
#   merge(accumulator rows)          rows of the same window and key combined (partials of batches)
#   finish(accumulator rows)         the aggregate's contract fields (means = sum / count, sizes of sets)
# merge(accumulate(A) + accumulate(B)) == accumulate(A + B) for any split of the events: that is
# what each accumulator's ``kind`` guarantees, and tests/test_aggregates.py checks it per aggregate.


@dataclass(frozen=True)
class Acc:
    """One accumulator column: ``of`` builds its partial aggregate over events (lazily: a Column needs
    a session); ``kind`` says how partials combine: "sum", "min", "max", "set" (union of arrays) or
    "latest" (arrays of structs keyed by the struct field ``by``: per key the largest struct wins)."""

    name: str
    kind: str
    of: Callable[[], Column]
    by: str | None = None

    def merged(self) -> Column:
        c = F.col(self.name)
        if self.kind == "sum":
            return F.sum(c).alias(self.name)
        if self.kind == "min":
            return F.min(c).alias(self.name)
        if self.kind == "max":
            return F.max(c).alias(self.name)
        if self.kind == "set":
            return F.array_distinct(F.flatten(F.collect_list(c))).alias(self.name)
        if self.kind == "latest" and self.by:
            return latest_per(F.flatten(F.collect_list(c)), self.by).alias(self.name)
        raise ValueError(f"accumulator {self.name}: unknown kind {self.kind!r}")


def accumulate(windowed: DataFrame, keys: Sequence[str], accs: Sequence[Acc]) -> DataFrame:
    """Windowed events -> per window and ``keys`` the partial value of each accumulator."""
    return windowed.groupBy(WINDOW_COL, *keys).agg(*[a.of().alias(a.name) for a in accs])


def merge(partials: DataFrame, keys: Sequence[str], accs: Sequence[Acc], *extra: Column) -> DataFrame:
    """Accumulator rows -> one row per window and ``keys`` (the partials combined), plus ``extra``
    aggregates over the rows of each group."""
    return partials.groupBy(WINDOW_COL, *keys).agg(*[a.merged() for a in accs], *extra)


def latest_per(structs: Column, by: str) -> Column:
    """Per distinct ``by`` field the largest struct of ``structs`` (struct order: field by field, so a
    struct led by event_time is the latest one, equal times broken by the next field)."""
    ids = F.filter(F.array_distinct(F.transform(structs, lambda r: r[by])), lambda v: v.isNotNull())
    return F.transform(ids, lambda v: F.array_max(F.filter(structs, lambda r: r[by] == v)))


def _mean(total: str, n: str) -> Column:
    """sum / count, null without values (what avg gives)."""
    return F.when(F.col(n) > 0, F.col(total) / F.col(n)).cast("double")


def _sum_of(c: str, cast: str = "double") -> Callable[[], Column]:
    return lambda: F.sum(F.col(c).cast(cast))


def _count_of(c: str) -> Callable[[], Column]:
    return lambda: F.count(F.col(c))


def _readings() -> Column:
    return F.count(F.lit(1))


ZONE_ACCS = (
    # the max of the set, not max("zone_name"): a string max alone makes Spark sort every event of
    # the batch (SortAggregate); collect_set keeps the aggregation hash-based (ObjectHashAggregate)
    Acc("zone_name", "max", lambda: F.array_max(F.collect_set("zone_name"))),
    Acc("speed_sum", "sum", _sum_of("speed_kmh")),
    Acc("speed_n", "sum", _count_of("speed_kmh")),
    Acc("speed_min", "min", lambda: F.min("speed_kmh")),
    Acc("speed_max", "max", lambda: F.max("speed_kmh")),
    Acc("vehicles", "sum", _sum_of("vehicle_count", "long")),
    Acc("occupancy_sum", "sum", _sum_of("occupancy_pct")),
    Acc("occupancy_n", "sum", _count_of("occupancy_pct")),
    Acc("limit_sum", "sum", _sum_of("speed_limit_kmh")),
    Acc("limit_n", "sum", _count_of("speed_limit_kmh")),
    Acc("readings", "sum", _readings),
)


def zone_finish(acc: DataFrame) -> DataFrame:
    """Zone accumulators -> one row per zone and window (formulas above)."""
    avg_speed, avg_occupancy = _mean("speed_sum", "speed_n"), _mean("occupancy_sum", "occupancy_n")
    return acc.select(
        *window_bounds(),
        "zone_id",
        "zone_name",
        avg_speed.alias("avg_speed_kmh"),
        F.col("speed_min").cast("double").alias("min_speed_kmh"),
        F.col("speed_max").cast("double").alias("max_speed_kmh"),
        F.col("vehicles").alias("total_vehicle_flow"),
        avg_occupancy.alias("avg_occupancy_pct"),
        congestion_score(avg_speed, _mean("limit_sum", "limit_n"), avg_occupancy)
        .cast("double")
        .alias("congestion_score"),
        "readings",
    )


def zone_windows(windowed: DataFrame) -> DataFrame:
    """Windowed traffic readings -> one row per zone and window."""
    return zone_finish(accumulate(windowed, ("zone_id",), ZONE_ACCS))


CITY_ACCS = (
    Acc("speed_sum", "sum", _sum_of("speed_kmh")),
    Acc("speed_n", "sum", _count_of("speed_kmh")),
    Acc("occupancy_sum", "sum", _sum_of("occupancy_pct")),
    Acc("occupancy_n", "sum", _count_of("occupancy_pct")),
    # exact distinct count: a set of zone ids is small
    Acc("zones", "set", lambda: F.collect_set("zone_id")),
    Acc("readings", "sum", _readings),
)


def city_finish(acc: DataFrame) -> DataFrame:
    """City accumulators -> the mobility index per window, over every reading."""
    avg_speed, avg_occupancy = _mean("speed_sum", "speed_n"), _mean("occupancy_sum", "occupancy_n")
    idx = mobility_index(avg_speed, avg_occupancy)
    return acc.select(
        *window_bounds(),
        avg_speed.alias("avg_speed_kmh"),
        avg_occupancy.alias("avg_occupancy_pct"),
        "readings",
        idx.alias("mobility_index"),
        mobility_category(idx).alias("category"),
        F.size("zones").alias("zones"),
    )


def city_mobility(windowed: DataFrame) -> DataFrame:
    """Windowed traffic readings -> the city mobility index per window, over every reading."""
    return city_finish(accumulate(windowed, (), CITY_ACCS))


def _punctual() -> Column:
    punctual = F.abs(F.col("delay_seconds")) <= PUNCTUALITY_TOLERANCE_SECONDS
    return F.sum(F.when(punctual, 1).otherwise(0).cast("long"))  # a report without a delay is not punctual


def _crowded() -> Column:
    # collect_set leaves the nulls (vehicles not crowded) out
    return F.collect_set(F.when(F.col("occupancy_pct") > CROWDED_OCCUPANCY_PCT, F.col("vehicle_id")))


def _latest_reports() -> Column:
    # each vehicle's latest report (event_time, passenger_count): the people on board at the window's end
    return latest_per(F.collect_list(F.struct("event_time", "passenger_count", "vehicle_id")), "vehicle_id")


TRANSPORT_ACCS = (
    Acc("line_name", "max", lambda: F.max("line_name")),
    Acc("delay_sum", "sum", _sum_of("delay_seconds")),
    Acc("delay_n", "sum", _count_of("delay_seconds")),
    Acc("occupancy_sum", "sum", _sum_of("occupancy_pct")),
    Acc("occupancy_n", "sum", _count_of("occupancy_pct")),
    Acc("vehicles", "set", lambda: F.collect_set("vehicle_id")),
    Acc("latest", "latest", _latest_reports, by="vehicle_id"),
    Acc("punctual", "sum", _punctual),
    Acc("crowded", "set", _crowded),
    Acc("readings", "sum", _readings),
)


def transport_finish(acc: DataFrame) -> DataFrame:
    """Line accumulators -> one row per line and window (formulas above)."""
    passengers = F.aggregate(
        F.col("latest"), F.lit(0).cast("long"), lambda total, r: total + r["passenger_count"].cast("long")
    )
    return acc.select(
        *window_bounds(),
        "line_id",
        "line_name",
        _mean("delay_sum", "delay_n").alias("avg_delay_seconds"),
        _mean("occupancy_sum", "occupancy_n").alias("avg_occupancy_pct"),
        F.size("vehicles").cast("long").alias("active_vehicles"),
        passengers.alias("total_passengers"),
        (100.0 * F.col("punctual") / F.col("readings")).cast("double").alias("punctuality_score"),
        F.size("crowded").cast("long").alias("crowded_vehicles"),
        "readings",
    )


def transport_lines(windowed: DataFrame) -> DataFrame:
    """Windowed vehicle status reports -> one row per line and window (formulas above).

    Distinct counts are exact: the size of a set of vehicle ids (a line has a few dozen vehicles).
    total_passengers keeps each vehicle's latest (event_time, passenger_count) of the window.
    """
    return transport_finish(accumulate(windowed, ("line_id",), TRANSPORT_ACCS))


def alert_level(severity: Column, incidents: Column) -> Column:
    """The AlertLevel of one zone+severity row of a window (rule above)."""
    many = incidents >= ALERT_ESCALATION_COUNT
    return (
        F.when(incidents <= 0, "NONE")
        .when((severity == "CRITICAL") | ((severity == "HIGH") & many), "RED")
        .when((severity == "HIGH") | ((severity == "MEDIUM") & many), "ORANGE")
        .otherwise("YELLOW")
    )


INCIDENT_ACCS = (
    Acc("zone_name", "max", lambda: F.max("zone_name")),
    Acc("incidents", "set", lambda: F.collect_set("incident_id")),
)


def incident_finish(acc: DataFrame) -> DataFrame:
    """Incident accumulators -> one row per zone, severity and window with its alert level."""
    count = F.size("incidents").cast("long")
    return acc.select(
        *window_bounds(),
        "zone_id",
        "zone_name",
        "severity",
        count.alias("incident_count"),
        alert_level(F.col("severity"), count).alias("alert_level"),
    )


def incident_zones(windowed: DataFrame) -> DataFrame:
    """Windowed incident reports -> one row per zone, severity and window: distinct incidents (an incident
    reported, updated and resolved in one window counts once) and the row's alert level."""
    return incident_finish(accumulate(windowed, ("zone_id", "severity"), INCIDENT_ACCS))


TICKET_ACCS = (Acc("tickets", "set", lambda: F.collect_set("ticket_id")),)


def ticket_finish(acc: DataFrame) -> DataFrame:
    """Ticket accumulators -> distinct tickets per priority and window."""
    return acc.select(*window_bounds(), "priority", F.size("tickets").cast("long").alias("ticket_count"))


def ticket_priorities(windowed: DataFrame) -> DataFrame:
    """Windowed support tickets -> distinct tickets opened per priority and window."""
    return ticket_finish(accumulate(windowed, ("priority",), TICKET_ACCS))


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
