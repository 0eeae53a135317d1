"""How the job authenticates to Kafka, from the same variables every service reads (libs/config's kafka
fragment): KAFKA_SASL_MECHANISM (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; empty = none) with
KAFKA_SASL_USERNAME/PASSWORD, KAFKA_SSL, KAFKA_SSL_CA_FILE (a PEM file of the CA(s) to trust instead of
the JVM's and librdkafka's defaults).

The job has two Kafka clients and each wants the settings its own way: Spark's Kafka source and sink
(the Java client: ``kafka.*`` options, a JAAS line, a PEM truststore) and confluent_kafka's AdminClient
(librdkafka properties). Both come from one parsed value here. Client certificates
(KAFKA_SSL_CERT_FILE/KEY_FILE) and KAFKA_SSL_REJECT_UNAUTHORIZED=false are refused by name: the Java
client cannot take them as they are, and a job that silently connected differently from the services
would be worse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")
_LOGIN_MODULE = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}


@dataclass(frozen=True)
class KafkaSecurity:
    mechanism: str | None = None  # one of MECHANISMS, or None: no SASL
    username: str = ""
    password: str = field(default="", repr=False)  # never in a repr, a log line or an exception
    ssl: bool = False
    ca_file: Path | None = None

    @property
    def protocol(self) -> str:
        return ("SASL_" if self.mechanism else "") + ("SSL" if self.ssl else "PLAINTEXT")

    @staticmethod
    def from_env(env: Mapping[str, str], root: Path) -> KafkaSecurity:
        """The settings from the env (a relative CA path is taken from the repository root); every
        problem is raised at once in a ValueError that names the variables, never a secret."""
        problems: list[str] = []
        mechanism = env.get("KAFKA_SASL_MECHANISM", "").strip().upper() or None
        username = env.get("KAFKA_SASL_USERNAME", "").strip()
        password = env.get("KAFKA_SASL_PASSWORD", "")
        if mechanism and mechanism not in MECHANISMS:
            problems.append(f"KAFKA_SASL_MECHANISM={mechanism!r} is not one of {', '.join(MECHANISMS)}")
        if mechanism and not (username and password):
            problems.append("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set")
        if not mechanism and (username or password):
            problems.append("KAFKA_SASL_MECHANISM is required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set")
        ssl_text = env.get("KAFKA_SSL", "").strip().lower()
        if ssl_text not in _TRUE + _FALSE:
            problems.append(f"KAFKA_SSL={ssl_text!r} is not true or false")
        ssl = ssl_text in _TRUE
        ca_file = None
        if env.get("KAFKA_SSL_CA_FILE", "").strip():
            ca_file = Path(env["KAFKA_SSL_CA_FILE"].strip())
            ca_file = ca_file if ca_file.is_absolute() else root / ca_file
            if not ssl:
                problems.append("KAFKA_SSL must be true when KAFKA_SSL_CA_FILE is set")
            elif not ca_file.is_file():
                problems.append(f"KAFKA_SSL_CA_FILE: cannot read {ca_file}")
        for v in ("KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"):
            if env.get(v, "").strip():
                problems.append(f"{v}: client certificates are not supported by the Spark job")
        if env.get("KAFKA_SSL_REJECT_UNAUTHORIZED", "").strip().lower() in ("false", "0", "no", "off"):
            problems.append("KAFKA_SSL_REJECT_UNAUTHORIZED=false is not supported by the Spark job (give a CA file)")
        if problems:
            raise ValueError("bad Kafka security settings: " + "; ".join(problems))
        if not mechanism:
            username = password = ""
        return KafkaSecurity(mechanism, username, password, ssl, ca_file)

    def describe(self) -> str:
        """For the start-up log line: the protocol, the mechanism and user, the CA; never the password."""
        parts = [self.protocol]
        if self.mechanism:
            parts.append(f"{self.mechanism} as {self.username}")
        if self.ca_file:
            parts.append(f"CA {self.ca_file}")
        return ", ".join(parts)

    def spark_options(self) -> dict[str, str]:
        """The ``kafka.*`` options of Spark's Kafka source and sink (the Java client's settings)."""
        out = {"kafka.security.protocol": self.protocol}
        if self.mechanism:
            out["kafka.sasl.mechanism"] = self.mechanism
            out["kafka.sasl.jaas.config"] = (
                f'{_LOGIN_MODULE[self.mechanism]} required username="{_jaas(self.username)}" '
                f'password="{_jaas(self.password)}";'
            )
        if self.ca_file:
            out["kafka.ssl.truststore.type"] = "PEM"
            out["kafka.ssl.truststore.location"] = str(self.ca_file)
        return out

    def librdkafka_config(self) -> dict[str, str]:
        """The same for confluent_kafka (librdkafka) clients."""
        out = {"security.protocol": self.protocol.lower()}
        if self.mechanism:
            out |= {"sasl.mechanism": self.mechanism, "sasl.username": self.username, "sasl.password": self.password}
        if self.ca_file:
            out["ssl.ca.location"] = str(self.ca_file)
        return out


def _jaas(value: str) -> str:
    """A value inside a JAAS option's double quotes (Kafka parses them with Java's StreamTokenizer)."""
    return value.replace("\\", "\\\\").replace('"', '\\"')
