"""The streaming job on the real Kafka and schema registry: several rounds of data through start_streaming.

Each test gets its own topics, registry subjects, lake and checkpoints. Expected windows are computed
here in plain Python from the readings the test produced, not with the job's transforms.
"""

from __future__ import annotations

import contextlib
import random
import re
import urllib.request
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from citypulse_spark import aggregates as A
from citypulse_spark import contracts, metrics, registry
from citypulse_spark import main as job
from tests.avro_helpers import Record, confluent_decode, confluent_encode, parsed, traffic_reading
from tests.kafka_helpers import create_topic, delete_topic, produce, read_all, unique_name, wait_for

pytestmark = pytest.mark.integration

TRAFFIC = contracts.stream(contracts.TRAFFIC_NORMALIZED)
ZONE_AGG = contracts.stream(contracts.TRAFFIC_BY_ZONE_5M)
MOBILITY = contracts.stream(contracts.MOBILITY_INDEX_5M)
WATERMARK = timedelta(minutes=2)
PARTITIONS = 3
T0 = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# --- an independent computation of the windows -------------------------------------------------------


def expected_zone_windows(readings: list[Record]) -> dict[tuple[datetime, str], dict[str, Any]]:
    groups: dict[tuple[datetime, str], list[Record]] = defaultdict(list)
    for r in readings:
        start = r["event_time"] - timedelta(minutes=r["event_time"].minute % 5, seconds=r["event_time"].second)
        groups[(start, r["zone_id"])].append(r)
    out = {}
    for key, rs in groups.items():
        avg_speed = sum(r["speed_kmh"] for r in rs) / len(rs)
        avg_occ = sum(r["occupancy_pct"] for r in rs) / len(rs)
        limit = rs[0]["speed_limit_kmh"]
        speed_term = min(1.0, max(0.0, 1 - avg_speed / limit))
        out[key] = {
            "avg_speed_kmh": avg_speed,
            "min_speed_kmh": min(r["speed_kmh"] for r in rs),
            "max_speed_kmh": max(r["speed_kmh"] for r in rs),
            "total_vehicle_flow": sum(r["vehicle_count"] for r in rs),
            "avg_occupancy_pct": avg_occ,
            "congestion_score": 100 * (0.6 * speed_term + 0.4 * avg_occ / 100),
            "readings": len(rs),
        }
    return out


def expected_mobility(readings: list[Record]) -> dict[datetime, dict[str, Any]]:
    groups: dict[datetime, list[Record]] = defaultdict(list)
    for r in readings:
        start = r["event_time"] - timedelta(minutes=r["event_time"].minute % 5, seconds=r["event_time"].second)
        groups[start].append(r)
    out = {}
    for start, rs in groups.items():
        s = sum(r["speed_kmh"] for r in rs) / len(rs)
        o = sum(r["occupancy_pct"] for r in rs) / len(rs)
        out[start] = {
            "mobility_index": (s / 50 * 0.6 + (100 - o) / 100 * 0.4) * 100,
            "readings": len(rs),
            "zones": len({r["zone_id"] for r in rs}),
        }
    return out


# --- plumbing ----------------------------------------------------------------------------------------


