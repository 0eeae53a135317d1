"""citypulse stream job: the table of aggregates (aggregates.py) over the normalized streams, to the
aggregate topics and a Parquet lake.

Usage:
    $CITYPULSE_PY -m citypulse_spark.main stream [--watermark "2 minutes"] [--watermark-scope partition|topic]
                                                 [--trigger "5 seconds"] [--lake-trigger "1 minute"]
                                                 [--starting-offsets earliest] [--max-offsets-per-trigger N]
                                                 [--outputs bronze,silver,gold,kafka] [--aggregates NAME,...]
    $CITYPULSE_PY -m citypulse_spark.main batch  [--gold-dir DIR] [--aggregates NAME,...]

    (run from spark/, after `. scripts/env.sh`; settings come from .env: KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL, SPARK_MASTER, LAKE_DIR, CHECKPOINT_DIR, SPARK_METRICS_PORT; SASL and TLS
    from KAFKA_SASL_*, KAFKA_SSL, KAFKA_SSL_CA_FILE and SCHEMA_REGISTRY_USERNAME/PASSWORD, as the
    services read them)

The table (--aggregates picks some; default all):
    aggregate             input stream  window            key                  output topic (contracts)
    traffic_zone_5m       traffic       5 min tumbling    zone_id              trafficByZone5m
    mobility_index_5m     traffic       5 min tumbling    (city)               mobilityIndex5m
    transport_line_10m    transport     10 min tumbling   line_id              transportByLine10m
    incidents_zone_15m    incidents     15 min tumbling   zone_id, severity    incidentsByZone15m
    tickets_priority_1m   tickets       1 min tumbling    priority             ticketsByPriority1m

stream  reads the normalized topic of each stream the chosen aggregates need (Confluent-framed Avro:
        each message decoded with the writer schema of its schema id, fetched from the registry at
        start, resolved to the libs/contracts schema; an id registered after the start counts as
        invalid until a restart) and runs three queries per stream, each with its checkpoint under
        CHECKPOINT_DIR/<query>, so a restart resumes with nothing lost and nothing counted twice:
          bronze_<stream>   raw Kafka bytes     -> LAKE_DIR/bronze/<stream>         (file sink, by ingest_date)
          silver_<stream>   decoded records     -> LAKE_DIR/silver/<stream>         (file sink, by event_date)
          windows_<stream>  every aggregate of the stream, from one read, one decode and one dedup
                            (WindowWriter: each micro-batch is accumulated into the open windows):
                              live window updates -> each aggregate's topic
                              closed windows      -> LAKE_DIR/gold/<aggregate>/batch=<N>
        (4 streams x 3 = 12 queries with everything on; traffic alone is bronze_traffic, silver_traffic
        and windows_traffic, which computes traffic_zone_5m and mobility_index_5m.)
        The windows queries run every --trigger (the aggregates' freshness); bronze and silver every
        --lake-trigger (default 1 minute: the lake is read by batch jobs; a bronze or silver batch took
        0.5-1 s on the 2-core machine at 15,000 records, and every 5 s those batches took the cores the
        windows need; a minute's batch also writes 12 times fewer, larger Parquet files).
        Records later than the watermark are dropped and counted (citypulse_spark_late_records_dropped
        on :SPARK_METRICS_PORT/metrics); duplicate event ids within the watermark count once. Each Kafka
        partition has a watermark of its own and the query's is the slowest one's (--watermark-scope
        partition, the default); --watermark-scope topic takes one over all partitions, which drops
        readings after a backlog drained unevenly (kept to measure that: e2e/test/faults/README.md).
batch   recomputes gold from silver with the same accumulate/finish steps, into --gold-dir (default
        LAKE_DIR/gold-recomputed/<aggregate>; the streaming gold folders belong to the stream job and are
        never overwritten). It includes records the stream dropped as late.

On a Spark cluster (no Python UDFs, so executors need no Python code of ours), either the driver here with
SPARK_MASTER=spark://HOST:PORT (the native stack's cluster profile: SPARK_MASTER=$SPARK_CLUSTER_MASTER; the
executors reach the driver at BIND_HOST and are sized by SPARK_JOB_*, session.standalone_conf), or:
    spark-submit --master spark://HOST:7077 \\
      --jars "$(ls $CITYPULSE_STACK/cache/spark/jars/*.jar | paste -sd,)" \\
      spark/citypulse_spark/main.py stream
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file (spark-submit .../main.py): make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyspark import InheritableThread
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery
from pyspark.sql.types import StructField, StructType

from citypulse_spark import aggregates as A
from citypulse_spark import contracts, metrics, registry
from citypulse_spark import transforms as T
from citypulse_spark.kafka_security import KafkaSecurity
from citypulse_spark.session import LAKE_POOL, WINDOWS_POOL, build_session
from citypulse_spark.settings import Settings

log = logging.getLogger("citypulse_spark")

ZONE_TABLE = A.TRAFFIC_ZONE_5M.gold_table
MOBILITY_TABLE = A.MOBILITY_INDEX_5M.gold_table
OUTPUTS = ("bronze", "silver", "gold", "kafka")


@dataclass(frozen=True)
class JobConfig:
    brokers: str
    registry_url: str
    registry_auth: tuple[str, str] | None
    lake_dir: Path
    checkpoint_dir: Path
    aggregates: tuple[str, ...] = tuple(a.name for a in A.AGGREGATES)  # names in aggregates.AGGREGATES
    topics: Mapping[str, str] = field(default_factory=dict)  # contract stream -> topic instead of topics.json's
    watermark: str = "2 minutes"
    watermark_scope: str = "partition"  # "partition": one per Kafka partition, the query's the min; "topic": one
    trigger: str = "5 seconds"
    lake_trigger: str | None = None  # bronze and silver; None: ``trigger`` (the CLI's default is 1 minute)
    starting_offsets: str = "earliest"
    max_offsets_per_trigger: int | None = None
    outputs: tuple[str, ...] = field(default=OUTPUTS)
    topics_timeout_s: float = 120.0  # how long to wait for the topics to exist (await_topics)
    kafka_security: KafkaSecurity = field(default_factory=KafkaSecurity)  # SASL / TLS of both clients

    @staticmethod
    def from_settings(s: Settings) -> JobConfig:
        return JobConfig(
            brokers=s.kafka_brokers,
            kafka_security=s.kafka_security,
            registry_url=s.schema_registry_url,
            registry_auth=s.schema_registry_auth,
            lake_dir=s.lake_dir,
            checkpoint_dir=s.checkpoint_dir,
        )

    def topic(self, stream: str) -> str:
        """The topic of a contract stream: topics.json's, unless ``topics`` overrides it (tests)."""
        return self.topics.get(stream) or contracts.stream(stream).topic

    def subject(self, stream: str) -> str:
        """The registry subject of the stream's values: its topic plus the contracts' suffix."""
        s = contracts.stream(stream)
        return self.topic(stream) + s.subject[len(s.topic) :]


