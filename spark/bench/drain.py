"""`make bench`: the Spark job draining a mixed backlog of the four normalized streams, side by side
with Kafka's own Java consumer (kafka-consumer-perf-test, ConsumerPerformance) on the same topics.

    cd spark && $CITYPULSE_PY -m bench.drain [--events 1000000] [--outputs bronze,silver,gold,kafka]

1. Creates four topics of its own (the contracts' partitions), registers the contract schemas under
   their subjects and fills them with a mixed backlog (fastavro, Confluent-framed): traffic 70 %,
   transport 20 %, tickets 8 %, incidents 2 %, event times in order over three hours (a few seconds
   out of order), 1 % duplicate event ids.
2. The limit: ConsumerPerformance reads each topic in full; limit = events / the sum of its fetch times.
3. Cold: the job in the production query layout (main.start_streaming, the default triggers and
   watermark, no maxOffsetsPerTrigger, every output on) with a fresh checkpoint and lake in a temp
   folder and a fresh JVM, until every query has read every record of its topic.
   Rate = events / (last batch end - queries started): query start and the JVM's warm-up included.
4. Warm (--warm-events, default as many): while that job keeps running, a second backlog of the
   same mix (event times after the first's, new event ids) is produced into the same topics as fast
   as this process can (pre-encoded; the producer shares the two cores with the job), until every
   query has read it too. Rate = events / (last batch end - produce start), beside the producer's
   own rate (the warm figure cannot exceed it). This is a backlog reaching a running job (a burst,
   normalizers catching up after an outage); cold is a backlog met by a job (re)starting.
Figures are merged into bench/results/latest.json (keys spark_*) and printed as a table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from pyspark.sql import DataFrame
from pyspark.sql.streaming import StreamingQueryListener
from pyspark.sql.streaming.listener import QueryProgressEvent

from citypulse_spark import aggregates as A
from citypulse_spark import contracts, main, registry
from citypulse_spark import transforms as T
from citypulse_spark.session import build_session
from citypulse_spark.settings import Settings
from tests import avro_helpers as H
from tests import kafka_helpers as K

MIX = {
    contracts.TRAFFIC_NORMALIZED: 0.70,
    contracts.TRANSPORT_NORMALIZED: 0.20,
    contracts.TICKETS_NORMALIZED: 0.08,
    contracts.INCIDENTS_NORMALIZED: 0.02,
}
SPAN = timedelta(hours=3)
BASE = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
PRIORITIES = ("LOW", "MEDIUM", "HIGH", "URGENT")


def _record(stream: str, i: int, t: datetime, rnd: random.Random) -> tuple[bytes, H.Record]:
    eid = f"{stream[:2]}-{i:09d}"
    if stream == contracts.TRAFFIC_NORMALIZED:
        sensor = rnd.randrange(240)
        key = f"S{sensor:03d}"
        return key.encode(), H.traffic_reading(
            eid,
            t,
            zone_id=f"Z{sensor % 12 + 1:02d}",
            sensor_id=key,
            speed_kmh=rnd.uniform(3, 70),
            vehicle_count=rnd.randrange(60),
            occupancy_pct=rnd.uniform(0, 100),
        )
    if stream == contracts.TRANSPORT_NORMALIZED:
        vehicle = rnd.randrange(80)
        key = f"V{vehicle:03d}"
        return key.encode(), H.transport_status(
            eid,
            t,
            vehicle_id=key,
            line_id=f"L{vehicle % 8 + 1}",
            delay_seconds=rnd.randrange(-60, 600),
            passenger_count=rnd.randrange(100),
        )
    if stream == contracts.INCIDENTS_NORMALIZED:
        zone = f"Z{rnd.randrange(12) + 1:02d}"
        return zone.encode(), H.incident_report(
            eid, t, incident_id=f"I{i % 500:04d}", zone_id=zone, severity=rnd.choice(SEVERITIES)
        )
    ticket = f"T{i:09d}"
    return ticket.encode(), H.support_ticket(eid, t, ticket_id=ticket, priority=rnd.choice(PRIORITIES))


def backlog(events: int, seed: int, first: int = 0, base: datetime = BASE) -> dict[str, list[tuple[bytes, H.Record]]]:
    """{stream: [(key, record)]}: ``events`` records split by MIX, event times in order over SPAN from
    ``base``; event ids numbered from ``first``."""
    rnd = random.Random(seed)
    streams, weights = list(MIX), list(MIX.values())
    out: dict[str, list[tuple[bytes, H.Record]]] = {s: [] for s in streams}
    step = SPAN / events
    for i in range(events):
        stream = rnd.choices(streams, weights)[0]
        t = base + step * i + timedelta(seconds=rnd.uniform(-3, 0))  # a few seconds out of order
        key, rec = _record(stream, first + i, t, rnd)
        out[stream].append((key, rec))
        if rnd.random() < 0.01:  # a redelivered duplicate (same event id)
            out[stream].append((key, rec))
    return out


Encoded = dict[str, list[tuple[bytes, bytes]]]  # {stream: [(key, Confluent-framed value)]}


def create_topics(settings: Settings, topics: dict[str, str]) -> dict[str, int]:
    """Creates the input topics and registers each contract under its subject; {stream: schema id}."""
    admin = K.require_kafka(settings.kafka_brokers)
    ids = {}
    for stream, topic in topics.items():
        K.create_topic(admin, topic, contracts.stream(stream).partitions)
        schema = contracts.stream(stream).schema
        ids[stream] = registry.register(
            settings.schema_registry_url, f"{topic}-value", schema, settings.schema_registry_auth
        )
    return ids


def encode(data: dict[str, list[tuple[bytes, H.Record]]], schema_ids: dict[str, int]) -> Encoded:
    out = {}
    for stream, rows in data.items():
        parsed = H.parsed(contracts.stream(stream).schema)
        out[stream] = [(k, H.confluent_encode(parsed, schema_ids[stream], r)) for k, r in rows]
    return out


def produce_all(settings: Settings, topics: dict[str, str], encoded: Encoded) -> None:
    for stream, rows in encoded.items():
        K.produce(settings.kafka_brokers, topics[stream], rows)


def kafka_java(main_class: str, *args: str) -> str:
    """Runs a class of the stack's Kafka jars (kafka-tools: the distribution's bin/kafka-*-perf-test.sh)
    and returns its stdout."""
    settings = Settings.load()
    libs = settings.stack_dir / "cache" / "kafka" / os.environ.get("KAFKA_VERSION", "3.9.1") / "libs"
    if not (libs.exists() and any(libs.glob("kafka-tools-*.jar"))):
        raise SystemExit(f"kafka-tools is not in {libs}: run deploy/local/services/kafka/install.sh (make install)")
    cmd = ["java", "-Xmx512m", "-Dlog4j.configuration=file:/dev/null", "-cp", f"{libs}/*", main_class, *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def consumer_perf(brokers: str, topic: str, messages: int) -> float:
    """Seconds ConsumerPerformance takes to fetch ``messages`` records of ``topic`` (its fetch time),
    with fetch.max.wait.ms 10 as bench/lib/kafka-tools.js runs it (why: there)."""
    with tempfile.TemporaryDirectory(prefix="citypulse-perf-") as tmp:
        config = Path(tmp) / "consumer.properties"
        config.write_text("fetch.max.wait.ms=10\n")
        out = _consumer_perf_run(brokers, topic, messages, config)
    # start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
    # rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    rows = [line for line in out.splitlines() if re.match(r"^\d{4}-", line)]
    if not rows:
        raise RuntimeError(f"ConsumerPerformance printed no result:\n{out}")
    cols = [c.strip() for c in rows[-1].split(",")]
    return float(cols[7]) / 1000.0


def _consumer_perf_run(brokers: str, topic: str, messages: int, config: Path) -> str:
    return kafka_java(
        "org.apache.kafka.tools.ConsumerPerformance",
        "--bootstrap-server",
        brokers,
        "--topic",
        topic,
        "--messages",
        str(messages),
        "--timeout",
        "60000",
        "--consumer.config",
        str(config),
    )


class _Progress(StreamingQueryListener):
    """Counts each query's input rows; ``done`` is set once every query read its expected rows."""

    def __init__(self, expected: Callable[[str], int]) -> None:
        self.expected = expected  # replaced (and ``done`` cleared) for the warm phase
        self.rows: dict[str, int] = {}
        self.batches: dict[str, int] = {}
        self.millis: dict[str, int] = {}
        # task time of the query's state operators (the dedup): inserts, watermark evictions, commits
        self.state_ms: dict[str, list[int]] = {}
        self.last_end = 0.0
        self.done = threading.Event()
        self.names: set[str] = set()

    def onQueryStarted(self, event: Any) -> None:  # noqa: N802
        self.names.add(event.name)

    def onQueryProgress(self, event: QueryProgressEvent) -> None:  # noqa: N802
        p = event.progress
        self.rows[p.name] = self.rows.get(p.name, 0) + p.numInputRows
        self.batches[p.name] = self.batches.get(p.name, 0) + 1
        self.millis[p.name] = self.millis.get(p.name, 0) + int(p.batchDuration)
        ms = self.state_ms.setdefault(p.name, [0, 0, 0])
        for op in p.stateOperators:
            ms[0] += op.allUpdatesTimeMs
            ms[1] += op.allRemovalsTimeMs
            ms[2] += op.commitTimeMs
        if p.numInputRows:
            self.last_end = time.time()
        if self.names and all(self.rows.get(n, 0) >= self.expected(n) for n in self.names):
            self.done.set()

    def onQueryIdle(self, event: Any) -> None:  # noqa: N802
        pass

    def onQueryTerminated(self, event: Any) -> None:  # noqa: N802
        pass


