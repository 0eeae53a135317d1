"""The table of aggregates (aggregates.py) and the transport, incidents and tickets transforms, on small
static DataFrames; then every aggregate of the table on a stream (a Parquet file source standing in for
Kafka) against the same transform on a static frame. No services."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from citypulse_spark import aggregates as A
from citypulse_spark import contracts, metrics
from citypulse_spark import main as job
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
from tests.kafka_helpers import wait_for

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


@pytest.mark.parametrize("agg", A.AGGREGATES, ids=lambda a: a.name)
def test_accumulating_a_batch_of_events_is_hash_based_never_a_sort(spark, agg):
    # A sort-based aggregation (a max over strings alone plans one) sorts every event of every
    # micro-batch: the accumulators must keep Spark's hash or object-hash aggregation.
    accumulated = agg.accumulate(contract_events(spark, agg.input, SAMPLES[agg.input]))
    plan = accumulated._jdf.queryExecution().executedPlan().toString()
    assert "HashAggregate" in plan
    assert "SortAggregate" not in plan


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


def gold_only(tmp_path: Path) -> job.JobConfig:
    """The job's config for a windows query on a test stream: gold only, lake and checkpoints in tmp_path."""
    return job.JobConfig(
        brokers="unused:9092",
        registry_url="http://unused",
        registry_auth=None,
        lake_dir=tmp_path / "lake",
        checkpoint_dir=tmp_path / "checkpoints",
        outputs=("gold",),
        trigger="100 milliseconds",
    )


def _stream_late(stream: str) -> float:
    return REGISTRY.get_sample_value("citypulse_spark_stream_late_records_dropped_total", {"stream": stream}) or 0.0


def _run_rounds(spark, tmp_path: Path, agg: A.Aggregate, rounds: list[list[Record]]) -> tuple[Any, int]:
    """The aggregate on a stream of ``rounds`` (one file each, processed one after the other) as the job
    wires it (main.start_windows_query: watermark 2 minutes, dedup, WindowWriter), gold only (Kafka is
    tested with the real broker in test_streaming_job). Returns the gold rows and the records dropped
    as late, after the job's listener has published them as the stream's late count
    (``citypulse_spark_stream_late_records_dropped_total{stream}``)."""
    src_dir = tmp_path / "in"
    src_dir.mkdir()
    schema = contract_events(spark, agg.input, rounds[0]).schema
    stream = spark.readStream.schema(schema).option("recursiveFileLookup", "true").parquet(str(src_dir))
    events = T.drop_duplicate_events(T.with_event_time_watermark(stream, "2 minutes"))
    cfg = gold_only(tmp_path)
    name, stream = f"windows_{agg.name}_test", A.lake_name(agg.input)
    listener = metrics.PrometheusListener({name: stream})  # the job's, counting this query for the stream
    spark.streams.addListener(listener)
    stream_late_before = _stream_late(stream)
    query = job.start_windows_query(spark, cfg, name, events, [agg], {})
    try:
        for i, records in enumerate(rounds):
            contract_events(spark, agg.input, records).coalesce(1).write.parquet(str(src_dir / f"round-{i}"))
            query.processAllAvailable()
        late = sum(op["numRowsDroppedByWatermark"] for p in query.recentProgress for op in p["stateOperators"])
        # the listener hears of each batch's progress a moment later
        wait_for(lambda: _stream_late(stream) - stream_late_before == late, timeout=30, what=f"{stream} late = {late}")
        return spark.read.parquet(str(cfg.lake_dir / "gold" / agg.gold_table)).drop("batch"), late
    finally:
        query.stop()
        spark.streams.removeListener(listener)


# what makes a record count in its window's figures (distinct-id counts ignore a known id)
NEW_ENTITY: dict[str, dict[str, str]] = {
    contracts.INCIDENTS_NORMALIZED: {"incident_id": "I009"},
    contracts.TICKETS_NORMALIZED: {"ticket_id": "T009"},
}


