"""Real-Kafka plumbing for the integration tests: unique topics, producing, waiting on conditions."""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from confluent_kafka import KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

T = TypeVar("T")


def unique_name(prefix: str) -> str:
    """A topic/group name no other test (or earlier run) uses."""
    return f"{prefix}-{int(time.time() * 1000):x}-{secrets.token_hex(3)}"


def wait_for(check: Callable[[], T], *, timeout: float = 60.0, interval: float = 0.2, what: str = "condition") -> T:
    """Polls ``check`` until it returns something truthy, instead of sleeping a guessed time."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - reported in the timeout message
            last_error = e
        if time.monotonic() > deadline:
            cause = f": last error: {last_error!r}" if last_error else ""
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}{cause}")
        time.sleep(interval)


def require_kafka(brokers: str, timeout: float = 10.0) -> AdminClient:
    """An admin client on a Kafka that answers a metadata request, or a loud error naming the fix."""
    admin = AdminClient({"bootstrap.servers": brokers})
    try:
        admin.list_topics(timeout=timeout)
    except KafkaException as e:
        raise RuntimeError(
            f"Kafka is not reachable at KAFKA_BROKERS={brokers} ({e}). Integration tests need the native "
            "stack: run `make up` (or deploy/local/stack.sh up) first. Pure tests only: pytest -m 'not integration'."
        ) from e
    return admin


def create_topic(admin: AdminClient, name: str, partitions: int = 3) -> str:
    # replication: the cluster's default (libs/kafka's ensureTopics does the same)
    futures = admin.create_topics([NewTopic(name, num_partitions=partitions)])
    futures[name].result(timeout=30)
    wait_for(lambda: name in admin.list_topics(timeout=5).topics, timeout=30, what=f"topic {name}")
    return name


def delete_topic(admin: AdminClient, name: str) -> None:
    with contextlib.suppress(Exception):  # best-effort cleanup
        admin.delete_topics([name])[name].result(timeout=30)


def produce(
    brokers: str, topic: str, records: Iterable[tuple[bytes | None, bytes] | tuple[bytes | None, bytes, int]]
) -> int:
    """Produces (key, value) pairs, or (key, value, partition) to a given partition, with an idempotent
    producer; returns how many the broker acked."""
    acked = 0
    errors: list[str] = []

    def on_delivery(err, _msg) -> None:
        nonlocal acked
        if err is not None:
            errors.append(str(err))
        else:
            acked += 1

    producer = Producer(
        {"bootstrap.servers": brokers, "enable.idempotence": True, "linger.ms": 20, "batch.size": 262144}
    )
    for key, value, *where in records:
        at = {"partition": where[0]} if where else {}
        while True:
            try:
                producer.produce(topic, value=value, key=key, on_delivery=on_delivery, **at)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    remaining = producer.flush(60)
    if remaining or errors:
        raise RuntimeError(f"produce to {topic}: {remaining} unflushed, errors: {errors[:3]}")
    return acked


def read_all(brokers: str, topic: str, timeout: float = 60.0) -> list[Any]:
    """Every message currently in ``topic`` (all partitions, from the beginning), as confluent_kafka Messages."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer(
        {"bootstrap.servers": brokers, "group.id": unique_name("spark-test-reader"), "enable.auto.commit": False}
    )
    try:
        meta = consumer.list_topics(topic, timeout=10).topics[topic]
        parts = [TopicPartition(topic, p, 0) for p in meta.partitions]
        ends = {tp.partition: consumer.get_watermark_offsets(tp, timeout=10)[1] for tp in parts}
        consumer.assign(parts)
        out: list[Any] = []  # confluent_kafka Messages (the package has no type hints)
        done = {p for p, end in ends.items() if end == 0}
        deadline = time.monotonic() + timeout
        while len(done) < len(parts):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"reading {topic}: got {len(out)} messages, partitions done {sorted(done)} of {ends}"
                )
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise RuntimeError(f"reading {topic}: {msg.error()}")
            out.append(msg)
            if msg.offset() + 1 >= ends[msg.partition()]:
                done.add(msg.partition())
        return out
    finally:
        consumer.close()