def _settle(queries: list[Any]) -> None:
    """Lets a batch that is still running (a no-data batch closing windows) end."""
    deadline = time.time() + 60
    while time.time() < deadline and any(q.isActive and q.status["isTriggerActive"] for q in queries):
        time.sleep(0.2)


def run_job(
    settings: Settings,
    topics: dict[str, str],
    counts: dict[str, int],
    outputs: tuple[str, ...],
    aggregates: tuple[str, ...],
    timeout: float,
    conf: list[tuple[str, str]],
    warm: tuple[dict[str, int], Callable[[], None]] | None = None,
) -> dict[str, Any]:
    """Runs the job cold on the backlog already in ``topics``; then, with ``warm`` (a second
    backlog's counts per stream, and what produces it), produces it while the job runs and waits for
    the job to read it too. Figures of both phases."""
    work = Path(tempfile.mkdtemp(prefix="citypulse-bench-spark-"))
    spark = build_session("citypulse-bench-drain", settings, ui=False, extra_conf=dict(conf))
    spark.sparkContext.setLogLevel("WARN")
    cfg = main.JobConfig(
        brokers=settings.kafka_brokers,
        registry_url=settings.schema_registry_url,
        registry_auth=settings.schema_registry_auth,
        lake_dir=work / "lake",
        checkpoint_dir=work / "checkpoints",
        topics=topics,
        outputs=outputs,
        aggregates=aggregates,
    )

    def expected(query: str) -> int:
        return counts[main.query_stream(query)]

    progress = _Progress(expected)
    spark.streams.addListener(progress)
    t0 = time.time()
    queries = main.start_streaming(spark, cfg)
    started = time.time()
    warm_result: dict[str, Any] = {}
    try:
        finished = progress.done.wait(timeout)
        _settle(queries)
        if finished and warm is not None:
            more, produce = warm
            cold_end = progress.last_end
            progress.expected = lambda q: counts[main.query_stream(q)] + more[main.query_stream(q)]
            progress.done.clear()
            w0 = time.time()
            produce()
            produced = time.time()
            warm_done = progress.done.wait(timeout)
            _settle(queries)
            warm_result = {
                "finished": warm_done,
                "events": sum(more.values()),
                "seconds": progress.last_end - w0,
                "produce_seconds": produced - w0,
            }
            progress.last_end = cold_end
    finally:
        main.stop_all(queries)
        spark.stop()
        shutil.rmtree(work, ignore_errors=True)
    seconds = (progress.last_end or time.time()) - t0
    return {
        "queries": len(queries),
        "seconds": seconds,
        "start_seconds": started - t0,
        "finished": finished,
        "rows": dict(progress.rows),
        "batches": dict(progress.batches),
        "millis": dict(progress.millis),
        "state_ms": dict(progress.state_ms),
        "warm": warm_result,
    }


