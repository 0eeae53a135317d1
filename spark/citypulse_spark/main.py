"""citypulse traffic job: 5-minute zone windows and the city mobility index from traffic.normalized.

Usage:
    $CITYPULSE_PY -m citypulse_spark.main stream [--watermark "2 minutes"] [--trigger "5 seconds"]
                                                 [--starting-offsets earliest] [--max-offsets-per-trigger N]
    $CITYPULSE_PY -m citypulse_spark.main batch  [--gold-dir DIR]

    (run from spark/, after `. scripts/env.sh`; settings come from .env: KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL, SPARK_MASTER, LAKE_DIR, CHECKPOINT_DIR, SPARK_METRICS_PORT)

stream  reads the normalized traffic topic (Confluent-framed Avro: each message decoded with the writer
        schema of its schema id, fetched from the registry at start, resolved to the libs/contracts
        schema; an id registered after the start counts as invalid until a restart) and runs
        six queries, each with its checkpoint under CHECKPOINT_DIR/<query>, so a restart resumes with
        nothing lost and nothing counted twice:
          bronze_traffic             raw Kafka bytes          -> LAKE_DIR/bronze/traffic   (by ingest_date)
          silver_traffic             decoded readings         -> LAKE_DIR/silver/traffic   (by event_date)
          gold_traffic_zone_5m       final zone windows       -> LAKE_DIR/gold/traffic_zone_5m     (append)
          gold_mobility_index_5m     final mobility index     -> LAKE_DIR/gold/mobility_index_5m   (append)
          agg_traffic_zone_5m        live zone window updates -> the trafficByZone5m topic   (update)
          agg_mobility_index_5m      live index updates       -> the mobilityIndex5m topic   (update)
        Readings later than the watermark are dropped and counted (citypulse_spark_late_records_dropped
        on :SPARK_METRICS_PORT/metrics); duplicate event ids within the watermark count once.
batch   recomputes gold from silver with the same transforms, into --gold-dir (default
        LAKE_DIR/gold-recomputed/<table>; the streaming gold folders belong to their file sinks'
        _spark_metadata logs and are never overwritten). It includes readings the stream dropped as late.

On a Spark cluster (no Python UDFs, so executors need no Python code of ours):
    spark-submit --master spark://HOST:7077 \\
      --jars "$(ls $CITYPULSE_STACK/cache/spark/jars/*.jar | paste -sd,)" \\
      spark/citypulse_spark/main.py stream
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

if __package__ in (None, ""):  # run as a file (spark-submit .../main.py): make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from citypulse_spark import contracts, metrics, registry
from citypulse_spark import transforms as T
from citypulse_spark.session import build_session
from citypulse_spark.settings import Settings

log = logging.getLogger("citypulse_spark")

ZONE_TABLE = "traffic_zone_5m"
MOBILITY_TABLE = "mobility_index_5m"
OUTPUTS = ("bronze", "silver", "gold", "kafka")


@dataclass(frozen=True)
class JobConfig:
    brokers: str
    registry_url: str
    registry_auth: tuple[str, str] | None
    lake_dir: Path
    checkpoint_dir: Path
    input_topic: str
    zone_topic: str
    mobility_topic: str
    watermark: str = "2 minutes"
    trigger: str = "5 seconds"
    starting_offsets: str = "earliest"
    max_offsets_per_trigger: int | None = None
    outputs: tuple[str, ...] = field(default=OUTPUTS)

    @staticmethod
    def from_settings(s: Settings) -> JobConfig:
        return JobConfig(
            brokers=s.kafka_brokers,
            registry_url=s.schema_registry_url,
            registry_auth=s.schema_registry_auth,
            lake_dir=s.lake_dir,
            checkpoint_dir=s.checkpoint_dir,
            input_topic=contracts.stream(contracts.TRAFFIC_NORMALIZED).topic,
            zone_topic=contracts.stream(contracts.TRAFFIC_BY_ZONE_5M).topic,
            mobility_topic=contracts.stream(contracts.MOBILITY_INDEX_5M).topic,
        )


# --- sources -----------------------------------------------------------------------------------------


def kafka_stream(spark: SparkSession, cfg: JobConfig) -> DataFrame:
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", cfg.brokers)
        .option("subscribe", cfg.input_topic)
        .option("startingOffsets", cfg.starting_offsets)
    )
    if cfg.max_offsets_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", str(cfg.max_offsets_per_trigger))
    return reader.load()


def readings(kafka_rows: DataFrame, writer_schemas: Mapping[int, str]) -> DataFrame:
    """Kafka rows -> normalized readings, each decoded with its writer schema (by the message's schema
    id) and resolved to the contract's; invalid messages (unknown ids included) are counted (observe)
    and left out."""
    decoded = T.decode_confluent_avro(kafka_rows, contracts.stream(contracts.TRAFFIC_NORMALIZED).schema, writer_schemas)
    decoded = decoded.observe(
        metrics.DECODE_OBSERVATION,
        F.count(F.lit(1)).alias("total"),
        F.sum(F.when(T.is_invalid_record(), 1).otherwise(0)).alias("invalid"),
    )
    return T.valid_records(decoded)


def windowed_input(kafka_rows: DataFrame, cfg: JobConfig, writer_schemas: Mapping[int, str]) -> DataFrame:
    return T.drop_duplicate_events(T.with_event_time_watermark(readings(kafka_rows, writer_schemas), cfg.watermark))


def input_writer_schemas(cfg: JobConfig) -> dict[int, str]:
    """The writer schemas of the input topic's subject, {schema id: schema JSON}, from the registry.

    Read once, when the queries start: the decode expression is fixed for the query's life. A writer
    schema registered after that (a producer moving to a newer version) is picked up on the next
    restart; until then its messages are counted as invalid (citypulse_spark_invalid_records_total)
    and left out of silver and gold -- bronze keeps their bytes.
    """
    traffic = contracts.stream(contracts.TRAFFIC_NORMALIZED)
    subject = cfg.input_topic + _suffix(traffic)
    schemas = registry.writer_schemas(cfg.registry_url, subject, cfg.registry_auth)
    log.info("decoding %s with the writer schemas of %s: ids %s", cfg.input_topic, subject, sorted(schemas))
    return schemas


# --- the streaming job -------------------------------------------------------------------------------


def ensure_topics(cfg: JobConfig) -> None:
    """Creates the job's topics when missing, with the partitions libs/contracts gives them
    (the broker does not auto-create topics)."""
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": cfg.brokers})
    existing = admin.list_topics(timeout=30).topics
    wanted = {
        cfg.input_topic: contracts.stream(contracts.TRAFFIC_NORMALIZED).partitions,
        cfg.zone_topic: contracts.stream(contracts.TRAFFIC_BY_ZONE_5M).partitions,
        cfg.mobility_topic: contracts.stream(contracts.MOBILITY_INDEX_5M).partitions,
    }
    new = [NewTopic(t, num_partitions=n, replication_factor=1) for t, n in wanted.items() if t not in existing]
    if not new:
        return
    for topic, fut in admin.create_topics(new).items():
        try:
            fut.result(timeout=30)
            log.info("created topic %s", topic)
        except Exception as e:  # a concurrent creator is fine
            if "TOPIC_ALREADY_EXISTS" not in str(e):
                raise


def _file_sink(df: DataFrame, name: str, path: Path, cfg: JobConfig, partition_by: str | None = None) -> StreamingQuery:
    w = (
        df.writeStream.queryName(name)
        .format("parquet")
        .outputMode("append")
        .option("path", str(path))
        .option("checkpointLocation", str(cfg.checkpoint_dir / name))
        .trigger(processingTime=cfg.trigger)
    )
    if partition_by:
        w = w.partitionBy(partition_by)
    return w.start()


def _kafka_sink(updates: DataFrame, name: str, topic: str, cfg: JobConfig) -> StreamingQuery:
    return (
        updates.writeStream.queryName(name)
        .format("kafka")
        .outputMode("update")
        .option("kafka.bootstrap.servers", cfg.brokers)
        .option("topic", topic)
        .option("checkpointLocation", str(cfg.checkpoint_dir / name))
        .trigger(processingTime=cfg.trigger)
        .start()
    )


def start_streaming(spark: SparkSession, cfg: JobConfig) -> list[StreamingQuery]:
    """Starts the job's queries (see the usage above) and returns them; the caller awaits or stops them."""
    ensure_topics(cfg)
    queries: list[StreamingQuery] = []

    def src() -> DataFrame:  # one Kafka source per query
        return kafka_stream(spark, cfg)

    # fetched once, before any query starts (see input_writer_schemas: new ids need a restart)
    writers = input_writer_schemas(cfg) if {"silver", "gold", "kafka"} & set(cfg.outputs) else {}

    if "kafka" in cfg.outputs:
        # registered before any query starts, so a refused (incompatible) schema stops the job at once
        zone, mob = contracts.stream(contracts.TRAFFIC_BY_ZONE_5M), contracts.stream(contracts.MOBILITY_INDEX_5M)
        zone_id = registry.register(cfg.registry_url, cfg.zone_topic + _suffix(zone), zone.schema, cfg.registry_auth)
        mob_id = registry.register(cfg.registry_url, cfg.mobility_topic + _suffix(mob), mob.schema, cfg.registry_auth)
        log.info("registered %s (id %d) and %s (id %d)", zone.schema_file.name, zone_id, mob.schema_file.name, mob_id)
    try:
        if "bronze" in cfg.outputs:
            queries.append(
                _file_sink(
                    T.for_bronze(src()), "bronze_traffic", cfg.lake_dir / "bronze" / "traffic", cfg, "ingest_date"
                )
            )
        if "silver" in cfg.outputs:
            queries.append(
                _file_sink(
                    T.for_silver(readings(src(), writers)),
                    "silver_traffic",
                    cfg.lake_dir / "silver" / "traffic",
                    cfg,
                    "event_date",
                )
            )
        if "gold" in cfg.outputs:
            queries.append(
                _file_sink(
                    T.zone_windows(windowed_input(src(), cfg, writers)),
                    f"gold_{ZONE_TABLE}",
                    cfg.lake_dir / "gold" / ZONE_TABLE,
                    cfg,
                )
            )
            queries.append(
                _file_sink(
                    T.city_mobility(windowed_input(src(), cfg, writers)),
                    f"gold_{MOBILITY_TABLE}",
                    cfg.lake_dir / "gold" / MOBILITY_TABLE,
                    cfg,
                )
            )
        if "kafka" in cfg.outputs:
            now = F.current_timestamp()  # the micro-batch's time: grows with every update of a window
            zone_updates = T.as_updates(
                T.zone_windows(windowed_input(src(), cfg, writers)), zone.key_fields, zone.key_separator, now
            )
            queries.append(
                _kafka_sink(
                    T.encode_confluent_avro(zone_updates, zone.schema, zone_id),
                    f"agg_{ZONE_TABLE}",
                    cfg.zone_topic,
                    cfg,
                )
            )
            mob_updates = T.as_updates(
                T.city_mobility(windowed_input(src(), cfg, writers)), mob.key_fields, mob.key_separator, now
            )
            queries.append(
                _kafka_sink(
                    T.encode_confluent_avro(mob_updates, mob.schema, mob_id),
                    f"agg_{MOBILITY_TABLE}",
                    cfg.mobility_topic,
                    cfg,
                )
            )
    except Exception:
        stop_all(queries)
        raise
    return queries


