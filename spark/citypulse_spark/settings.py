"""The job's settings, read once: .env.example's defaults, overlaid by .env, overlaid by the process env.

Same layering as scripts/env.sh and libs/testing's ``stackEnv``: .env.example holds every variable,
an optional .env (gitignored) changes some of them (a second stack's ports), the environment (CI, a
developer, a test giving a run its own LAKE_DIR) overrides both. Nothing else in the package reads
``os.environ``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from citypulse_spark.kafka_security import KafkaSecurity


def repo_root() -> Path:
    """CITYPULSE_ROOT, or the folder above this package that holds pnpm-workspace.yaml."""
    env = os.environ.get("CITYPULSE_ROOT")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pnpm-workspace.yaml").exists():
            return parent
    raise RuntimeError("cannot find the repository root (pnpm-workspace.yaml); set CITYPULSE_ROOT")


def parse_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines, # comments, optional quotes, no interpolation (as libs/testing parses it)."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        out[key.strip()] = re.sub(r"^(['\"])(.*)\1$", r"\2", value.strip())
    return out


def stack_env(root: Path | None = None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The layered settings (see the top). A .env holding only a few variables keeps every other
    default of .env.example, and the environment still wins for each of them."""
    root = root or repo_root()
    environ = os.environ if environ is None else environ
    merged = parse_env_file((root / ".env.example").read_text())
    if (root / ".env").exists():
        merged.update(parse_env_file((root / ".env").read_text()))
    for key in list(merged):
        if key in environ:
            merged[key] = environ[key]
    for key in ("CITYPULSE_STACK", "CITYPULSE_ROOT"):
        if key in environ:
            merged[key] = environ[key]
    return merged


@dataclass(frozen=True)
class Settings:
    root: Path
    stack_dir: Path
    kafka_brokers: str
    kafka_security: KafkaSecurity  # SASL / TLS, from the variables every service reads
    schema_registry_url: str
    schema_registry_auth: tuple[str, str] | None
    spark_master: str
    lake_dir: Path
    checkpoint_dir: Path
    metrics_port: int
    bind_host: str  # BIND_HOST, the interface /metrics listens on: 127.0.0.1 unless a container sets 0.0.0.0
    under_spark_submit: bool  # spark-submit starts the driver's Python with PYSPARK_GATEWAY_PORT set
    # the job's size on a standalone master (SPARK_JOB_*, as compose gives spark-submit): each executor's
    # memory, the cores of all its executors together, the driver's memory
    executor_memory: str = "768m"
    executor_cores: str = "2"
    driver_memory: str = "768m"

    @staticmethod
    def load() -> Settings:
        env = stack_env()
        root = repo_root()
        problems = [k for k in ("KAFKA_BROKERS", "SCHEMA_REGISTRY_URL") if not env.get(k)]
        port = env.get("SPARK_METRICS_PORT", "9467")
        if not port.isdigit():
            problems.append(f"SPARK_METRICS_PORT={port!r} is not a port number")
        cores = env.get("SPARK_JOB_EXECUTOR_CORES") or "2"
        if not cores.isdigit() or int(cores) < 1:
            problems.append(f"SPARK_JOB_EXECUTOR_CORES={cores!r} is not a number of cores")
        for k in ("SPARK_JOB_EXECUTOR_MEMORY", "SPARK_JOB_DRIVER_MEMORY"):
            if env.get(k) and not re.fullmatch(r"\d+[kmgt]?", env[k].lower()):
                problems.append(f"{k}={env[k]!r} is not a JVM memory size (768m, 1g)")
        kafka_security = KafkaSecurity()
        try:
            kafka_security = KafkaSecurity.from_env(env, root)
        except ValueError as e:
            problems.append(str(e))
        if problems:
            raise ValueError("bad Spark job settings: " + "; ".join(problems))

        def under_root(p: str) -> Path:
            path = Path(p)
            return path if path.is_absolute() else root / path

        user = env.get("SCHEMA_REGISTRY_USERNAME", "")
        return Settings(
            root=root,
            stack_dir=under_root(env.get("CITYPULSE_STACK", ".stack")),
            kafka_brokers=env["KAFKA_BROKERS"],
            kafka_security=kafka_security,
            schema_registry_url=env["SCHEMA_REGISTRY_URL"].rstrip("/"),
            schema_registry_auth=(user, env.get("SCHEMA_REGISTRY_PASSWORD", "")) if user else None,
            spark_master=env.get("SPARK_MASTER") or "local[2]",
            lake_dir=under_root(env.get("LAKE_DIR") or "data/lake"),
            checkpoint_dir=under_root(env.get("CHECKPOINT_DIR") or "data/checkpoints"),
            metrics_port=int(port),
            bind_host=env.get("BIND_HOST") or "127.0.0.1",
            under_spark_submit="PYSPARK_GATEWAY_PORT" in os.environ,
            executor_memory=env.get("SPARK_JOB_EXECUTOR_MEMORY") or "768m",
            executor_cores=cores,
            driver_memory=env.get("SPARK_JOB_DRIVER_MEMORY") or "768m",
        )
