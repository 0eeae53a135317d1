# syntax=docker/dockerfile:1
#
# The Spark image: the official apache/spark 3.5.x (Java 17, Python 3) with the citypulse job, the
# contracts it reads (libs/contracts: topics.json + the .avsc schemas), its Python requirements and
# the Kafka/Avro connector jars, resolved at BUILD time so nothing is fetched when the job runs.
# One image for the master, the worker(s) and the job (driver): the same Spark, Python and jars
# everywhere. Roles: deploy/docker/spark/citypulse-spark (master | worker | submit | health).
#   docker build -f deploy/docker/spark.Dockerfile -t citypulse/spark .
#
# Versions: spark/requirements.txt's `pyspark==X.Y.Z` pin is the one source of the Spark version
# (as in the native stack). The connector jars are resolved for exactly that version, and the build
# fails if the base image carries another Spark, so SPARK_IMAGE must be apache/spark:X.Y.Z-*.

ARG SPARK_IMAGE=apache/spark:3.5.7-java17-python3
ARG MAVEN_IMAGE=maven:3.9.9-eclipse-temurin-17

# --- the connector jars, with the native stack's own dependency list ------------------------------
FROM ${MAVEN_IMAGE} AS connectors
WORKDIR /build
COPY deploy/local/services/spark/pom.xml spark/requirements.txt ./
RUN --mount=type=cache,id=citypulse-m2,target=/root/.m2 set -eu; \
    v="$(sed -n 's/^pyspark==\([0-9.]*\).*/\1/p' requirements.txt)"; \
    pom="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' pom.xml)"; \
    [ -n "$v" ] || { echo "no pyspark==X.Y.Z pin in spark/requirements.txt" >&2; exit 1; }; \
    [ "$v" = "$pom" ] || { echo "pom.xml spark.version $pom != pyspark pin $v" >&2; exit 1; }; \
    mvn -q -B -f pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/jars; \
    ls /jars/spark-sql-kafka-0-10_*-"$v".jar /jars/spark-avro_*-"$v".jar

# --- the runtime -----------------------------------------------------------------------------------
FROM ${SPARK_IMAGE} AS runtime
USER root
ENV CITYPULSE_ROOT=/opt/citypulse \
    CITYPULSE_STACK=/opt/citypulse/.stack \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
COPY spark/requirements.txt /tmp/requirements.txt
# The image already has pyspark (/opt/spark/python, put on PYTHONPATH by spark-submit); install the
# job's other pins, not pyspark itself (and not the test runner).
RUN set -eu; \
    pin="$(sed -n 's/^pyspark==\([0-9.]*\).*/\1/p' /tmp/requirements.txt)"; \
    have="$(sed -n 's/^Spark \([0-9.]*\) .*/\1/p' /opt/spark/RELEASE)"; \
    [ "$pin" = "$have" ] || { echo "base image has Spark '$have' but spark/requirements.txt pins pyspark==$pin: set SPARK_IMAGE to apache/spark:$pin-java17-python3" >&2; exit 1; }; \
    grep -vE '^(pyspark|pytest)==' /tmp/requirements.txt > /tmp/requirements-runtime.txt; \
    python3 -m pip install --no-cache-dir -r /tmp/requirements-runtime.txt; \
    rm /tmp/requirements.txt /tmp/requirements-runtime.txt

# Laid out like the repository, because the job finds its files from CITYPULSE_ROOT: the contracts
# under libs/contracts, the connector jars under $CITYPULSE_STACK/cache/spark/jars (session.py) and
# an env file of defaults (.env.example; the container's environment overrides every key).
COPY --from=connectors /jars/ /opt/citypulse/.stack/cache/spark/jars/
COPY .env.example /opt/citypulse/
COPY libs/contracts/topics.json /opt/citypulse/libs/contracts/topics.json
COPY libs/contracts/schemas/ /opt/citypulse/libs/contracts/schemas/
COPY spark/citypulse_spark/ /opt/citypulse/spark/citypulse_spark/
COPY --chmod=0755 deploy/docker/spark/citypulse-spark /opt/citypulse/bin/citypulse-spark
# data/ (lake + checkpoints) is a volume shared by the driver and the workers: executors write the
# Parquet files and state, the driver the commit logs. Owned by the image's spark user (uid 185),
# which a fresh named volume inherits.
RUN mkdir -p /opt/citypulse/data && chown -R 185:185 /opt/citypulse/data
ENV PATH=/opt/citypulse/bin:$PATH
WORKDIR /opt/citypulse
# the base image's `spark` user (uid 185), by id
USER 185
CMD ["citypulse-spark", "submit"]
