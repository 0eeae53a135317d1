"""Shared fixtures: one SparkSession per test run (UI off, 2 shuffle partitions) and the real Kafka.

Integration fixtures fail loudly when Kafka is down: a missing stack is a broken test run, not a skip.
"""

from __future__ import annotations

import pytest

from citypulse_spark.session import build_session
from citypulse_spark.settings import Settings
from tests.kafka_helpers import require_kafka


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.load()


@pytest.fixture(scope="session")
def spark(settings):
    session = build_session("citypulse-tests", settings, shuffle_partitions=2, ui=False)
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def kafka_admin(settings):
    return require_kafka(settings.kafka_brokers)
