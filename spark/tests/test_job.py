"""main's wiring around the table of aggregates, without Spark queries or services: topic and subject
lookup, arguments, scheduler pools, the late-record counter per stream, and the input subjects' writer schemas against a
stand-in registry (a local HTTP server on an ephemeral port)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import pytest
from prometheus_client import REGISTRY

from citypulse_spark import aggregates as A
from citypulse_spark import contracts, metrics, session
from citypulse_spark import main as job


def config(**kw) -> job.JobConfig:
    return replace(job.JobConfig("127.0.0.1:1", "http://127.0.0.1:1", None, Path("lake"), Path("checkpoints")), **kw)


def test_topics_and_subjects_come_from_the_contracts_unless_overridden():
    transport = contracts.stream(contracts.TRANSPORT_NORMALIZED)
    cfg = config(topics={contracts.TRAFFIC_NORMALIZED: "test-traffic"})
    assert cfg.topic(contracts.TRAFFIC_NORMALIZED) == "test-traffic"
    assert cfg.subject(contracts.TRAFFIC_NORMALIZED) == "test-traffic-value"
    assert (cfg.topic(contracts.TRANSPORT_NORMALIZED), cfg.subject(contracts.TRANSPORT_NORMALIZED)) == (
        transport.topic,
        transport.subject,
    )


def test_the_job_runs_the_whole_table_unless_told_otherwise():
    assert config().aggregates == tuple(a.name for a in A.AGGREGATES)
    stream = job.parse_args(["stream", "--outputs", "gold, kafka", "--aggregates", "tickets_priority_1m"])
    assert (stream.outputs, stream.aggregates) == (("gold", "kafka"), ("tickets_priority_1m",))
    batch = job.parse_args(["batch"])
    assert batch.aggregates == tuple(a.name for a in A.AGGREGATES)


def test_one_late_counter_per_stream_from_its_windows_query():
    assert job.late_counting_queries(A.AGGREGATES, job.OUTPUTS) == {
        "windows_traffic": "traffic",
        "windows_transport": "transport",
        "windows_incidents": "incidents",
        "windows_tickets": "tickets",
    }
    assert job.late_counting_queries((A.MOBILITY_INDEX_5M,), ("silver", "kafka")) == {"windows_traffic": "traffic"}
    assert job.late_counting_queries(A.AGGREGATES, ("bronze", "silver")) == {}
    assert job.query_stream("windows_traffic") == job.query_stream("bronze_traffic") == "traffic"


# --- the input subjects' writer schemas -----------------------------------------------------------------


TRAFFIC = contracts.stream(contracts.TRAFFIC_NORMALIZED)


class _Registry(BaseHTTPRequestHandler):
    """Knows one subject (the traffic contract's, one version); registers anything POSTed as id 21."""

    posted: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self):  # http.server's name
        path = unquote(urlsplit(self.path).path)
        if path == f"/subjects/{TRAFFIC.subject}/versions":
            self._send(200, [1])
        elif path == f"/subjects/{TRAFFIC.subject}/versions/1":
            self._send(200, {"subject": TRAFFIC.subject, "version": 1, "id": 3, "schema": TRAFFIC.schema})
        else:
            self._send(404, {"error_code": 40401, "message": "Subject not found"})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Registry.posted.append((unquote(urlsplit(self.path).path), body["schema"]))
        self._send(200, {"id": 21})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def registry_url():
    server = HTTPServer(("127.0.0.1", 0), _Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Registry.posted = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_registered_input_subject_gives_its_writer_schemas(registry_url):
    assert job.input_writer_schemas(config(registry_url=registry_url), TRAFFIC.name) == {3: TRAFFIC.schema}
    assert _Registry.posted == []


def test_an_input_subject_without_versions_gets_the_contract_registered(registry_url):
    tickets = contracts.stream(contracts.TICKETS_NORMALIZED)
    cfg = config(registry_url=registry_url, topics={tickets.name: "test-tickets"})

    assert job.input_writer_schemas(cfg, tickets.name) == {21: tickets.schema}
    [(path, schema)] = _Registry.posted
    assert path == "/subjects/test-tickets-value/versions"
    assert json.loads(schema) == json.loads(tickets.schema)


def test_the_listener_counts_a_streams_late_records_once_from_its_named_query():
    def progress(query: str, late: int) -> Any:  # the fields of a QueryProgressEvent the listener reads
        op = SimpleNamespace(numRowsDroppedByWatermark=late, numRowsTotal=0)
        p = SimpleNamespace(
            name=query, id=query, numInputRows=1, batchDuration=1, stateOperators=[op], eventTime={}, observedMetrics={}
        )
        return SimpleNamespace(progress=p)

    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    stream_late = "citypulse_spark_stream_late_records_dropped_total"
    before = sample(stream_late, stream="tickets")
    listener = metrics.PrometheusListener({"gold_tickets_priority_1m": "tickets"})
    listener.onQueryProgress(progress("gold_tickets_priority_1m", 2))
    listener.onQueryProgress(progress("agg_tickets_priority_1m", 2))  # the same records: not counted again

    assert sample(stream_late, stream="tickets") - before == 2
    assert sample("citypulse_spark_late_records_dropped_total", query="agg_tickets_priority_1m") >= 2  # per query


def test_the_listener_exports_the_newest_event_time_and_the_watermark_of_a_query():
    def progress(batch_max: str | None, watermark: str) -> Any:
        event_time = {"watermark": watermark, **({"max": batch_max} if batch_max else {})}
        p = SimpleNamespace(
            name="windows_test",
            id="q",
            numInputRows=1,
            batchDuration=1,
            stateOperators=[],
            eventTime=event_time,
            observedMetrics={},
        )
        return SimpleNamespace(progress=p)

    def sample(name: str) -> float | None:
        return REGISTRY.get_sample_value(name, {"query": "windows_test"})

    listener = metrics.PrometheusListener()
    listener.onQueryProgress(progress("2026-01-05T08:10:00.000Z", "2026-01-05T08:00:00.000Z"))
    listener.onQueryProgress(progress("2026-01-05T08:05:00.000Z", "2026-01-05T08:08:00.000Z"))  # an older batch max
    listener.onQueryProgress(progress(None, "2026-01-05T08:08:00.000Z"))  # a batch without rows

    newest = datetime(2026, 1, 5, 8, 10, tzinfo=UTC).timestamp()
    assert sample("citypulse_spark_event_time_max_seconds") == newest
    assert sample("citypulse_spark_watermark_timestamp_seconds") == newest - 120


def test_the_lake_runs_every_minute_and_the_windows_every_five_seconds_unless_told_otherwise():
    args = job.parse_args(["stream"])
    assert (args.trigger, args.lake_trigger) == ("5 seconds", "1 minute")
    assert job.parse_args(["stream", "--lake-trigger", "10 seconds"]).lake_trigger == "10 seconds"


def test_a_query_starts_in_its_scheduler_pool_and_the_pools_are_the_files(spark):
    """The pools come from fairscheduler.xml (a wrong path would leave Spark making equal pools on the
    fly); a query's jobs inherit the pool of the thread that started it, which then forgets it."""
    sc = spark.sparkContext
    seen = []
    query: Any = object()

    def start() -> Any:
        seen.append(sc.getLocalProperty("spark.scheduler.pool"))
        return query

    assert job._in_pool(spark, session.LAKE_POOL, start) is query
    assert seen == ["lake"]
    assert sc.getLocalProperty("spark.scheduler.pool") is None
    assert spark.conf.get("spark.scheduler.mode") == "FAIR"
    pools = sc._jsc.sc()  # the SparkContext (JVM)
    weights = {name: pools.getPoolForName(name).get().weight() for name in (session.WINDOWS_POOL, session.LAKE_POOL)}
    assert weights == {"windows": 4, "lake": 1}


def test_a_batchs_aggregates_run_side_by_side_in_its_pool_and_a_failure_is_raised_after_all_ended(spark):
    """run_concurrently (WindowWriter's aggregates): every task runs, on threads that overlap, each
    seeing the calling thread's scheduler pool; the first failure reaches the caller once the others
    are done."""
    sc = spark.sparkContext
    started = threading.Barrier(2, timeout=30)  # both tasks must be running at once to pass it
    seen: list[tuple[str, Any]] = []

    def task(name: str) -> None:
        started.wait()
        seen.append((name, sc.getLocalProperty("spark.scheduler.pool")))

    sc.setLocalProperty("spark.scheduler.pool", session.WINDOWS_POOL)
    try:
        job.run_concurrently([lambda: task("zone"), lambda: task("mobility")])
        assert sorted(seen) == [("mobility", "windows"), ("zone", "windows")]

        finished: list[str] = []

        def fails() -> None:
            raise ValueError("aggregate failed")

        def slow() -> None:
            time.sleep(0.5)
            finished.append("slow")

        with pytest.raises(ValueError, match="aggregate failed"):
            job.run_concurrently([fails, slow])
        assert finished == ["slow"]
    finally:
        sc.setLocalProperty("spark.scheduler.pool", None)
