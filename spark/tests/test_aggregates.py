"""The table of aggregates (aggregates.py) and the transport, incidents and tickets transforms, on small
static DataFrames; then every aggregate of the table on a stream (a Parquet file source standing in for
Kafka) against the same transform on a static frame. No services."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from citypulse_spark import aggregates as A
from citypulse_spark import contracts
from citypulse_spark import transforms as T
from tests.avro_helpers import (
    Record,
    confluent_decode,
    confluent_encode,
    incident_report,
    parsed,
    support_ticket,
    traffic_reading,
    transport_status,
    utc,
)

# a record of the stream, from its event id and event time (the builders' other fields take defaults)
BUILDERS: dict[str, Callable[[str, datetime], Record]] = {
    contracts.TRAFFIC_NORMALIZED: traffic_reading,
    contracts.TRANSPORT_NORMALIZED: transport_status,
    contracts.INCIDENTS_NORMALIZED: incident_report,
    contracts.TICKETS_NORMALIZED: support_ticket,
}


def ts(h: int, m: int, s: int = 0) -> datetime:
    # naive UTC, as Spark hands TimestampType back with spark.sql.session.timeZone=UTC
    return datetime(2024, 5, 6, h, m, s)


def at(h: int, m: int, s: int = 0) -> datetime:
    return utc(2024, 5, 6, h, m, s)


def contract_events(spark: SparkSession, stream: str, records: Sequence[Record]) -> DataFrame:
    """The records as the job sees them: written with the contract (fastavro), decoded by the job's decode."""
    s = contracts.stream(stream)
    schema = parsed(s.schema)
    kafka_rows = spark.createDataFrame([(confluent_encode(schema, 1, r),) for r in records], "value binary")
    return T.valid_records(T.decode_confluent_avro(kafka_rows, s.schema, {1: s.schema}))


def interval(text: str) -> timedelta:
    """A Spark interval of the table ("5 minutes", "1 minute") as a timedelta."""
    n, unit = text.split()
    return timedelta(**{unit.rstrip("s") + "s": int(n)})


# --- the table -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("agg", A.AGGREGATES, ids=lambda a: a.name)
def test_each_aggregate_reads_a_normalized_stream_and_is_keyed_like_its_topic(agg):
    assert contracts.stream(agg.input).schema_file.name.endswith("-normalized.avsc")
    assert contracts.stream(agg.output).key_fields == (*agg.keys, "window_start")
    assert interval(agg.slide) <= interval(agg.length)


def test_names_gold_tables_and_topics_are_unique_and_lake_names_come_from_the_contract():
    for values in ([a.name for a in A.AGGREGATES], [a.gold_table for a in A.AGGREGATES]):
        assert len(set(values)) == len(values)
    assert len({a.output for a in A.AGGREGATES}) == len(A.AGGREGATES)
    assert [A.lake_name(s) for s in A.by_input(A.AGGREGATES)] == ["traffic", "transport", "incidents", "tickets"]


def test_select_keeps_the_table_order_and_names_unknown_aggregates():
    assert A.select(["tickets_priority_1m", "traffic_zone_5m"]) == (A.TRAFFIC_ZONE_5M, A.TICKETS_PRIORITY_1M)
    with pytest.raises(ValueError, match=r"unknown aggregates \['nope'\]"):
        A.select(["traffic_zone_5m", "nope"])


SAMPLES: dict[str, list[Record]] = {
    contracts.TRAFFIC_NORMALIZED: [
        traffic_reading("t1", at(8, 1), zone_id="Z01"),
        traffic_reading("t2", at(8, 7), zone_id="Z02"),
    ],
    contracts.TRANSPORT_NORMALIZED: [
        transport_status("p1", at(8, 1), vehicle_id="V1", passenger_count=95),
        transport_status("p2", at(8, 12), vehicle_id="V2", line_id="L2"),
    ],
    contracts.INCIDENTS_NORMALIZED: [
        incident_report("i1", at(8, 1), incident_id="I1", severity="CRITICAL"),
        incident_report("i2", at(8, 2), incident_id="I2", severity="LOW", zone_id="Z02"),
    ],
    contracts.TICKETS_NORMALIZED: [
        support_ticket("k1", at(8, 0, 10), ticket_id="T1", priority="URGENT"),
        support_ticket("k2", at(8, 1, 10), ticket_id="T2", priority="LOW"),
    ],
}


