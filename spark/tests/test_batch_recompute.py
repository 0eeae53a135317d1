"""The batch mode: gold recomputed from silver folders with the streams' transforms (no services)."""

from __future__ import annotations

from datetime import datetime

from pyspark.testing import assertDataFrameEqual

from citypulse_spark import aggregates as A
from citypulse_spark import main as job
from citypulse_spark import transforms as T
from tests.test_aggregates import SAMPLES, contract_events


def test_recompute_gold_from_silver_drops_duplicates_and_writes_both_tables(spark, tmp_path):
    schema = (
        "event_id string, event_time timestamp, sensor_id string, zone_id string, zone_name string, speed_kmh double, "
        "vehicle_count int, occupancy_pct double, speed_limit_kmh double, capacity int"
    )
    rows = [
        ("a", datetime(2024, 5, 6, 8, 1), "S1", "Z01", "Centre", 30.0, 10, 20.0, 50.0, 1800),
        ("a", datetime(2024, 5, 6, 8, 1), "S1", "Z01", "Centre", 30.0, 10, 20.0, 50.0, 1800),  # re-delivered
        ("b", datetime(2024, 5, 6, 8, 3), "S2", "Z01", "Centre", 50.0, 20, 40.0, 50.0, 1800),
        ("c", datetime(2024, 5, 6, 23, 59), "S3", "Z02", "Harbour", 20.0, 5, 60.0, 50.0, 900),
        ("d", datetime(2024, 5, 7, 0, 1), "S3", "Z02", "Harbour", 40.0, 5, 10.0, 50.0, 900),  # next day
    ]
    silver = tmp_path / "silver" / "traffic"
    T.for_silver(spark.createDataFrame(rows, schema)).write.partitionBy("event_date").parquet(str(silver))

    counts = job.recompute_gold(spark, tmp_path / "silver", tmp_path / "gold")

    assert counts == {job.ZONE_TABLE: 3, job.MOBILITY_TABLE: 3}
    events = spark.createDataFrame(rows, schema).dropDuplicates(["event_id"])
    assertDataFrameEqual(
        spark.read.parquet(str(tmp_path / "gold" / job.ZONE_TABLE)), A.TRAFFIC_ZONE_5M.compute(events), rtol=1e-9
    )
    z01 = spark.read.parquet(str(tmp_path / "gold" / job.ZONE_TABLE)).where("zone_id = 'Z01'").first()
    assert (z01.readings, z01.total_vehicle_flow, z01.avg_speed_kmh) == (2, 30, 40.0)
    assertDataFrameEqual(
        spark.read.parquet(str(tmp_path / "gold" / job.MOBILITY_TABLE)), A.MOBILITY_INDEX_5M.compute(events), rtol=1e-9
    )


def test_recompute_gold_covers_every_aggregate_of_the_table(spark, tmp_path):
    for stream, records in SAMPLES.items():
        silver = T.for_silver(contract_events(spark, stream, [*records, records[0]]))  # with a re-delivery
        silver.write.partitionBy("event_date").parquet(str(tmp_path / "silver" / A.lake_name(stream)))

    counts = job.recompute_gold(spark, tmp_path / "silver", tmp_path / "gold")

    assert counts == {a.gold_table: 2 for a in A.AGGREGATES}
    for a in A.AGGREGATES:
        expected = a.compute(contract_events(spark, a.input, SAMPLES[a.input]))
        assertDataFrameEqual(spark.read.parquet(str(tmp_path / "gold" / a.gold_table)), expected, rtol=1e-9)