def merge_results(keys: dict[str, Any], details: dict[str, Any]) -> Path:
    """Merges the figures into bench/results/latest.json the way bench/results.js does: stable keys at
    the top, a details section per benchmark, the machine and its load; and appends them to
    bench/results/history.jsonl with the commit and the load average."""
    results = Path(__file__).resolve().parents[2] / "bench" / "results"
    path = results / "latest.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    current.update(keys)
    current["details"] = {**current.get("details", {}), **details}
    load = [round(v, 2) for v in os.getloadavg()]
    current["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load1": load[0]}
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"  # as JavaScript's toISOString
    current["at"] = at
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n")
    try:
        commit: str | None = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True, cwd=results
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    line = {"at": at, "commit": commit, "stages": list(details), "load": load, "cpus": os.cpu_count(), "figures": keys}
    with (results / "history.jsonl").open("a") as f:
        f.write(json.dumps(line) + "\n")
    return path


def _streaming_as_is(events: DataFrame) -> DataFrame:
    """--no-dedup's stand-in for transforms.drop_duplicate_events."""
    return events


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


def main_(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--events", type=int, default=int(os.environ.get("BENCH_SPARK_EVENTS", "1000000")))
    p.add_argument("--outputs", type=_names, default=main.OUTPUTS)
    p.add_argument("--aggregates", type=_names, default=tuple(a.name for a in A.AGGREGATES))
    p.add_argument(
        "--warm-events",
        type=int,
        default=None,
        help="the second backlog, produced while the job runs (default: --events; 0: cold only)",
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--conf", type=lambda kv: tuple(kv.split("=", 1)), action="append", default=[], help="extra Spark conf k=v"
    )
    p.add_argument("--timeout", type=float, default=1800)
    p.add_argument("--no-record", action="store_true", help="do not write bench/results/latest.json")
    p.add_argument(
        "--no-dedup",
        action="store_true",
        help="the windows queries without Spark's dedup: what a duplicate-free input would save (a measurement, "
        "not a mode of the job: without a stateful operator nothing drops late records and Spark runs no "
        "no-data batch, so the last windows stay open until more data comes; implies --no-record)",
    )
    args = p.parse_args(argv)
    if args.no_dedup:
        args.no_record = True
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    settings = Settings.load()
    suffix = K.unique_name("bench")
    topics = {s: f"{contracts.stream(s).topic}.{suffix}" for s in MIX}
    # the aggregate topics too: the bench never writes into the flow's own topics
    outputs = {a.output: f"{contracts.stream(a.output).topic}.{suffix}" for a in A.AGGREGATES}

    warm_events = args.events if args.warm_events is None else args.warm_events
    t = time.time()
    schema_ids = create_topics(settings, topics)
    data = encode(backlog(args.events, args.seed), schema_ids)
    counts = {A.lake_name(s): len(v) for s, v in data.items()}
    total = sum(counts.values())
    # the second backlog: later event times, new ids (the first's dedup state must not swallow it)
    data2 = (
        encode(backlog(warm_events, args.seed + 1, first=args.events, base=BASE + SPAN), schema_ids)
        if warm_events
        else {}
    )
    counts2 = {A.lake_name(s): len(v) for s, v in data2.items()}
    print(f"backlogs: {total:,} + {sum(counts2.values()):,} events built in {time.time() - t:.1f} s", flush=True)
    t = time.time()
    produce_all(settings, topics, data)
    del data
    print(f"produced in {time.time() - t:.1f} s", flush=True)
    warm = (counts2, lambda: produce_all(settings, topics, data2)) if warm_events else None
    admin = K.require_kafka(settings.kafka_brokers)
    for stream, topic in outputs.items():  # the job creates no topics (main.await_topics)
        K.create_topic(admin, topic, contracts.stream(stream).partitions)
    try:
        fetch = sum(consumer_perf(settings.kafka_brokers, topics[s], counts[A.lake_name(s)]) for s in topics)
        kafka_rps = total / fetch
        print(f"Kafka ConsumerPerformance: {kafka_rps:,.0f} records/s ({fetch:.1f} s fetch time)", flush=True)
        with (
            mock.patch.object(T, "drop_duplicate_events", _streaming_as_is)
            if args.no_dedup
            else contextlib.nullcontext()
        ):
            job = run_job(
                settings, {**topics, **outputs}, counts, args.outputs, args.aggregates, args.timeout, args.conf, warm
            )
    finally:
        for topic in [*topics.values(), *outputs.values()]:
            K.delete_topic(admin, topic)
            with contextlib.suppress(registry.RegistryError):
                registry.delete_subject(settings.schema_registry_url, f"{topic}-value", settings.schema_registry_auth)
    rate = total / job["seconds"]
    print(
        f"\n{'stage':<44} {'events/s':>12} {'ratio':>7}\n"
        f"{'Kafka ConsumerPerformance (4 topics)':<44} {kafka_rps:>12,.0f} {1:>7.2f}\n"
        f"{'Spark job, ' + str(job['queries']) + ' queries, ' + ','.join(args.outputs):<44} {rate:>12,.0f} "
        f"{rate / kafka_rps:>7.3f}\n"
        f"(goal: >= 50,000 events/s; {total:,} events in {job['seconds']:.1f} s, "
        f"{job['start_seconds']:.1f} s of it starting the queries; finished={job['finished']})",
        flush=True,
    )
    w = job["warm"]
    warm_rate = w["events"] / w["seconds"] if w.get("finished") else None
    if w:
        producer_rate = w["events"] / w["produce_seconds"]
        print(
            f"{'Spark job warm: a backlog reaching it running':<44} {warm_rate or 0:>12,.0f} "
            f"{(warm_rate or 0) / kafka_rps:>7.3f}\n"
            f"{'  its producer, in this process beside the job':<44} {producer_rate:>12,.0f}\n"
            f"({w['events']:,} events in {w['seconds']:.1f} s from the first produced; finished={w['finished']})",
            flush=True,
        )
    print("per query: batches, seconds in batches; state store task seconds: updates, evictions, commits", flush=True)
    for q in sorted(job["batches"]):
        st = job["state_ms"].get(q, [0, 0, 0])
        state = "  ".join(f"{v / 1000:>6.1f}" for v in st) if any(st) else ""
        print(f"  {q:<28} {job['batches'][q]:>4} {job['millis'][q] / 1000:>8.1f}   {state}", flush=True)
    if not args.no_record:
        path = merge_results(
            {
                "spark_drain_events_per_s": round(rate),
                "spark_kafka_consumer_records_per_s": round(kafka_rps),
                "spark_drain_ratio": round(rate / kafka_rps, 4),
                "spark_queries": job["queries"],
                **({"spark_warm_drain_events_per_s": round(warm_rate)} if warm_rate else {}),
            },
            {
                "spark_drain": {
                    "events": total,
                    "per_stream": counts,
                    "outputs": list(args.outputs),
                    "aggregates": list(args.aggregates),
                    "seconds": round(job["seconds"], 1),
                    "start_seconds": round(job["start_seconds"], 1),
                    "kafka_fetch_seconds": round(fetch, 1),
                    "query_batch_seconds": {q: job["millis"][q] / 1000 for q in sorted(job["millis"])},
                    "state_task_seconds": {
                        q: dict(zip(("updates", "evictions", "commits"), (v / 1000 for v in st), strict=True))
                        for q, st in sorted(job["state_ms"].items())
                        if any(st)
                    },
                    "load1_at_end": os.getloadavg()[0],
                    "warm": {k: round(v, 1) if isinstance(v, float) else v for k, v in w.items()},
                }
            },
        )
        print(f"figures merged into {path}")
    return 0 if job["finished"] and (not w or w["finished"]) else 1


if __name__ == "__main__":
    sys.exit(main_(sys.argv[1:]))