@pytest.mark.parametrize("agg", A.AGGREGATES, ids=lambda a: a.name)
def test_every_aggregate_row_encodes_with_its_contract_schema(spark, agg):
    out = contracts.stream(agg.output)
    windows = agg.compute(contract_events(spark, agg.input, SAMPLES[agg.input]))
    updated = at(9, 0)
    updates = T.as_updates(windows, out.key_fields, out.key_separator, F.lit(updated).cast("timestamp"))
    messages = T.encode_confluent_avro(updates, out.schema, 7).collect()

    assert len(messages) == windows.count() == 2
    for m in messages:
        schema_id, rec = confluent_decode(parsed(out.schema), bytes(m.value))
        key = out.key_separator.join(
            str(int(rec[f].timestamp() * 1000)) if isinstance(rec[f], datetime) else str(rec[f]) for f in out.key_fields
        )
        assert (schema_id, m.key) == (7, key)
        assert rec["event_id"] == f"{key}|{int(updated.timestamp() * 1000)}"
        assert rec["event_time"] == rec["window_end"] == rec["window_start"] + interval(agg.length)
        assert rec["updated_at"] == updated


# --- transport -----------------------------------------------------------------------------------------


def test_transport_lines_per_line_and_ten_minutes(spark):
    def status(event_id, time, vehicle, line, delay, passengers):
        return transport_status(event_id, time, vehicle, line, delay, passengers, capacity=100)

    df = contract_events(
        spark,
        contracts.TRANSPORT_NORMALIZED,
        [
            # L1, window 08:00-08:10: V1 reports three times (out of order), V2 twice
            status("a", at(8, 1), "V1", "L1", 30, 20),
            status("b", at(8, 7), "V1", "L1", 150, 95),  # V1's latest; crowded (95 % > 90 %)
            status("c", at(8, 4), "V1", "L1", -121, 50),  # early by more than 120 s: not punctual
            status("d", at(8, 2), "V2", "L1", 120, 40),  # exactly 120 s late: punctual
            status("e", at(8, 9, 59), "V2", "L1", 0, 10),  # V2's latest
            # L1, next window
            status("f", at(8, 10), "V1", "L1", 0, 30),
            # L2: two reports of V3 at the same instant: the larger count is the latest
            status("g", at(8, 5), "V3", "L2", 600, 98),
            status("h", at(8, 5), "V3", "L2", 600, 99),
        ],
    )
    got = A.TRANSPORT_LINE_10M.compute(df)
    expected = spark.createDataFrame(
        [
            # delays (30+150-121+120+0)/5 = 35.8; occupancy (20+95+50+40+10)/5 = 43; passengers 95 + 10;
            # punctual 30, 120, 0 of 5 reports = 60 %; crowded: V1
            (ts(8, 0), ts(8, 10), "L1", "Line L1", 35.8, 43.0, 2, 105, 60.0, 1, 5),
            (ts(8, 10), ts(8, 20), "L1", "Line L1", 0.0, 30.0, 1, 30, 100.0, 0, 1),
            (ts(8, 0), ts(8, 10), "L2", "Line L2", 600.0, 98.5, 1, 99, 0.0, 1, 2),
        ],
        got.schema,
    )
    assertDataFrameEqual(got, expected, rtol=1e-9)


# --- incidents -----------------------------------------------------------------------------------------


def test_alert_level_rule_per_severity_and_count(spark):
    cases = [
        ("CRITICAL", 1, "RED"),
        ("HIGH", 3, "RED"),
        ("HIGH", 2, "ORANGE"),
        ("HIGH", 1, "ORANGE"),
        ("MEDIUM", 4, "ORANGE"),
        ("MEDIUM", 3, "ORANGE"),
        ("MEDIUM", 2, "YELLOW"),
        ("LOW", 9, "YELLOW"),
        ("UNKNOWN", 1, "YELLOW"),
        ("CRITICAL", 0, "NONE"),
    ]
    df = spark.createDataFrame(cases, "severity string, incident_count long, want string")
    got = df.select("severity", "incident_count", T.alert_level(F.col("severity"), F.col("incident_count")))
    assert [tuple(r) for r in got.collect()] == cases


