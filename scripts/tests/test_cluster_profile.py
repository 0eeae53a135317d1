"""The native stack's choices for its cluster profile, without starting it: the replication the brokers
give their topics (deploy/local/services/kafka/broker.sh), which services/ folder a numbered node runs
from (deploy/local/lib.sh), and the ports a second stack moves (deploy/local/offset-env.sh).

Topic creation asks for the brokers' default replication factor (libs/kafka's ensureTopics), so the
brokers' config is where the default stack's one broker gets RF 1 and the cluster's three get RF 3;
libs/kafka/test/ensure-topics.int-spec.ts checks the topics a real broker (or cluster) then creates.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "deploy" / "local"


def bash(script: str, tmp_path: Path) -> str:
    """Runs `script` after sourcing lib.sh and broker.sh, with a stack folder of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYPULSE_")}
    env["CITYPULSE_STACK"] = str(tmp_path / "stack")
    out = subprocess.run(
        ["bash", "-c", f'. "{LOCAL}/lib.sh"; . "{LOCAL}/services/kafka/broker.sh"; {script}'],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))


@pytest.mark.parametrize(("nodes", "want"), [(1, "1 1"), (2, "2 1"), (3, "3 2"), (5, "3 2")])
def test_replication_follows_the_number_of_nodes(tmp_path: Path, nodes: int, want: str) -> None:
    # one broker cannot hold three replicas; three hold three, and two of them must acknowledge
    assert bash(f"kafka_replication {nodes}", tmp_path).strip() == want


def test_the_default_broker_keeps_rf_1_and_the_cluster_nodes_get_rf_3_min_isr_2(tmp_path: Path) -> None:
    one = props(bash('kafka_common_props /data 1 "1@127.0.0.1:9093"', tmp_path))
    three = props(bash('kafka_common_props /data 2 "1@127.0.0.1:9193,2@127.0.0.1:9293,3@127.0.0.1:9393"', tmp_path))
    keys = (
        "default.replication.factor",
        "min.insync.replicas",
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
    )
    assert [one[k] for k in keys] == ["1", "1", "1", "1", "1"]
    assert [three[k] for k in keys] == ["3", "2", "3", "3", "2"]
    assert (three["node.id"], three["controller.quorum.voters"]) == (
        "2",
        "1@127.0.0.1:9193,2@127.0.0.1:9293,3@127.0.0.1:9393",
    )
    assert three["unclean.leader.election.enable"] == "false"


def test_a_numbered_node_runs_from_its_profiles_folder(tmp_path: Path) -> None:
    out = bash("for s in kafka kafka-2 spark-master spark-worker-1 kafka-secure; do service_home $s; done", tmp_path)
    assert out.splitlines() == ["kafka", "kafka-cluster 2", "spark-master", "spark-worker 1", "kafka-secure"]


def test_a_second_stack_moves_the_cluster_profiles_ports_and_the_urls_naming_them() -> None:
    out = subprocess.run([str(LOCAL / "offset-env.sh"), "10000"], capture_output=True, text=True, check=True).stdout
    env = props(out)
    assert env["KAFKA_CLUSTER_1_PORT"] == "19192"
    assert env["KAFKA_CLUSTER_3_CONTROLLER_PORT"] == "19393"
    assert env["KAFKA_CLUSTER_BROKERS"] == "127.0.0.1:19192,127.0.0.1:19292,127.0.0.1:19392"
    assert env["SPARK_MASTER_PORT"] == "17077"
    assert env["SPARK_CLUSTER_MASTER"] == "spark://127.0.0.1:17077"
    assert (env["SPARK_MASTER_UI_PORT"], env["SPARK_WORKER_1_UI_PORT"], env["SPARK_WORKER_2_UI_PORT"]) == (
        "18090",
        "18091",
        "18092",
    )