# --- sources -----------------------------------------------------------------------------------------


def kafka_stream(spark: SparkSession, cfg: JobConfig, topic: str, partition: int | None = None) -> DataFrame:
    """The topic's records (every partition), or one partition's (``assign``)."""
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", cfg.brokers)
        .options(**cfg.kafka_security.spark_options())
        .option(*(("subscribe", topic) if partition is None else ("assign", json.dumps({topic: [partition]}))))
        .option("startingOffsets", cfg.starting_offsets)
    )
    if cfg.max_offsets_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", str(cfg.max_offsets_per_trigger))
    return reader.load()


def records(
    kafka_rows: DataFrame,
    stream: contracts.Stream,
    writer_schemas: Mapping[int, str],
    observation: str = metrics.DECODE_OBSERVATION,
) -> DataFrame:
    """Kafka rows -> the stream's normalized records, each decoded with its writer schema (by the
    message's schema id) and resolved to the contract's; invalid messages (unknown ids included) are
    counted (observe, under ``observation``: unique in its query) and left out."""
    decoded = T.decode_confluent_avro(kafka_rows, stream.schema, writer_schemas)
    decoded = decoded.observe(
        observation,
        F.count(F.lit(1)).alias("total"),
        F.sum(F.when(T.is_invalid_record(), 1).otherwise(0)).alias("invalid"),
    )
    return T.valid_records(decoded)