def stop_all(queries: list[StreamingQuery]) -> None:
    for q in queries:
        try:
            q.stop()
        except Exception:  # stopping the rest matters more
            log.exception("stopping %s", q.name)


def _suffix(s: contracts.Stream) -> str:
    return s.subject[len(s.topic) :]


# --- the batch recompute -----------------------------------------------------------------------------


def recompute_gold(spark: SparkSession, silver_dir: Path, gold_dir: Path) -> dict[str, int]:
    """Gold from silver with the stream's transforms (no watermark: every reading in silver counts once)."""
    events = T.drop_duplicate_events(spark.read.parquet(str(silver_dir)).drop("event_date"))
    counts = {}
    for table, df in ((ZONE_TABLE, T.zone_windows(events)), (MOBILITY_TABLE, T.city_mobility(events))):
        df.write.mode("overwrite").parquet(str(gold_dir / table))
        counts[table] = spark.read.parquet(str(gold_dir / table)).count()
    return counts


# --- entry point -------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="citypulse_spark.main", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("stream", help="run the streaming job until stopped (Ctrl-C / SIGTERM)")
    s.add_argument("--watermark", default="2 minutes", help="how late a reading may be (Spark interval)")
    s.add_argument("--trigger", default="5 seconds", help="micro-batch interval")
    s.add_argument("--starting-offsets", default="earliest", help="earliest|latest, first start only")
    s.add_argument("--max-offsets-per-trigger", type=int, default=None)
    s.add_argument("--outputs", default=",".join(OUTPUTS), help=f"comma list of {','.join(OUTPUTS)}")
    b = sub.add_parser("batch", help="recompute gold from silver")
    b.add_argument("--gold-dir", type=Path, default=None, help="default LAKE_DIR/gold-recomputed")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("py4j").setLevel(logging.WARNING)  # one INFO line per listener callback otherwise
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = Settings.load()
    spark = build_session(f"citypulse-traffic-{args.mode}", settings)
    spark.sparkContext.setLogLevel("WARN")
    log.info("Spark %s, master %s", spark.version, spark.sparkContext.master)
    if args.mode == "batch":
        gold = args.gold_dir or settings.lake_dir / "gold-recomputed"
        counts = recompute_gold(spark, settings.lake_dir / "silver" / "traffic", gold)
        log.info("recomputed gold into %s: %s", gold, counts)
        return 0

    outputs = tuple(o.strip() for o in args.outputs.split(",") if o.strip())
    unknown = set(outputs) - set(OUTPUTS)
    if unknown:
        raise SystemExit(f"unknown --outputs {sorted(unknown)}; choose from {OUTPUTS}")
    cfg = replace(
        JobConfig.from_settings(settings),
        watermark=args.watermark,
        trigger=args.trigger,
        starting_offsets=args.starting_offsets,
        max_offsets_per_trigger=args.max_offsets_per_trigger,
        outputs=outputs,
    )
    metrics.serve(settings.metrics_port)
    spark.streams.addListener(metrics.PrometheusListener())
    queries = start_streaming(spark, cfg)
    log.info(
        "running %s; metrics on :%d/metrics; lake %s", [q.name for q in queries], settings.metrics_port, cfg.lake_dir
    )

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
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