class Rig:
    """Topics, subjects, a lake and checkpoints of one test; readings produced as the normalizer would."""

    def __init__(self, settings, kafka_admin, tmp_path):
        self.settings, self.admin = settings, kafka_admin
        self.input = create_topic(kafka_admin, unique_name("traffic-normalized"), partitions=PARTITIONS)
        # the job creates no topics (main.await_topics): the test creates them as the services would
        self.zone_topic = create_topic(kafka_admin, unique_name("agg-traffic-5m"), partitions=3)
        self.mobility_topic = create_topic(kafka_admin, unique_name("agg-mobility-5m"), partitions=3)
        self.cfg = replace(
            job.JobConfig.from_settings(settings),
            lake_dir=tmp_path / "lake",
            checkpoint_dir=tmp_path / "checkpoints",
            aggregates=(A.TRAFFIC_ZONE_5M.name, A.MOBILITY_INDEX_5M.name),
            topics={
                contracts.TRAFFIC_NORMALIZED: self.input,
                contracts.TRAFFIC_BY_ZONE_5M: self.zone_topic,
                contracts.MOBILITY_INDEX_5M: self.mobility_topic,
            },
            watermark="2 minutes",
            trigger="500 milliseconds",
        )
        self.schema = parsed(TRAFFIC.schema)
        self.schema_id = registry.register(
            settings.schema_registry_url, self.input + "-value", TRAFFIC.schema, settings.schema_registry_auth
        )
        self.produced = 0

    def send(self, readings: list[Record], extra_raw: Sequence[bytes] = (), everywhere: Sequence[Record] = ()) -> None:
        """``everywhere``: readings sent to each partition of the input, so that each partition's watermark
        moves (the job keeps one per partition); the copies share an event id and count once."""
        msgs: list[tuple[bytes | None, bytes] | tuple[bytes | None, bytes, int]] = [
            (r["sensor_id"].encode(), confluent_encode(self.schema, self.schema_id, r)) for r in readings
        ]
        msgs += [(b"broken", raw) for raw in extra_raw]
        msgs += [
            (r["sensor_id"].encode(), confluent_encode(self.schema, self.schema_id, r), p)
            for r in everywhere
            for p in range(PARTITIONS)
        ]
        assert produce(self.settings.kafka_brokers, self.input, msgs) == len(msgs)
        self.produced += len(msgs)

    def run_until_caught_up(self, spark) -> dict[str, list[dict[str, Any]]]:
        """Starts the job (from its checkpoints), waits until every query has processed all input, stops
        it; returns each query's progress reports of this run."""
        queries = job.start_streaming(spark, self.cfg)
        try:
            for q in queries:
                q.processAllAvailable()
            return {q.name: q.recentProgress for q in queries}
        finally:
            job.stop_all(queries)

    def gold(self, spark, table):
        # gold/<table>/batch=<N>: the windows micro-batch N closed
        return spark.read.parquet(str(self.cfg.lake_dir / "gold" / table)).drop("batch").collect()

    def updates(self, topic, stream) -> dict[str, Record]:
        """The newest update per key on an aggregate topic (as the aggregation-sink keeps it)."""
        newest: dict[str, Record] = {}
        schema = parsed(stream.schema)
        for m in read_all(self.settings.kafka_brokers, topic):
            schema_id, rec = confluent_decode(schema, m.value())
            rec["schema_id"], rec["key"] = schema_id, m.key().decode()
            if rec["key"] not in newest or rec["updated_at"] >= newest[rec["key"]]["updated_at"]:
                newest[rec["key"]] = rec
        return newest

    def close(self):
        for t in (self.input, self.zone_topic, self.mobility_topic):
            delete_topic(self.admin, t)
        for subject in (self.input + "-value", self.zone_topic + "-value", self.mobility_topic + "-value"):
            with contextlib.suppress(registry.RegistryError):
                registry.delete_subject(self.settings.schema_registry_url, subject, self.settings.schema_registry_auth)


@pytest.fixture
def rig(settings, kafka_admin, tmp_path):
    r = Rig(settings, kafka_admin, tmp_path)
    yield r
    r.close()


