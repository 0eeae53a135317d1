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


def _zigzag_varint(n: int) -> bytes:
    """An Avro long (zigzag varint), e.g. the length in front of a string."""
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        low, z = z & 0x7F, z >> 7
        out.append(low | (0x80 if z else 0))
        if not z:
            return bytes(out)


def test_hostile_messages_are_counted_as_invalid_and_the_query_decodes_what_follows(spark, tmp_path):
    """Messages a hostile or broken producer could put on a normalized topic: none may fail the query
    (a failed query restarts onto the same message), each is counted, the valid records after them
    come through. A 15-byte message with a known schema id claiming a 1 GiB string killed the JVM with
    OutOfMemoryError before session.AVRO_LIMITS."""
    schema = parsed(TRAFFIC.schema)
    header = b"\x00" + (1).to_bytes(4, "big")  # schema id 1: known
    hostile = [
        b"\xff" + bytes(range(256)) * 4,  # random-ish bytes, not a frame
        confluent_encode(schema, 2_000_000_000, traffic_reading("ghost", utc(2024, 5, 6, 8, 0))),  # unknown id
        b'{"a":' * 20_000 + b"null" + b"}" * 20_000,  # deeply nested garbage JSON
        header + _zigzag_varint(2**30) + b"abc",  # claims a 1 GiB event_id
        header + _zigzag_varint(2**31 - 9) + b"abc",  # the largest array a JVM makes
        header + _zigzag_varint(-5) + b"abc",  # a negative length
        confluent_encode(schema, 1, traffic_reading("cut", utc(2024, 5, 6, 8, 0)))[:20],  # truncated
        # a 2 MiB zone name inside an otherwise valid record: over the 1 MiB field limit
        confluent_encode(schema, 1, traffic_reading("huge", utc(2024, 5, 6, 8, 0), zone_name="z" * 2 * 1024 * 1024)),
    ]
    good = [
        confluent_encode(schema, 1, traffic_reading(f"ok-{i}", utc(2024, 5, 6, 8, i), speed_kmh=10.0 + i))
        for i in range(3)
    ]
    # one file per round, in order: the valid records come after the hostile ones
    src_dir = tmp_path / "in"

    def write_round(i: int, batch: list[bytes]) -> None:
        spark.createDataFrame([(b,) for b in batch], "value binary").coalesce(1).write.parquet(str(src_dir / f"r{i}"))

    write_round(0, good[:1])
    q = (
        job.records(
            spark.readStream.schema("value binary").option("recursiveFileLookup", "true").parquet(str(src_dir)),
            TRAFFIC,
            {1: TRAFFIC.schema},
        )
        .select("event_id", "speed_kmh")
        .writeStream.format("memory")
        .queryName("hostile_decode_test")
        .option("checkpointLocation", str(tmp_path / "cp"))
        .start()
    )
    try:
        q.processAllAvailable()
        for i, batch in enumerate([hostile, good[1:]], start=1):
            write_round(i, batch)
            q.processAllAvailable()
        got = sorted((r.event_id, r.speed_kmh) for r in spark.table("hostile_decode_test").collect())
        observed = [
            p["observedMetrics"][metrics.DECODE_OBSERVATION] for p in q.recentProgress if p.get("observedMetrics")
        ]
        assert q.isActive and q.exception() is None
    finally:
        q.stop()
    assert got == [("ok-0", 10.0), ("ok-1", 11.0), ("ok-2", 12.0)]
    total = sum(int(o["total"]) for o in observed)
    invalid = sum(int(o["invalid"]) for o in observed)
    assert (total, invalid) == (len(good) + len(hostile), len(hostile))
