"""main.records on a stream (a Parquet file source standing in for Kafka, no services): writer schemas
by id, and an unknown id counted in the decode observation the invalid-records metric reads."""

from __future__ import annotations

from citypulse_spark import main as job
from citypulse_spark import metrics
from tests.avro_helpers import confluent_encode, parsed, traffic_reading, utc
from tests.test_transforms import TRAFFIC, TRAFFIC_V2


def test_the_streaming_decode_uses_writer_schemas_and_counts_unknown_ids_as_invalid(spark, tmp_path):
    newer = {**traffic_reading("v2", utc(2024, 5, 6, 8, 2), speed_kmh=62.0), "lane_count": 3}
    rows = [
        (confluent_encode(parsed(TRAFFIC.schema), 1, traffic_reading("v1", utc(2024, 5, 6, 8, 1), speed_kmh=31.5)),),
        (confluent_encode(parsed(TRAFFIC_V2), 2, newer),),
        (confluent_encode(parsed(TRAFFIC_V2), 99, newer),),  # registered after the query started
    ]
    src_dir = tmp_path / "in"
    spark.createDataFrame(rows, "value binary").coalesce(1).write.parquet(str(src_dir))

    stream = spark.readStream.schema("value binary").parquet(str(src_dir))
    q = (
        job.records(stream, TRAFFIC, {1: TRAFFIC.schema, 2: TRAFFIC_V2})
        .select("event_id", "speed_kmh")
        .writeStream.format("memory")
        .queryName("decode_stream_test")
        .option("checkpointLocation", str(tmp_path / "cp"))
        .start()
    )
    try:
        q.processAllAvailable()
        got = sorted((r.event_id, r.speed_kmh) for r in spark.table("decode_stream_test").collect())
        observed = [
            p["observedMetrics"][metrics.DECODE_OBSERVATION] for p in q.recentProgress if p.get("observedMetrics")
        ]
    finally:
        q.stop()
    assert got == [("v1", 31.5), ("v2", 62.0)]
    assert (sum(int(o["total"]) for o in observed), sum(int(o["invalid"]) for o in observed)) == (3, 1)