@pytest.fixture(scope="session")
def metrics_url(spark):
    """The job's Prometheus endpoint, served from this test process with the job's listener."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    metrics.serve(port, addr="127.0.0.1")
    spark.streams.addListener(metrics.PrometheusListener())
    return f"http://127.0.0.1:{port}/metrics"


def scrape(url: str, name: str, query: str) -> float:
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    m = re.search(rf'^{name}\{{query="{query}"\}} ([0-9.e+]+)$', text, re.M)
    return float(m.group(1)) if m else 0.0


def readings_for(rng: random.Random, prefix: str, zone: str, minutes: list[float]) -> list[Record]:
    return [
        traffic_reading(
            f"{prefix}-{zone}-{i}",
            at(m),
            zone_id=zone,
            sensor_id=f"S-{zone}-{i % 3}",
            speed_kmh=round(rng.uniform(5, 70), 1),
            vehicle_count=rng.randint(0, 40),
            occupancy_pct=round(rng.uniform(0, 100), 1),
        )
        for i, m in enumerate(minutes)
    ]


def assert_zone_rows(rows, expected):
    got = {(r.window_start.replace(tzinfo=UTC), r.zone_id): r.asDict() for r in rows}
    assert sorted(got) == sorted(expected), "gold windows differ"
    for key, want in expected.items():
        for field, value in want.items():
            assert got[key][field] == pytest.approx(value), f"{key} {field}"


# --- the tests ---------------------------------------------------------------------------------------


def test_late_readings_are_dropped_and_counted_and_duplicates_count_once(spark, rig, metrics_url):
    rng = random.Random(7)
    q_late = "windows_traffic"
    late_before = scrape(metrics_url, "citypulse_spark_late_records_dropped_total", q_late)
    invalid_before = scrape(metrics_url, "citypulse_spark_invalid_records_total", "silver_traffic")

    # round 1: window 08:00-08:05 for two zones, two of them re-delivered; 08:12 moves the watermark to 08:10
    r1 = readings_for(rng, "r1", "Z01", [0.5, 1, 2.5, 4]) + readings_for(rng, "r1", "Z02", [0, 3, 4.9])
    push = readings_for(rng, "push1", "Z01", [12])
    rig.send([*r1, r1[0], r1[5]], extra_raw=[b"\x00\x00\x00\x00\x01garbage", b"not avro"], everywhere=push)
    rig.run_until_caught_up(spark)

    # round 2: three readings for the closed 08:00 window (late), a re-delivery of 08:12 (duplicate within
    # the watermark), a new reading at 08:13 and one at 08:20 that closes 08:10-08:15
    late = readings_for(rng, "late", "Z01", [3, 3.5]) + readings_for(rng, "late", "Z02", [1])
    r2 = readings_for(rng, "r2", "Z02", [13])
    push2 = readings_for(rng, "push2", "Z03", [20])
    rig.send(late + push + r2, everywhere=push2)
    progress = rig.run_until_caught_up(spark)

    counted = r1 + push + r2
    assert_zone_rows(rig.gold(spark, job.ZONE_TABLE), expected_zone_windows(counted))
    mob = {r.window_start.replace(tzinfo=UTC): r for r in rig.gold(spark, job.MOBILITY_TABLE)}
    want_mob = expected_mobility(counted)
    assert sorted(mob) == sorted(want_mob)
    for start, want in want_mob.items():
        assert mob[start].mobility_index == pytest.approx(want["mobility_index"])
        assert (mob[start].readings, mob[start].zones) == (want["readings"], want["zones"])

    # the late readings are counted: by the query's progress and on the Prometheus endpoint
    dropped = sum(op["numRowsDroppedByWatermark"] for p in progress[q_late] for op in p["stateOperators"])
    assert dropped == 3
    wait_for(
        lambda: scrape(metrics_url, "citypulse_spark_late_records_dropped_total", q_late) - late_before == 3,
        timeout=30,
        what="late counter = 3",
    )
    wait_for(
        lambda: scrape(metrics_url, "citypulse_spark_invalid_records_total", "silver_traffic") - invalid_before == 2,
        timeout=30,
        what="invalid counter = 2",
    )

    # live updates: the newest update of each closed window equals gold; the open 08:20 window is there too
    zone_updates = rig.updates(rig.zone_topic, ZONE_AGG)
    zone_id = registry.register(rig.settings.schema_registry_url, rig.zone_topic + "-value", ZONE_AGG.schema)
    for (start, zone), want in expected_zone_windows(counted + push2).items():
        rec = zone_updates[f"{zone}|{int(start.timestamp() * 1000)}"]
        assert rec["schema_id"] == zone_id
        assert rec["readings"] == want["readings"] and rec["avg_speed_kmh"] == pytest.approx(want["avg_speed_kmh"])
    assert len(zone_updates) == len(expected_zone_windows(counted + push2))
    mob_updates = rig.updates(rig.mobility_topic, MOBILITY)
    assert {k: v["readings"] for k, v in mob_updates.items()} == {
        str(int(s.timestamp() * 1000)): w["readings"] for s, w in expected_mobility(counted + push2).items()
    }


def test_restart_from_checkpoint_neither_loses_nor_double_counts(spark, rig):
    rng = random.Random(11)
    zones = ["Z01", "Z02", "Z03"]
    # round 1: windows 08:00 and 08:05; max event time 08:09 puts the watermark at 08:07 (08:00 closes)
    r1 = [r for z in zones for r in readings_for(rng, "r1", z, [0.5, 2, 4.5, 5.5, 9])]
    rig.send(r1[:-1], everywhere=r1[-1:])  # 08:09 in every partition: each partition's watermark 08:07
    rig.run_until_caught_up(spark)
    first_gold = {(r.window_start, r.zone_id) for r in rig.gold(spark, job.ZONE_TABLE)}
    assert {s.minute for s, _ in first_gold} == {0}

    # stopped; round 2 arrives meanwhile: more 08:05 readings (08:08, not late), re-deliveries of round-1
    # 08:05 readings (dedup state must come back from the checkpoint), and 08:20 to close 08:05
    r2 = [r for z in zones for r in readings_for(rng, "r2", z, [8, 8.5])]
    redelivered = [r for r in r1 if r["event_time"] >= at(5)]
    push = readings_for(rng, "push", "Z01", [20])
    rig.send(r2 + redelivered, everywhere=push)
    rig.run_until_caught_up(spark)

    counted = r1 + r2 + push
    closed = [r for r in counted if r["event_time"] < at(10)]
    assert_zone_rows(rig.gold(spark, job.ZONE_TABLE), expected_zone_windows(closed))
    # every message is in bronze exactly once, every distinct reading in silver once per delivery
    lake = rig.cfg.lake_dir
    assert spark.read.parquet(str(lake / "bronze" / "traffic")).count() == rig.produced
    silver = spark.read.parquet(str(lake / "silver" / "traffic"))
    assert silver.count() == rig.produced
    assert silver.select("event_id").distinct().count() == len(counted)

    # the batch recompute from silver gives the stream's gold (nothing was late here), plus the open window
    counts = job.recompute_gold(spark, lake / "silver", lake / "gold-recomputed")
    assert counts[job.ZONE_TABLE] == len(expected_zone_windows(counted))
    recomputed = spark.read.parquet(str(lake / "gold-recomputed" / job.ZONE_TABLE)).collect()
    assert_zone_rows(recomputed, expected_zone_windows(counted))