def windowed_input(
    partition_rows: Sequence[DataFrame], stream: contracts.Stream, cfg: JobConfig, writer_schemas: Mapping[int, str]
) -> DataFrame:
    """The records an aggregate reads, from one Kafka source per partition (``partition_rows``; one
    source of the whole topic with --watermark-scope topic), each with its own watermark (the query's is
    the slowest partition's: T.watermark_per_partition); behind it dropped, duplicate event ids once."""
    decoded = [
        records(rows, stream, writer_schemas, metrics.decode_observation(i)) for i, rows in enumerate(partition_rows)
    ]
    return T.drop_duplicate_events(T.watermark_per_partition(decoded, cfg.watermark))


def partition_count(cfg: JobConfig, topic: str) -> int:
    """How many partitions the topic has now (the broker's metadata)."""
    meta = list_topics(cfg, topic).get(topic)
    if meta is None or meta.error is not None or not meta.partitions:
        raise RuntimeError(f"cannot read the partitions of {topic}: {meta.error if meta else 'no such topic'}")
    return len(meta.partitions)


def input_writer_schemas(cfg: JobConfig, stream: str) -> dict[int, str]:
    """The writer schemas of the stream's subject, {schema id: schema JSON}, from the registry.

    Read once, when the queries start: the decode expression is fixed for the query's life. A writer
    schema registered after that (a producer moving to a newer version) is picked up on the next
    restart; until then its messages are counted as invalid (citypulse_spark_invalid_records_total)
    and left out of silver and gold -- bronze keeps their bytes.

    A subject with no version yet (no producer of the stream has run) gets the contract's schema
    registered, as the job registers its aggregates' and as libs/contracts' registerContracts would:
    the job starts before the producers of every stream exist, and a producer writing the contract
    gets that same id.
    """
    subject = cfg.subject(stream)
    try:
        schemas = registry.writer_schemas(cfg.registry_url, subject, cfg.registry_auth)
    except registry.RegistryError as e:
        if e.status != 404:
            raise
        contract = contracts.stream(stream)
        schema_id = registry.register(cfg.registry_url, subject, contract.schema, cfg.registry_auth)
        log.warning(
            "%s had no schema: registered the contract %s (id %d)", subject, contract.schema_file.name, schema_id
        )
        schemas = {schema_id: contract.schema}
    log.info("decoding %s with the writer schemas of %s: ids %s", cfg.topic(stream), subject, sorted(schemas))
    return schemas


# --- the streaming job -------------------------------------------------------------------------------


def list_topics(cfg: JobConfig, topic: str | None = None, wait_s: float = 300) -> dict[str, Any]:
    """The broker's topic metadata (of one topic, or all), waiting up to ``wait_s`` for a broker that is
    not up yet (restarting): the job then starts once it is, instead of exiting into a restart loop.

    A broker that refuses the job's credentials or its TLS handshake stops the job at the first refusal,
    naming it: waiting cannot fix a wrong password, and retrying one only hammers the broker."""
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import AdminClient

    refusals: list[KafkaError] = []
    admin = AdminClient(
        {"bootstrap.servers": cfg.brokers, **cfg.kafka_security.librdkafka_config(), "error_cb": refusals.append}
    )
    deadline = time.monotonic() + wait_s
    said = 0.0
    while True:
        try:  # short tries, so a refusal is seen within seconds (librdkafka retries it by itself)
            return dict(admin.list_topics(topic, timeout=2).topics)
        except KafkaException as e:
            admin.poll(0)  # serves error_cb
            refused = [r for r in refusals if r.code() in (KafkaError._AUTHENTICATION, KafkaError._SSL)]
            if refused:
                raise SystemExit(
                    f"Kafka at {cfg.brokers} refused the job ({refused[0].name()}): {refused[0].str()}; "
                    "check KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD, KAFKA_SSL and KAFKA_SSL_CA_FILE"
                ) from e
            now = time.monotonic()
            if now > deadline:
                raise
            if now - said >= 10:
                log.warning("Kafka (%s) does not answer yet (%s); trying again", cfg.brokers, e)
                said = now
            time.sleep(1)


