"""The job's Kafka security settings: parsed from the variables every service reads, turned into the
options of Spark's Java client and of librdkafka, refusing what the job cannot do by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from citypulse_spark.kafka_security import KafkaSecurity
from citypulse_spark.registry import display_url

SECURE = {
    "KAFKA_SASL_MECHANISM": "scram-sha-512",
    "KAFKA_SASL_USERNAME": "svc",
    "KAFKA_SASL_PASSWORD": 'p"w\\1',
    "KAFKA_SSL": "true",
}


def test_plaintext_by_default(tmp_path: Path) -> None:
    s = KafkaSecurity.from_env({"KAFKA_SSL": "false", "KAFKA_SASL_MECHANISM": ""}, tmp_path)
    assert s.protocol == "PLAINTEXT"
    assert s.spark_options() == {"kafka.security.protocol": "PLAINTEXT"}
    assert s.librdkafka_config() == {"security.protocol": "plaintext"}


def test_scram_over_tls_with_a_ca_file(tmp_path: Path) -> None:
    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "ca.pem").write_text("CA")
    s = KafkaSecurity.from_env({**SECURE, "KAFKA_SSL_CA_FILE": "tls/ca.pem"}, tmp_path)
    ca = str(tmp_path / "tls" / "ca.pem")  # relative paths are the repository root's
    assert s.protocol == "SASL_SSL"
    assert s.spark_options() == {
        "kafka.security.protocol": "SASL_SSL",
        "kafka.sasl.mechanism": "SCRAM-SHA-512",
        # quotes and backslashes escaped inside the JAAS option's quotes
        "kafka.sasl.jaas.config": 'org.apache.kafka.common.security.scram.ScramLoginModule required username="svc" '
        'password="p\\"w\\\\1";',
        "kafka.ssl.truststore.type": "PEM",
        "kafka.ssl.truststore.location": ca,
    }
    assert s.librdkafka_config() == {
        "security.protocol": "sasl_ssl",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "svc",
        "sasl.password": 'p"w\\1',
        "ssl.ca.location": ca,
    }
    assert 'p"w' not in repr(s) and 'p"w' not in s.describe()
    assert s.describe() == f"SASL_SSL, SCRAM-SHA-512 as svc, CA {ca}"


def test_plain_without_tls(tmp_path: Path) -> None:
    s = KafkaSecurity.from_env({**SECURE, "KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SSL": "no"}, tmp_path)
    assert s.protocol == "SASL_PLAINTEXT"
    assert s.spark_options()["kafka.sasl.jaas.config"].startswith(
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
    )


def test_every_problem_named_at_once_and_no_secret_in_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as e:
        KafkaSecurity.from_env(
            {
                "KAFKA_SASL_MECHANISM": "GSSAPI",
                "KAFKA_SASL_PASSWORD": "hunter2",
                "KAFKA_SSL": "maybe",
                "KAFKA_SSL_CA_FILE": "missing.pem",
                "KAFKA_SSL_CERT_FILE": "client.pem",
                "KAFKA_SSL_REJECT_UNAUTHORIZED": "false",
            },
            tmp_path,
        )
    text = str(e.value)
    for part in (
        "KAFKA_SASL_MECHANISM='GSSAPI'",
        "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required",
        "KAFKA_SSL='maybe'",
        "KAFKA_SSL must be true when KAFKA_SSL_CA_FILE is set",
        "KAFKA_SSL_CERT_FILE: client certificates are not supported",
        "KAFKA_SSL_REJECT_UNAUTHORIZED=false is not supported",
    ):
        assert part in text
    assert "hunter2" not in text


def test_credentials_need_a_mechanism_and_a_ca_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="KAFKA_SASL_MECHANISM is required"):
        KafkaSecurity.from_env({"KAFKA_SASL_USERNAME": "svc"}, tmp_path)
    with pytest.raises(ValueError, match="KAFKA_SSL_CA_FILE: cannot read"):
        KafkaSecurity.from_env({"KAFKA_SSL": "true", "KAFKA_SSL_CA_FILE": "/nope/ca.pem"}, tmp_path)


def test_display_url_masks_a_password() -> None:
    assert display_url("https://u:secret@reg:8081/apis") == "https://u:***@reg:8081/apis"
    assert display_url("http://127.0.0.1:8082/apis/ccompat/v7") == "http://127.0.0.1:8082/apis/ccompat/v7"