def test_incident_zones_count_distinct_incidents_per_zone_severity_and_fifteen_minutes(spark):
    def report(event_id, time, incident, zone, severity, status="REPORTED"):
        return incident_report(event_id, time, incident, zone, severity, status)

    df = contract_events(
        spark,
        contracts.INCIDENTS_NORMALIZED,
        [
            # Z01, window 08:00-08:15
            report("a", at(8, 1), "I1", "Z01", "CRITICAL"),
            report("b", at(8, 10), "I1", "Z01", "CRITICAL", "RESOLVED"),  # the same incident: counts once
            report("c", at(8, 2), "I2", "Z01", "HIGH"),
            report("d", at(8, 3), "I3", "Z01", "HIGH"),
            report("e", at(8, 4), "I4", "Z01", "MEDIUM"),
            report("f", at(8, 5), "I4", "Z01", "MEDIUM", "UPDATED"),
            report("g", at(8, 6), "I5", "Z01", "MEDIUM"),
            report("h", at(8, 14, 59), "I6", "Z01", "MEDIUM"),
            report("i", at(8, 7), "I7", "Z01", "LOW"),
            # Z02: three HIGH in the window, one MEDIUM in the next
            report("j", at(8, 0), "I8", "Z02", "HIGH"),
            report("k", at(8, 1), "I9", "Z02", "HIGH"),
            report("l", at(8, 2), "I10", "Z02", "HIGH"),
            report("m", at(8, 15), "I11", "Z02", "MEDIUM"),
            # Z03: an incident raised from MEDIUM to HIGH within the window is in both rows
            report("n", at(8, 2), "I12", "Z03", "MEDIUM"),
            report("o", at(8, 5), "I12", "Z03", "HIGH", "UPDATED"),
        ],
    )
    got = A.INCIDENTS_ZONE_15M.compute(df)
    w0, w1 = (ts(8, 0), ts(8, 15)), (ts(8, 15), ts(8, 30))
    expected = spark.createDataFrame(
        [
            (*w0, "Z01", "Zone Z01", "CRITICAL", 1, "RED"),
            (*w0, "Z01", "Zone Z01", "HIGH", 2, "ORANGE"),
            (*w0, "Z01", "Zone Z01", "MEDIUM", 3, "ORANGE"),
            (*w0, "Z01", "Zone Z01", "LOW", 1, "YELLOW"),
            (*w0, "Z02", "Zone Z02", "HIGH", 3, "RED"),
            (*w1, "Z02", "Zone Z02", "MEDIUM", 1, "YELLOW"),
            (*w0, "Z03", "Zone Z03", "MEDIUM", 1, "YELLOW"),
            (*w0, "Z03", "Zone Z03", "HIGH", 1, "ORANGE"),
        ],
        got.schema,
    )
    assertDataFrameEqual(got, expected)


# --- tickets -------------------------------------------------------------------------------------------


def test_ticket_priorities_count_distinct_tickets_per_priority_and_minute(spark):
    df = contract_events(
        spark,
        contracts.TICKETS_NORMALIZED,
        [
            support_ticket("a", at(8, 0, 5), "T1", "URGENT"),
            support_ticket("b", at(8, 0, 50), "T1", "URGENT"),  # the same ticket under another event id
            support_ticket("c", at(8, 0, 59), "T2", "URGENT"),
            support_ticket("d", at(8, 0, 30), "T3", "LOW"),
            support_ticket("e", at(8, 1), "T4", "URGENT"),
        ],
    )
    got = A.TICKETS_PRIORITY_1M.compute(df)
    expected = spark.createDataFrame(
        [
            (ts(8, 0), ts(8, 1), "URGENT", 2),
            (ts(8, 0), ts(8, 1), "LOW", 1),
            (ts(8, 1), ts(8, 2), "URGENT", 1),
        ],
        got.schema,
    )
    assertDataFrameEqual(got, expected)


