"""Prometheus metrics of the streaming job, fed by a StreamingQueryListener from each query's progress.

Served on SPARK_METRICS_PORT (/metrics). Every series is labelled by query name; the stateful queries
of one stream read the same input, so each one's late-record series counts the same late records.
citypulse_spark_stream_late_records_dropped is the same count once per stream (label ``stream``), taken
from the one query per stream the job names (main.late_counting_queries).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from prometheus_client import Counter, Gauge, disable_created_metrics, start_http_server
from pyspark.sql.streaming import StreamingQueryListener
from pyspark.sql.streaming.listener import (
    QueryIdleEvent,
    QueryProgressEvent,
    QueryStartedEvent,
    QueryTerminatedEvent,
)

disable_created_metrics()  # no *_created series beside each counter

LATE_DROPPED = Counter(
    "citypulse_spark_late_records_dropped",
    "Records dropped because their event time was behind the watermark (numRowsDroppedByWatermark).",
    ["query"],
)
STREAM_LATE_DROPPED = Counter(
    "citypulse_spark_stream_late_records_dropped",
    "Records of a stream dropped because their event time was behind the watermark (one query's count per stream).",
    ["stream"],
)
INPUT_ROWS = Counter("citypulse_spark_input_rows", "Rows read from the source.", ["query"])
INVALID_RECORDS = Counter(
    "citypulse_spark_invalid_records",
    "Kafka messages that were not Confluent-framed Avro of the topic's schema (unknown schema ids included).",
    ["query"],
)
BATCHES = Counter("citypulse_spark_batches", "Completed micro-batches.", ["query"])
BATCH_SECONDS = Gauge("citypulse_spark_batch_duration_seconds", "Duration of the last micro-batch.", ["query"])
STATE_ROWS = Gauge("citypulse_spark_state_rows", "Rows held in the query's state stores.", ["query"])
WATERMARK = Gauge(
    "citypulse_spark_watermark_timestamp_seconds", "The query's event-time watermark, epoch seconds.", ["query"]
)
EVENT_TIME_MAX = Gauge(
    "citypulse_spark_event_time_max_seconds",
    "Newest event time the query has read, epoch seconds (minus the watermark: how far the watermark trails).",
    ["query"],
)
ACTIVE = Gauge("citypulse_spark_query_active", "1 while the query runs, 0 once it stopped or failed.", ["query"])
FAILED = Counter("citypulse_spark_query_failures", "Queries that terminated with an exception.", ["query"])

DECODE_OBSERVATION = "decode"  # name of the observe() metrics carrying the invalid-record count


def decode_observation(source: int) -> str:
    """The observation name of one of a query's several decoded sources (one per Kafka partition)."""
    return f"{DECODE_OBSERVATION}_{source}"


def invalid_records(observed: Mapping[str, Any] | None) -> int:
    """Invalid records of a progress event: the sum over the query's decode observations."""
    return sum(
        int(row["invalid"] or 0)
        for name, row in (observed or {}).items()
        if name == DECODE_OBSERVATION or name.startswith(DECODE_OBSERVATION + "_")
    )


_served_ports: set[int] = set()


def serve(port: int, addr: str = "127.0.0.1") -> None:
    """Starts the /metrics HTTP server once per process and port."""
    if port not in _served_ports:
        start_http_server(port, addr=addr)
        _served_ports.add(port)


def _epoch_seconds(iso: str) -> float:
    """Spark's progress times ("2026-01-05T08:00:00.000Z") as epoch seconds."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class PrometheusListener(StreamingQueryListener):
    def __init__(self, late_streams: Mapping[str, str] | None = None) -> None:
        """``late_streams``: {query name: stream} of the queries whose late count is their stream's."""
        self._names: dict[str, str] = {}
        self._late_streams = dict(late_streams or {})
        self._newest: dict[str, float] = {}  # per query: the newest event time read so far

    def onQueryStarted(self, event: QueryStartedEvent) -> None:  # noqa: N802 - Spark's callback names
        name = event.name or str(event.id)
        self._names[str(event.id)] = name
        ACTIVE.labels(name).set(1)

    def onQueryProgress(self, event: QueryProgressEvent) -> None:  # noqa: N802
        p = event.progress
        name = p.name or str(p.id)
        BATCHES.labels(name).inc()
        INPUT_ROWS.labels(name).inc(p.numInputRows)
        BATCH_SECONDS.labels(name).set(p.batchDuration / 1000.0)
        if p.stateOperators:
            late = sum(op.numRowsDroppedByWatermark for op in p.stateOperators)
            LATE_DROPPED.labels(name).inc(late)
            if name in self._late_streams:
                STREAM_LATE_DROPPED.labels(self._late_streams[name]).inc(late)
            STATE_ROWS.labels(name).set(sum(op.numRowsTotal for op in p.stateOperators))
        event_time = p.eventTime or {}
        wm = event_time.get("watermark")
        if wm:
            WATERMARK.labels(name).set(_epoch_seconds(wm))
        batch_max = event_time.get("max")  # only in a batch that read rows with an event time
        if batch_max and _epoch_seconds(batch_max) > self._newest.get(name, float("-inf")):
            self._newest[name] = _epoch_seconds(batch_max)
            EVENT_TIME_MAX.labels(name).set(self._newest[name])
        invalid = invalid_records(p.observedMetrics)
        if invalid:
            INVALID_RECORDS.labels(name).inc(invalid)

    def onQueryIdle(self, event: QueryIdleEvent) -> None:  # noqa: N802
        pass

    def onQueryTerminated(self, event: QueryTerminatedEvent) -> None:  # noqa: N802
        name = self._names.get(str(event.id), str(event.id))
        ACTIVE.labels(name).set(0)
        if event.exception:
            FAILED.labels(name).inc()