def await_topics(cfg: JobConfig, table: Sequence[A.Aggregate]) -> None:
    """Waits until the topics the aggregates read and write exist; stops the job naming the missing ones
    after ``cfg.topics_timeout_s``. The job creates no topics: every contract topic is created from
    libs/contracts/topics.json with its partitions and configs by one implementation (libs/kafka's
    ensureTopics: the services at start, ``make demo``, the e2e runner; redpanda-init in compose), so
    the job may start first and waits for them."""
    wanted = sorted({cfg.topic(s) for a in table for s in (a.input, a.output)})
    deadline = time.monotonic() + cfg.topics_timeout_s
    said = 0.0
    while True:
        existing = list_topics(cfg)
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return
        now = time.monotonic()
        if now >= deadline:
            raise SystemExit(
                f"topics {', '.join(missing)} do not exist after {cfg.topics_timeout_s:g} s; they are created from "
                "libs/contracts/topics.json by the services (e.g. the aggregation-sink at start), make demo, "
                "or redpanda-init in compose"
            )
        if now - said >= 10:
            log.info("waiting for topics %s (created by the services from libs/contracts)", ", ".join(missing))
            said = now
        time.sleep(0.5)


def register_outputs(cfg: JobConfig, table: Sequence[A.Aggregate]) -> dict[str, int]:
    """Registers each aggregate's schema under its topic's subject; {aggregate name: schema id}."""
    ids = {}
    for a in table:
        out = contracts.stream(a.output)
        ids[a.name] = registry.register(cfg.registry_url, cfg.subject(a.output), out.schema, cfg.registry_auth)
        log.info("registered %s under %s (id %d)", out.schema_file.name, cfg.subject(a.output), ids[a.name])
    return ids


def _in_pool(spark: SparkSession, pool: str, start: Callable[[], StreamingQuery]) -> StreamingQuery:
    """Starts a query whose jobs run in scheduler pool ``pool`` (session.SCHEDULER_POOLS): a query's
    jobs inherit the local properties of the thread that started it."""
    sc = spark.sparkContext
    sc.setLocalProperty("spark.scheduler.pool", pool)
    try:
        return start()
    finally:
        sc.setLocalProperty("spark.scheduler.pool", None)  # type: ignore[arg-type]


def _file_sink(df: DataFrame, name: str, path: Path, cfg: JobConfig, partition_by: str | None = None) -> StreamingQuery:
    w = (
        df.writeStream.queryName(name)
        .format("parquet")
        .outputMode("append")
        .option("path", str(path))
        .option("checkpointLocation", str(cfg.checkpoint_dir / name))
        .trigger(processingTime=cfg.lake_trigger or cfg.trigger)
    )
    if partition_by:
        w = w.partitionBy(partition_by)
    return _in_pool(df.sparkSession, LAKE_POOL, w.start)


class WindowState:
    """The open windows of one aggregate, as accumulator rows, versioned by micro-batch:
    ``<folder>/<aggregate>/batch=<N>`` holds the windows still open after batch N.

    Batch N reads the newest version older than N, so a batch Spark runs again after a crash (the same
    input offsets, the same watermark: both are in the offset log) starts from the same state and
    writes the same result over its own version: nothing is lost or counted twice. Versions older
    than N - 1 are deleted once N is written (N - 1 stays until Spark has committed N).

    Paths are local (or a shared mount), as the job's lake and checkpoints are.
    """

    def __init__(self, spark: SparkSession, folder: Path) -> None:
        self.spark, self.folder = spark, folder

    def _versions(self, aggregate: str) -> list[int]:
        root = self.folder / aggregate
        if not root.exists():
            return []
        out = []
        for d in root.iterdir():
            name, _, n = d.name.partition("=")
            if name == "batch" and n.isdigit() and (d / "_SUCCESS").exists():
                out.append(int(n))
        return sorted(out)

    def read(self, aggregate: str, before: int, schema: StructType | None = None) -> DataFrame | None:
        """The open windows after the newest batch older than ``before``; None before the first.
        With ``schema`` (what was written) Spark runs no job to read it from the files' footers."""
        older = [v for v in self._versions(aggregate) if v < before]
        if not older:
            return None
        reader = self.spark.read if schema is None else self.spark.read.schema(schema)
        return reader.parquet(str(self.folder / aggregate / f"batch={older[-1]}"))

    def write(self, aggregate: str, batch_id: int, open_windows: DataFrame) -> None:
        open_windows.write.mode("overwrite").parquet(str(self.folder / aggregate / f"batch={batch_id}"))
        for v in self._versions(aggregate):
            if v < batch_id - 1:
                shutil.rmtree(self.folder / aggregate / f"batch={v}", ignore_errors=True)