@pytest.mark.parametrize("agg", A.AGGREGATES, ids=lambda a: a.name)
def test_every_aggregate_on_a_stream_gives_the_static_result_for_closed_windows(spark, tmp_path, agg):
    make = BUILDERS[agg.input]
    first = [make("a", at(8, 1)), make("b", at(8, 2)), make("c", at(8, 2, 30))]
    # late data inside the watermark: behind the newest event time (08:02:30), ahead of the watermark
    # (08:00:30), arriving a micro-batch after the records of its window: counted in its window
    inside = make("inside", at(8, 1, 15), **NEW_ENTITY.get(agg.input, {}))
    rounds = [
        [*first, make("a", at(8, 1))],  # a re-delivery: counts once
        # 07:58 is behind the watermark (08:00:30): dropped and counted as late; 09:00 moves it to 08:58,
        # and the no-data batch that follows (processAllAvailable waits for it) closes every 08:0x window
        [inside, make("late", at(7, 58)), make("push", at(9, 0))],
    ]
    gold, late = _run_rounds(spark, tmp_path, agg, rounds)

    expected = agg.compute(contract_events(spark, agg.input, [*first, inside]))
    assert expected.exceptAll(agg.compute(contract_events(spark, agg.input, first))).count() > 0  # it shows
    assertDataFrameEqual(gold, expected, rtol=1e-9)
    assert late == 1  # and _run_rounds saw the stream's late metric reach it


# a record of the stream, varied by its index: several keys, windows, entities and values
VARIED: dict[str, Callable[[int], Record]] = {
    contracts.TRAFFIC_NORMALIZED: lambda i: traffic_reading(
        f"t{i}",
        at(8, i % 12, i * 7 % 60),
        zone_id=f"Z0{i % 3}",
        speed_kmh=i * 3.5,
        vehicle_count=i,
        occupancy_pct=i * 7 % 100,
    ),
    contracts.TRANSPORT_NORMALIZED: lambda i: transport_status(
        f"p{i}",
        at(8, i % 12, i * 7 % 60),
        vehicle_id=f"V{i % 4}",
        line_id=f"L{i % 2}",
        delay_seconds=i * 37 % 400 - 60,
        passenger_count=i * 13 % 100,
    ),
    contracts.INCIDENTS_NORMALIZED: lambda i: incident_report(
        f"i{i}",
        at(8, i % 12, i * 7 % 60),
        incident_id=f"I{i % 5}",
        zone_id=f"Z0{i % 2}",
        severity=("LOW", "HIGH", "CRITICAL")[i % 3],
    ),
    contracts.TICKETS_NORMALIZED: lambda i: support_ticket(
        f"k{i}", at(8, i % 12, i * 7 % 60), ticket_id=f"T{i % 10}", priority=("LOW", "URGENT")[i % 2]
    ),
}


@pytest.mark.parametrize("agg", A.AGGREGATES, ids=lambda a: a.name)
def test_accumulators_merged_batch_by_batch_give_the_result_of_all_events_at_once(spark, agg):
    """What the streaming job relies on: windows accumulated micro-batch by micro-batch, each merged into
    the windows held so far, finish as the aggregate of every event at once."""
    records = [VARIED[agg.input](i) for i in range(30)]
    batches = [records[0::3], records[1::3], records[2::3]]
    held = None
    for batch in batches:
        rows = agg.accumulate(contract_events(spark, agg.input, batch))
        held = agg.merge(rows if held is None else held.unionByName(rows))
    assert held is not None
    assertDataFrameEqual(agg.finish(held), agg.compute(contract_events(spark, agg.input, records)), rtol=1e-9)


def test_intervals_of_one_unit_read_as_seconds():
    assert [A.interval_seconds(t) for t in ("20 seconds", "1 minute", "5 minutes", "1 hour", "2 days")] == [
        20,
        60,
        300,
        3600,
        172800,
    ]
    for bad in ("5", "five minutes", "5 fortnights", "1 minute 30 seconds"):
        with pytest.raises(ValueError):
            A.interval_seconds(bad)


