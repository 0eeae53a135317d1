"""The job's settings layer .env.example, .env and the environment the way scripts/env.sh does; the session's
master retries failed tasks in local mode."""

from __future__ import annotations

from pathlib import Path

from citypulse_spark.settings import stack_env


def checkout(tmp_path: Path, example: str, local: str | None) -> Path:
    (tmp_path / ".env.example").write_text(example)
    if local is not None:
        (tmp_path / ".env").write_text(local)
    return tmp_path


def test_a_partial_env_file_keeps_every_other_default(tmp_path):
    root = checkout(
        tmp_path,
        "KAFKA_BROKERS=127.0.0.1:9092\nLAKE_DIR=data/lake\nSPARK_METRICS_PORT=9467\n",
        "# a second stack on other ports\nKAFKA_BROKERS=127.0.0.1:19092\nSPARK_METRICS_PORT=19467\n",
    )
    env = stack_env(root, {})
    assert env["KAFKA_BROKERS"] == "127.0.0.1:19092"
    assert env["SPARK_METRICS_PORT"] == "19467"
    assert env["LAKE_DIR"] == "data/lake"  # only in .env.example: was lost when .env existed


def test_the_environment_wins_over_both_files_even_for_a_variable_env_lacks(tmp_path):
    root = checkout(tmp_path, "LAKE_DIR=data/lake\nCHECKPOINT_DIR=data/checkpoints\n", "KAFKA_BROKERS=b:1\n")
    env = stack_env(root, {"LAKE_DIR": "/tmp/run/lake", "CHECKPOINT_DIR": "/tmp/run/cp", "UNRELATED": "x"})
    assert (env["LAKE_DIR"], env["CHECKPOINT_DIR"], env["KAFKA_BROKERS"]) == ("/tmp/run/lake", "/tmp/run/cp", "b:1")
    assert "UNRELATED" not in env


def test_without_a_local_env_file_the_defaults_hold(tmp_path):
    root = checkout(tmp_path, "KAFKA_BROKERS=127.0.0.1:9092\n", None)
    assert stack_env(root, {})["KAFKA_BROKERS"] == "127.0.0.1:9092"


def test_local_mode_retries_a_failed_task_like_a_cluster():
    from citypulse_spark.session import with_task_retries

    assert with_task_retries("local[2]") == "local[2,4]"
    assert with_task_retries("local[*]") == "local[*,4]"
    assert with_task_retries("local") == "local[1,4]"
    assert with_task_retries("local[2,8]") == "local[2,8]"  # the user's own choice stays
    assert with_task_retries("spark://master:7077") == "spark://master:7077"


def test_a_driver_on_a_standalone_master_is_reached_at_bind_host_and_sized_like_compose():
    from dataclasses import replace

    from citypulse_spark.session import standalone_conf
    from citypulse_spark.settings import Settings

    s = replace(
        Settings.load(),
        bind_host="127.0.0.1",
        executor_memory="512m",
        executor_cores="2",
        driver_memory="640m",
    )
    assert standalone_conf(s) == {
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",  # the workers' executors connect back to it
        "spark.driver.memory": "640m",
        "spark.executor.memory": "512m",
        "spark.cores.max": "2",
    }
    # a wildcard is bound, never advertised: Spark then advertises the host's name
    assert "spark.driver.host" not in standalone_conf(replace(s, bind_host="0.0.0.0"))