def batch_watermark(checkpoint: Path, batch_id: int) -> datetime:
    """The event-time watermark Spark applies in micro-batch ``batch_id``: ``batchWatermarkMs`` of the
    batch's entry in the query's offset log (written before the batch runs, read again when it is run
    again after a crash). The dedup before the window state drops every record at or behind it, so a
    window that ends at or before it gets nothing more: it is final."""
    lines = (checkpoint / "offsets" / str(batch_id)).read_text().splitlines()
    meta = json.loads(lines[1])  # line 0 is the log's version ("v1")
    return datetime.fromtimestamp(int(meta.get("batchWatermarkMs", 0)) / 1000, tz=UTC)


def run_concurrently(tasks: Sequence[Callable[[], None]]) -> None:
    """Runs each task on a thread of its own and waits for all; re-raises the first failure once
    all are done (so none is left running against a batch that failed).

    Used for a stream's aggregates within a micro-batch: each is a few small jobs, most of them one
    task (a batch's accumulators and the open windows are coalesced to one partition), so one after
    the other they leave a core idle. The threads are InheritableThreads: their jobs carry the
    micro-batch thread's local properties (scheduler pool, the streaming query's ids)."""
    if len(tasks) <= 1:
        for task in tasks:
            task()
        return
    failures: list[BaseException] = []

    def guarded(task: Callable[[], None]) -> None:
        try:
            task()
        except BaseException as e:  # noqa: BLE001 - re-raised by the caller's thread below
            failures.append(e)

    threads = [InheritableThread(target=guarded, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


@dataclass
class WindowWriter:
    """The foreachBatch body of a stream's windows query: each micro-batch's deduplicated events are
    accumulated per aggregate, merged into the open windows (WindowState), and then

      kafka  every window this batch changed goes to the aggregate's topic (live updates; at least
             once: a batch run again sends its updates again, the sink keeps the newest)
      gold   every window the watermark closed in this batch is appended to LAKE_DIR/gold/<table>,
             in ``batch=<N>`` (written with overwrite: a batch run again replaces its own files)

    One query per stream reads, decodes and deduplicates the stream once for all its aggregates;
    the aggregation of a micro-batch is a plain batch job over its events and the few open windows,
    one per aggregate, run side by side (run_concurrently).
    """

    spark: SparkSession
    cfg: JobConfig
    aggregates: Sequence[A.Aggregate]
    checkpoint: Path
    schema_ids: Mapping[str, int]

    def __post_init__(self) -> None:
        self.state = WindowState(self.spark, self.checkpoint / "windows")

    def __call__(self, events: DataFrame, batch_id: int) -> None:
        t0 = time.monotonic()
        watermark = batch_watermark(self.checkpoint, batch_id)
        previous = batch_watermark(self.checkpoint, batch_id - 1) if self._logged(batch_id - 1) else None
        events = events.persist()
        try:
            n = events.count()
            t1 = time.monotonic()
            run_concurrently(
                [partial(self._aggregate, a, events, batch_id, watermark, previous) for a in self.aggregates]
            )
        finally:
            events.unpersist()
        log.info(
            "%s batch %d: %d events (read, decoded, deduplicated in %.1f s), %s in %.1f s",
            self.checkpoint.name,
            batch_id,
            n,
            t1 - t0,
            [a.name for a in self.aggregates],
            time.monotonic() - t1,
        )

    def _logged(self, batch_id: int) -> bool:
        return batch_id >= 0 and (self.checkpoint / "offsets" / str(batch_id)).exists()

    def _aggregate(
        self, a: A.Aggregate, events: DataFrame, batch_id: int, watermark: datetime, previous: datetime | None
    ) -> None:
        # a batch's accumulators and the open windows are a few rows per window and key: one task
        # each (coalesce) instead of one per shuffle partition, so one state or gold file and one
        # Kafka write task per batch instead of spark.sql.shuffle.partitions of them
        accumulated = a.accumulate(events).coalesce(1)
        written = StructType([StructField(f.name, f.dataType) for f in accumulated.schema])  # no watermark metadata
        held = self.state.read(a.name, before=batch_id, schema=written)
        rows = accumulated.withColumn("_changed", F.lit(True))
        if held is not None:
            rows = rows.unionByName(held.withColumn("_changed", F.lit(False)))
        merged = a.merge(rows, F.max("_changed").alias("_changed")).coalesce(1).persist()
        try:
            closed = F.col(f"{T.WINDOW_COL}.end") <= F.lit(watermark)
            self.state.write(a.name, batch_id, merged.where(~closed).drop("_changed"))
            # most batches close nothing: no job to find out when no window can end before the watermark
            if "gold" in self.cfg.outputs and a.closes_between(previous, watermark):
                final = merged.where(closed)
                if not final.isEmpty():
                    path = self.cfg.lake_dir / "gold" / a.gold_table / f"batch={batch_id}"
                    a.finish(final).write.mode("overwrite").parquet(str(path))
            if "kafka" in self.cfg.outputs:
                out = contracts.stream(a.output)
                changed = a.finish(merged.where("_changed"))
                updates = T.as_updates(changed, out.key_fields, out.key_separator, F.current_timestamp())
                (
                    T.encode_confluent_avro(updates, out.schema, self.schema_ids[a.name])
                    .write.format("kafka")
                    .option("kafka.bootstrap.servers", self.cfg.brokers)
                    .options(**self.cfg.kafka_security.spark_options())
                    .option("topic", self.cfg.topic(a.output))
                    .save()
                )
        finally:
            merged.unpersist()


def _stream_queries(
    spark: SparkSession,
    cfg: JobConfig,
    stream_name: str,
    aggregates: Sequence[A.Aggregate],
    writers: Mapping[int, str],
    schema_ids: Mapping[str, int],
) -> Iterator[StreamingQuery]:
    """Starts one stream's queries: bronze, silver, and windows for all its aggregates (see the usage)."""
    stream, lake = contracts.stream(stream_name), A.lake_name(stream_name)

    def src() -> DataFrame:  # one Kafka source per query
        return kafka_stream(spark, cfg, cfg.topic(stream_name))

    if "bronze" in cfg.outputs:
        yield _file_sink(T.for_bronze(src()), f"bronze_{lake}", cfg.lake_dir / "bronze" / lake, cfg, "ingest_date")
    if "silver" in cfg.outputs:
        silver = T.for_silver(records(src(), stream, writers))
        yield _file_sink(silver, f"silver_{lake}", cfg.lake_dir / "silver" / lake, cfg, "event_date")
    if {"gold", "kafka"} & set(cfg.outputs):
        # one source per partition, for a watermark per partition (windowed_input); the checkpoint
        # records them by position, so a topic that gets more partitions needs a new one
        topic = cfg.topic(stream_name)
        if cfg.watermark_scope == "topic":
            parts = [src()]
        else:
            parts = [kafka_stream(spark, cfg, topic, p) for p in range(partition_count(cfg, topic))]
        events = windowed_input(parts, stream, cfg, writers)
        yield start_windows_query(spark, cfg, f"windows_{lake}", events, aggregates, schema_ids)


def start_windows_query(
    spark: SparkSession,
    cfg: JobConfig,
    name: str,
    events: DataFrame,
    aggregates: Sequence[A.Aggregate],
    schema_ids: Mapping[str, int],
) -> StreamingQuery:
    """The windows query of a stream: its deduplicated, watermarked ``events`` into WindowWriter."""
    checkpoint = cfg.checkpoint_dir / name
    writer = (
        events.writeStream.queryName(name)
        .foreachBatch(WindowWriter(spark, cfg, aggregates, checkpoint, schema_ids))
        .option("checkpointLocation", str(checkpoint))
        .trigger(processingTime=cfg.trigger)
    )
    return _in_pool(spark, WINDOWS_POOL, writer.start)


def start_streaming(spark: SparkSession, cfg: JobConfig) -> list[StreamingQuery]:
    """Starts the queries of the chosen aggregates (see the usage above) and returns them; the caller
    awaits or stops them."""
    table = A.select(cfg.aggregates)
    await_topics(cfg, table)
    inputs = A.by_input(table)
    # fetched once, before any query starts (see input_writer_schemas: new ids need a restart)
    decodes = bool({"silver", "gold", "kafka"} & set(cfg.outputs))
    writers = {s: input_writer_schemas(cfg, s) for s in inputs} if decodes else {}
    # registered before any query starts, so a refused (incompatible) schema stops the job at once
    schema_ids = register_outputs(cfg, table) if "kafka" in cfg.outputs else {}
    queries: list[StreamingQuery] = []
    try:
        for stream_name, aggregates in inputs.items():
            for q in _stream_queries(spark, cfg, stream_name, aggregates, writers.get(stream_name, {}), schema_ids):
                queries.append(q)
    except Exception:
        stop_all(queries)
        raise
    return queries


def late_counting_queries(table: Sequence[A.Aggregate], outputs: Sequence[str]) -> dict[str, str]:
    """{query name: stream}: per stream its windows query, the one stateful query of the stream, whose
    dropped-late count is the stream's citypulse_spark_stream_late_records_dropped."""
    if not {"gold", "kafka"} & set(outputs):
        return {}
    return {f"windows_{A.lake_name(stream)}": A.lake_name(stream) for stream in A.by_input(table)}


def query_stream(query: str) -> str:
    """The stream (lake name) a query of the job reads: "windows_traffic" -> "traffic"."""
    return query.partition("_")[2]


def stop_all(queries: list[StreamingQuery]) -> None:
    for q in queries:
        try:
            q.stop()
        except Exception:  # stopping the rest matters more
            log.exception("stopping %s", q.name)


def await_queries(spark: SparkSession, queries: list[StreamingQuery]) -> int:
    """Runs until a signal (SIGTERM, Ctrl-C) or until any query ends; stops them all; 1 if one failed."""
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _f: stopping.append(signum))
    signal.signal(signal.SIGINT, lambda signum, _f: stopping.append(signum))
    try:
        # short waits, so a signal is seen within a second; any query ending (or failing) ends the job
        while not stopping and all(q.isActive for q in queries):
            spark.streams.awaitAnyTermination(1)
    except Exception:  # StreamingQueryException: reported below with the others
        log.exception("a query failed")
    finally:
        if stopping:
            log.info("signal %d: stopping the queries (checkpoints keep the progress)", stopping[0])
        stop_all(queries)
    failed = [q.name for q in queries if q.exception() is not None]
    if failed:
        log.error("queries failed: %s", failed)
        return 1
    return 0


# --- the batch recompute -----------------------------------------------------------------------------


def recompute_gold(
    spark: SparkSession, silver_dir: Path, gold_dir: Path, table: Sequence[A.Aggregate] = A.AGGREGATES
) -> dict[str, int]:
    """Gold from silver (``silver_dir/<stream>``) with the stream's transforms, into ``gold_dir/<gold
    table>``; {gold table: rows}. No watermark: every record in silver counts once. A stream with no
    silver folder yet is skipped (logged), its tables left out of the answer."""
    counts = {}
    for stream, aggregates in A.by_input(table).items():
        silver = silver_dir / A.lake_name(stream)
        if not silver.exists():
            log.warning("no silver at %s: %s not recomputed", silver, [a.name for a in aggregates])
            continue
        events = T.drop_duplicate_events(spark.read.parquet(str(silver)).drop("event_date"))
        for a in aggregates:
            a.compute(events).write.mode("overwrite").parquet(str(gold_dir / a.gold_table))
            counts[a.gold_table] = spark.read.parquet(str(gold_dir / a.gold_table)).count()
    return counts


# --- entry point -------------------------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="citypulse_spark.main", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("stream", help="run the streaming job until stopped (Ctrl-C / SIGTERM)")
    s.add_argument("--watermark", default="2 minutes", help="how late a record may be (Spark interval)")
    s.add_argument(
        "--watermark-scope",
        choices=("partition", "topic"),
        default="partition",
        help="a watermark per Kafka partition (the query's is the slowest one's), or one over the topic",
    )
    s.add_argument("--trigger", default="5 seconds", help="micro-batch interval of the windows queries")
    s.add_argument(
        "--lake-trigger", default="1 minute", help="micro-batch interval of bronze and silver (the Parquet lake)"
    )
    s.add_argument("--starting-offsets", default="earliest", help="earliest|latest, first start only")
    s.add_argument("--max-offsets-per-trigger", type=int, default=None)
    s.add_argument(
        "--topics-timeout", type=float, default=120.0, help="seconds to wait for the topics to exist (none are created)"
    )
    s.add_argument("--outputs", type=_names, default=OUTPUTS, help=f"comma list of {','.join(OUTPUTS)}")
    b = sub.add_parser("batch", help="recompute gold from silver")
    b.add_argument("--gold-dir", type=Path, default=None, help="default LAKE_DIR/gold-recomputed")
    all_names = ",".join(a.name for a in A.AGGREGATES)
    for mode in (s, b):
        mode.add_argument("--aggregates", type=_names, default=_names(all_names), help=f"comma list of {all_names}")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("py4j").setLevel(logging.WARNING)  # one INFO line per listener callback otherwise
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        table = A.select(args.aggregates)
    except ValueError as e:
        raise SystemExit(str(e)) from e
    settings = Settings.load()
    spark = build_session(f"citypulse-{args.mode}", settings)
    spark.sparkContext.setLogLevel("WARN")
    log.info("Spark %s, master %s; aggregates %s", spark.version, spark.sparkContext.master, [a.name for a in table])
    log.info(
        "Kafka %s (%s); schema registry %s (%s)",
        settings.kafka_brokers,
        settings.kafka_security.describe(),
        registry.display_url(settings.schema_registry_url),
        f"basic auth as {settings.schema_registry_auth[0]}" if settings.schema_registry_auth else "no auth",
    )

    if args.mode == "batch":
        gold = args.gold_dir or settings.lake_dir / "gold-recomputed"
        counts = recompute_gold(spark, settings.lake_dir / "silver", gold, table)
        log.info("recomputed gold into %s: %s", gold, counts)
        return 0

    unknown = set(args.outputs) - set(OUTPUTS)
    if unknown:
        raise SystemExit(f"unknown --outputs {sorted(unknown)}; choose from {OUTPUTS}")
    cfg = replace(
        JobConfig.from_settings(settings),
        aggregates=tuple(a.name for a in table),
        watermark=args.watermark,
        watermark_scope=args.watermark_scope,
        trigger=args.trigger,
        lake_trigger=args.lake_trigger,
        starting_offsets=args.starting_offsets,
        max_offsets_per_trigger=args.max_offsets_per_trigger,
        outputs=args.outputs,
        topics_timeout_s=args.topics_timeout,
    )
    metrics.serve(settings.metrics_port, settings.bind_host)
    spark.streams.addListener(metrics.PrometheusListener(late_counting_queries(table, cfg.outputs)))
    try:
        queries = start_streaming(spark, cfg)
    except registry.RegistryError as e:  # refused credentials, registry down, incompatible schema: say it
        raise SystemExit(f"schema registry: {e}") from e
    log.info(
        "running %s; metrics on :%d/metrics; lake %s", [q.name for q in queries], settings.metrics_port, cfg.lake_dir
    )
    code = await_queries(spark, queries)
    if code == 0:
        spark.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