def test_ticket_count_on_a_one_minute_window_sliding_every_twenty_seconds(spark):
    sliding = replace(A.TICKETS_PRIORITY_1M, slide="20 seconds")
    df = contract_events(
        spark,
        contracts.TICKETS_NORMALIZED,
        [
            support_ticket("a", at(8, 0, 5), "T1", "HIGH"),
            support_ticket("b", at(8, 0, 25), "T2", "HIGH"),
            support_ticket("c", at(8, 0, 45), "T3", "HIGH"),
            support_ticket("d", at(8, 1, 10), "T4", "HIGH"),
            support_ticket("e", at(8, 0, 30), "T5", "LOW"),
        ],
    )
    got = sliding.compute(df)
    # windows start every 20 s and last 60 s: each ticket is in three of them
    expected = spark.createDataFrame(
        [
            (ts(7, 59, 20), ts(8, 0, 20), "HIGH", 1),  # T1
            (ts(7, 59, 40), ts(8, 0, 40), "HIGH", 2),  # T1 T2
            (ts(8, 0, 0), ts(8, 1, 0), "HIGH", 3),  # T1 T2 T3
            (ts(8, 0, 20), ts(8, 1, 20), "HIGH", 3),  # T2 T3 T4
            (ts(8, 0, 40), ts(8, 1, 40), "HIGH", 2),  # T3 T4
            (ts(8, 1, 0), ts(8, 2, 0), "HIGH", 1),  # T4
            (ts(7, 59, 40), ts(8, 0, 40), "LOW", 1),
            (ts(8, 0, 0), ts(8, 1, 0), "LOW", 1),
            (ts(8, 0, 20), ts(8, 1, 20), "LOW", 1),
        ],
        got.schema,
    )
    assertDataFrameEqual(got, expected)


# --- every aggregate on a stream ----------------------------------------------------------------------


def _run_rounds(spark, tmp_path: Path, agg: A.Aggregate, rounds: list[list[Record]]) -> tuple[Any, Any, int]:
    """The aggregate on a stream of ``rounds`` (one file each, processed one after the other) as the job
    wires it: watermark 2 minutes, dedup, compute; gold in append mode and encoded updates in update
    mode (memory sinks). Returns the gold rows, the update messages and the records dropped as late."""
    src_dir = tmp_path / "in"
    src_dir.mkdir()
    out = contracts.stream(agg.output)
    schema = contract_events(spark, agg.input, rounds[0]).schema

    def events() -> DataFrame:
        stream = spark.readStream.schema(schema).option("recursiveFileLookup", "true").parquet(str(src_dir))
        return T.drop_duplicate_events(T.with_event_time_watermark(stream, "2 minutes"))

    updates = T.as_updates(agg.compute(events()), out.key_fields, out.key_separator, F.current_timestamp())
    started = [
        agg.compute(events())
        .writeStream.format("memory")
        .queryName(f"gold_{agg.name}_test")
        .outputMode("append")
        .option("checkpointLocation", str(tmp_path / "cp-gold"))
        .start(),
        T.encode_confluent_avro(updates, out.schema, 1)
        .writeStream.format("memory")
        .queryName(f"agg_{agg.name}_test")
        .outputMode("update")
        .option("checkpointLocation", str(tmp_path / "cp-agg"))
        .start(),
    ]
    try:
        for i, records in enumerate(rounds):
            contract_events(spark, agg.input, records).coalesce(1).write.parquet(str(src_dir / f"round-{i}"))
            for q in started:
                q.processAllAvailable()
        late = sum(op["numRowsDroppedByWatermark"] for p in started[0].recentProgress for op in p["stateOperators"])
        return spark.table(f"gold_{agg.name}_test"), spark.table(f"agg_{agg.name}_test").collect(), late
    finally:
        for q in started:
            q.stop()


@pytest.mark.parametrize("agg", A.AGGREGATES, ids=lambda a: a.name)
def test_every_aggregate_on_a_stream_gives_the_static_result_for_closed_windows(spark, tmp_path, agg):
    make = BUILDERS[agg.input]
    first = [make("a", at(8, 1)), make("b", at(8, 2)), make("c", at(8, 2, 30))]
    rounds = [
        [*first, make("a", at(8, 1))],  # a re-delivery: counts once
        # 07:58 is behind the watermark (08:00:30): dropped; 09:00 moves it to 08:58, and the no-data batch
        # that follows (processAllAvailable waits for it) closes every 08:0x window, none of 09:00
        [make("late", at(7, 58)), make("push", at(9, 0))],
    ]
    gold, messages, late = _run_rounds(spark, tmp_path, agg, rounds)

    expected = agg.compute(contract_events(spark, agg.input, first))
    assertDataFrameEqual(gold, expected, rtol=1e-9)
    assert late == 1
    out = contracts.stream(agg.output)
    keys = {confluent_decode(parsed(out.schema), bytes(m.value))[1]["event_id"].rsplit("|", 1)[0] for m in messages}
    assert {m.key for m in messages} == keys
    starts = {str(int(r.window_start.replace(tzinfo=UTC).timestamp() * 1000)) for r in gold.collect()}
    assert starts <= {k.split(out.key_separator)[-1] for k in keys}  # every closed window was sent as updates too
