"""A producer of a normalized stream moving to a BACKWARD-compatible v2, on the real registry (Apicurio,
ccompat API): the registry takes v2 and refuses an incompatible v3 by its global rule (no subject config
is set here), and the job, reading the subject's writer schemas as it does at start, decodes messages
written with v1 and with v2 (fastavro, the registry's real ids) into the contract's shape."""

from __future__ import annotations

import json

import pytest

from citypulse_spark import main as job
from citypulse_spark import registry
from tests.avro_helpers import confluent_encode, parsed, traffic_reading, utc
from tests.kafka_helpers import unique_name
from tests.test_transforms import TRAFFIC, TRAFFIC_V2, _with_fields

pytestmark = pytest.mark.integration

# v3: a new field without a default -- a v3 reader cannot read v2 data: not BACKWARD-compatible
TRAFFIC_V3 = _with_fields(TRAFFIC_V2, insert_after={"speed_kmh": {"name": "calibration", "type": "double"}})


def test_v1_and_v2_writers_decode_into_the_contract_and_an_incompatible_v3_is_refused(spark, settings, tmp_path):
    url, auth = settings.schema_registry_url, settings.schema_registry_auth
    subject = f"{unique_name('spark-evolution')}-value"
    try:
        v1 = registry.register(url, subject, TRAFFIC.schema, auth)
        v2 = registry.register(url, subject, TRAFFIC_V2, auth)
        assert v2 != v1
        with pytest.raises(registry.RegistryError) as refused:
            registry.register(url, subject, TRAFFIC_V3, auth)
        assert refused.value.status == 409
        assert subject in str(refused.value) and "calibration" in str(refused.value)

        writers = registry.writer_schemas(url, subject, auth)
        assert sorted(writers) == sorted([v1, v2])
        assert json.loads(writers[v2]) == json.loads(TRAFFIC_V2)

        rows = [
            (confluent_encode(parsed(TRAFFIC.schema), v1, traffic_reading("from-v1", utc(2024, 5, 6, 8, 1))),),
            (
                confluent_encode(
                    parsed(TRAFFIC_V2),
                    v2,
                    {**traffic_reading("from-v2", utc(2024, 5, 6, 8, 2), speed_kmh=55.5), "lane_count": 3},
                ),
            ),
        ]
        src = tmp_path / "in"
        spark.createDataFrame(rows, "value binary").coalesce(1).write.parquet(str(src))
        kafka_rows = spark.read.parquet(str(src))
        got = job.records(kafka_rows, TRAFFIC, writers)
        assert "lane_count" not in got.columns  # the contract's shape
        assert sorted((r.event_id, r.speed_kmh, r.zone_id) for r in got.collect()) == [
            ("from-v1", 40.0, "Z01"),
            ("from-v2", 55.5, "Z01"),
        ]
    finally:
        registry.delete_subject(url, subject, auth)
