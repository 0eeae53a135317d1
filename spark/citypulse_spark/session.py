"""One place that builds the SparkSession, for the job and the tests alike.

The Kafka and Avro connectors come from the jars that deploy/local/services/spark/install.sh fetched
into $CITYPULSE_STACK/cache/spark/jars (never resolved at run time, so no network and no Ivy).
"""

from __future__ import annotations

import re
from pathlib import Path

from pyspark.sql import SparkSession

from .settings import Settings

SCHEDULER_POOLS = Path(__file__).with_name("fairscheduler.xml")
WINDOWS_POOL, LAKE_POOL = "windows", "lake"  # the pools of fairscheduler.xml
LAKE_CONCURRENT_WRITERS = 4  # Parquet files a lake write task keeps open at once (one per date)


def connector_jars(settings: Settings) -> list[str]:
    jar_dir = settings.stack_dir / "cache" / "spark" / "jars"
    jars = sorted(str(p) for p in jar_dir.glob("*.jar"))
    names = " ".join(Path(j).name for j in jars)
    if "spark-sql-kafka-0-10" not in names or "spark-avro" not in names:
        raise RuntimeError(
            f"the Spark Kafka/Avro connector jars are missing from {jar_dir}; "
            "run deploy/local/services/spark/install.sh (or `make install`)"
        )
    return jars


def with_task_retries(master: str, attempts: int = 4) -> str:
    """``local[N]`` -> ``local[N,attempts]``: in local mode Spark runs a failed task once and fails the
    query (``spark.task.maxFailures`` counts only on a cluster, where it is 4), so a Kafka broker that
    restarts under a running batch would end the job. Other masters are returned as they are."""
    if master == "local":
        return f"local[1,{attempts}]"
    m = re.fullmatch(r"local\[(\d+|\*)\]", master)
    return f"local[{m.group(1)},{attempts}]" if m else master


def standalone_conf(s: Settings) -> dict[str, str]:
    """What a driver this process starts (no spark-submit) needs on a standalone master (``spark://``):
    the executors must reach it back, so it binds and advertises BIND_HOST (127.0.0.1 in the native
    stack, whose workers run on this machine; a wildcard address is bound but not advertised), and the
    executors are sized by SPARK_JOB_EXECUTOR_MEMORY and SPARK_JOB_EXECUTOR_CORES (cores of all the
    executors together: each takes its worker's cores) as compose's spark-submit sizes them."""
    conf = {
        "spark.driver.bindAddress": s.bind_host,
        "spark.driver.memory": s.driver_memory,
        "spark.executor.memory": s.executor_memory,
        "spark.cores.max": s.executor_cores,
    }
    if s.bind_host not in ("0.0.0.0", "::"):
        conf["spark.driver.host"] = s.bind_host
    return conf


# Avro reads a string's (or bytes') length from the message and allocates it before reading: a 15-byte
# message with a known schema id that claims a 1 GiB string kills the JVM with OutOfMemoryError (measured:
# the local driver died), and a restarted job reads it again. Avro's own limits (1.11.3+) refuse such a
# length first (SystemLimitException, a decode error: PERMISSIVE turns it into an invalid record that
# is counted). No normalized record has a field near 1 MiB.
AVRO_MAX_FIELD_BYTES = 1_048_576
AVRO_LIMITS = (
    f"-Dorg.apache.avro.limits.string.maxLength={AVRO_MAX_FIELD_BYTES} "
    f"-Dorg.apache.avro.limits.bytes.maxLength={AVRO_MAX_FIELD_BYTES}"
)


def build_session(
    app_name: str,
    settings: Settings | None = None,
    *,
    master: str | None = None,
    shuffle_partitions: int = 4,
    ui: bool = True,
    extra_conf: dict[str, str] | None = None,
) -> SparkSession:
    """A SparkSession with the connector jars, UTC session time, few shuffle partitions and Avro's length
    limits on the driver and the executors (AVRO_LIMITS; ``extra_conf``'s own Java options are appended).

    ``master`` defaults to SPARK_MASTER (local[2] in the native stack; spark://127.0.0.1:PORT on its
    cluster profile, with standalone_conf). Under spark-submit (which starts this Python with
    PYSPARK_GATEWAY_PORT set) its ``--master`` and flags win and SPARK_MASTER is ignored.
    """
    s = settings or Settings.load()
    builder = (
        SparkSession.builder.appName(app_name)
        .config("spark.jars", ",".join(connector_jars(s)))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        # The job's watermarks and dedup state live in the state store; RocksDB keeps it off the heap.
        .config(
            "spark.sql.streaming.stateStore.providerClass",
            "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider",
        )
        # A commit writes the batch's changes (a changelog) instead of uploading new SST files, with
        # a snapshot now and then: the dedup state's commit took 260 instead of 480 ms a batch at
        # 10,000 readings/s (2.4 million ids). Existing checkpoints switch over on restart.
        .config("spark.sql.streaming.stateStore.rocksdb.changelogCheckpointing.enabled", "true")
        # The query's watermark is the smallest of its inputs' (one per Kafka partition): Spark's
        # default, spelled out because the windows queries rely on it (transforms.watermark_per_partition).
        .config("spark.sql.streaming.multipleWatermarkPolicy", "min")
        # Queries share the cores by pool (fairscheduler.xml; main.py puts each query in one): the
        # windows queries' tasks go before the lake's when both wait.
        .config("spark.scheduler.mode", "FAIR")
        .config("spark.scheduler.allocation.file", str(SCHEDULER_POOLS))
        # Bronze and silver are partitioned by date: Spark sorts every lake micro-batch by its
        # partition column before writing, unless it may keep a writer open per partition value (up
        # to this many per task, the rest sorted as before). A batch spans one or two dates, so the
        # sort was pure cost: a fifth of the JVM's CPU samples in a minute's profile at 10,000 readings/s (JFR).
        .config("spark.sql.maxConcurrentOutputFileWriters", str(LAKE_CONCURRENT_WRITERS))
        .config("spark.ui.enabled", "true" if ui else "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    m = master if master is not None else (None if s.under_spark_submit else s.spark_master)
    if m:
        builder = builder.master(with_task_retries(m))
    conf = standalone_conf(s) if m and m.startswith("spark://") else {}
    conf.update(extra_conf or {})
    for jvm in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):
        conf[jvm] = f"{AVRO_LIMITS} {conf.get(jvm, '')}".strip()
    for k, v in conf.items():
        builder = builder.config(k, v)
    return builder.getOrCreate()
