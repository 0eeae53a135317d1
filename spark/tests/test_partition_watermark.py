"""The windows query's watermark is per Kafka partition (transforms.watermark_per_partition): a
partition drained ahead of the others (a backlog after an outage) must not push the watermark past
the readings still waiting in the others. Two Parquet file sources stand in for two partitions; the
same rounds through one watermark over both show what that used to cost. No services."""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import DataFrame

from citypulse_spark import aggregates as A
from citypulse_spark import contracts
from citypulse_spark import main as job
from citypulse_spark import transforms as T
from tests.avro_helpers import Record, traffic_reading
from tests.test_aggregates import at, contract_events, gold_only

AGG = A.TRAFFIC_ZONE_5M
# partition 1 is drained an hour ahead first; partition 0's readings of 08:0x arrive after it
ROUNDS: list[tuple[list[Record], list[Record]]] = [
    ([traffic_reading("p0-a", at(8, 1))], [traffic_reading("p1-a", at(8, 1))]),
    ([], [traffic_reading(f"p1-{m}", at(9, m)) for m in range(0, 10)]),
    ([traffic_reading(f"p0-{m}", at(8, m)) for m in range(2, 10)], []),
    # both move on past 09:10: every 08:0x window closes
    ([traffic_reading("p0-z", at(9, 30))], [traffic_reading("p1-z", at(9, 30))]),
]


def _run(spark, tmp_path: Path, per_partition: bool) -> tuple[int, int]:
    """Runs ROUNDS; returns (readings in the closed 08:00 and 08:05 windows of zone Z01, dropped as late)."""
    schema = contract_events(spark, AGG.input, [traffic_reading("x", at(8, 0))]).schema
    dirs = [tmp_path / "p0", tmp_path / "p1"]
    for d in dirs:
        d.mkdir()
    sources = [spark.readStream.schema(schema).option("recursiveFileLookup", "true").parquet(str(d)) for d in dirs]
    if per_partition:
        events = T.drop_duplicate_events(T.watermark_per_partition(sources, "2 minutes"))
    else:  # one watermark over both: how the job read a topic before
        union: DataFrame = sources[0].unionByName(sources[1])
        events = T.drop_duplicate_events(T.with_event_time_watermark(union, "2 minutes"))
    cfg = gold_only(tmp_path)
    query = job.start_windows_query(spark, cfg, f"windows_pp_{per_partition}", events, [AGG], {})
    try:
        for i, (p0, p1) in enumerate(ROUNDS):
            for d, recs in zip(dirs, (p0, p1), strict=True):
                if recs:
                    contract_events(spark, AGG.input, recs).coalesce(1).write.parquet(str(d / f"round-{i}"))
            query.processAllAvailable()
        late = sum(op["numRowsDroppedByWatermark"] for p in query.recentProgress for op in p["stateOperators"])
        gold = spark.read.parquet(str(cfg.lake_dir / "gold" / AGG.gold_table))
        rows = gold.where("zone_id = 'Z01' and hour(window_start) = 8").collect()
        return sum(r.readings for r in rows), late
    finally:
        query.stop()


def test_a_partition_drained_ahead_does_not_make_the_others_late(spark, tmp_path):
    assert contracts.stream(AGG.input).partitions > 1
    readings, late = _run(spark, tmp_path, per_partition=True)
    assert (readings, late) == (10, 0)  # p0-a, p1-a and p0's eight of 08:02-08:09


def test_one_watermark_over_every_partition_drops_them(spark, tmp_path):
    readings, late = _run(spark, tmp_path, per_partition=False)
    assert (readings, late) == (2, 8)