def test_a_batch_can_close_a_window_only_when_its_watermark_passes_a_multiple_of_the_slide():
    agg = A.TRAFFIC_ZONE_5M  # 5-minute tumbling: windows end at 08:00, 08:05, ...
    assert not agg.closes_between(at(8, 0, 1), at(8, 4, 59))
    assert agg.closes_between(at(8, 4, 59), at(8, 5, 0))  # the 08:00-08:05 window ends at the watermark
    assert not agg.closes_between(at(8, 5, 0), at(8, 5, 0))  # it closed in the batch before
    assert agg.closes_between(at(8, 1), at(8, 20))  # a backlog: several at once
    assert agg.closes_between(None, at(8, 1))  # the previous watermark not known: look
    sliding = replace(A.TICKETS_PRIORITY_1M, length="1 minute", slide="20 seconds")  # ends every 20 s
    assert sliding.closes_between(at(8, 0, 1), at(8, 0, 20))
    assert not sliding.closes_between(at(8, 0, 21), at(8, 0, 39))
    odd = replace(A.TICKETS_PRIORITY_1M, length="50 seconds", slide="20 seconds")  # ends off the slide
    assert odd.closes_between(at(8, 0, 21), at(8, 0, 22))


def test_a_micro_batch_run_again_after_a_crash_neither_loses_nor_double_counts(spark, tmp_path):
    """WindowWriter as Spark drives it, batch by batch, with batch 1 run twice (Spark runs a batch again
    when the job died before committing it): the state and gold are as if it ran once."""
    agg = A.TRAFFIC_ZONE_5M
    checkpoint = tmp_path / "checkpoints" / "windows_test"
    cfg = gold_only(tmp_path)
    writer = job.WindowWriter(spark, cfg, [agg], checkpoint, {})

    def run(batch_id: int, watermark: datetime, records: list[Record]) -> None:
        # the offset log's entry for the batch, as Spark writes it before running the batch
        (checkpoint / "offsets").mkdir(parents=True, exist_ok=True)
        meta = {"batchWatermarkMs": int(watermark.timestamp() * 1000), "batchTimestampMs": 0}
        (checkpoint / "offsets" / str(batch_id)).write_text(f"v1\n{json.dumps(meta)}\n")
        writer(contract_events(spark, agg.input, records), batch_id)

    b0 = [traffic_reading("a", at(8, 1), speed_kmh=10), traffic_reading("b", at(8, 2), speed_kmh=20)]
    b1 = [traffic_reading("c", at(8, 3), speed_kmh=30), traffic_reading("d", at(8, 6), speed_kmh=40)]
    b2 = [traffic_reading("e", at(8, 20), speed_kmh=50)]
    run(0, datetime.fromtimestamp(0, UTC), b0)
    run(1, at(8, 0), b1)
    run(1, at(8, 0), b1)  # again: reads the state of batch 0, not its own
    run(2, at(8, 9), b2)  # the watermark passed 08:05: the 08:00 window is final, 08:05 is not
    # 08:09 -> 08:09:30 passes no window end: no gold job, no folder, the windows stay held
    b3 = [traffic_reading("f", at(8, 21), speed_kmh=60)]
    run(3, at(8, 9, 30), b3)

    gold = spark.read.parquet(str(cfg.lake_dir / "gold" / agg.gold_table))
    assert [r.batch for r in gold.select("batch").distinct().collect()] == [2]
    assertDataFrameEqual(gold.drop("batch"), agg.compute(contract_events(spark, agg.input, b0 + b1[:1])), rtol=1e-9)
    held = writer.state.read(agg.name, before=3)
    assert held is not None
    assertDataFrameEqual(
        agg.finish(held), agg.compute(contract_events(spark, agg.input, b1[1:] + b2)), rtol=1e-9
    )  # 08:05 and 08:20 still open
    after = writer.state.read(agg.name, before=4)
    assert after is not None
    assertDataFrameEqual(agg.finish(after), agg.compute(contract_events(spark, agg.input, b1[1:] + b2 + b3)), rtol=1e-9)
    assert sorted(p.name for p in (checkpoint / "windows" / agg.name).iterdir()) == ["batch=2", "batch=3"]
