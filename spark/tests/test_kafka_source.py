"""The native stack's Spark: a PySpark session reads a real Kafka topic through the connector jars."""

from __future__ import annotations

import pytest

from tests.kafka_helpers import create_topic, delete_topic, produce, unique_name

pytestmark = pytest.mark.integration

N = 10_000


def test_batch_read_counts_every_record_of_a_fresh_topic(spark, settings, kafka_admin):
    topic = create_topic(kafka_admin, unique_name("spark-source"), partitions=3)
    try:
        acked = produce(
            settings.kafka_brokers,
            topic,
            ((f"k{i % 97}".encode(), f"record-{i}".encode()) for i in range(N)),
        )
        assert acked == N

        df = (
            spark.read.format("kafka")
            .option("kafka.bootstrap.servers", settings.kafka_brokers)
            .option("subscribe", topic)
            .option("startingOffsets", "earliest")
            .option("endingOffsets", "latest")
            .load()
        )
        assert df.count() == N
        # every record arrived once, not just N rows of something
        assert df.selectExpr("count(DISTINCT CAST(value AS STRING)) AS n").first()["n"] == N
        assert {r["partition"] for r in df.select("partition").distinct().collect()} == {0, 1, 2}
    finally:
        delete_topic(kafka_admin, topic)
