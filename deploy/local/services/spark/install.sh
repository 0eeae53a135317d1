#!/usr/bin/env bash
# Spark for the native stack, local mode (no long-running process: the job and the tests start their
# own SparkSession in local[N]). Idempotent; a second run does nothing unless an input changed.
#   1. a Python venv at $CITYPULSE_STACK/venv with spark/requirements.txt (pyspark, pyarrow, pytest,
#      confluent-kafka, ...); reinstalled only when requirements.txt or the Python version changes
#   2. the Kafka and Avro connector jars of pyspark's exact version, fetched with Maven from the pom
#      beside this script into $CITYPULSE_STACK/cache/spark/jars, so nothing resolves at run time
#      (spark/citypulse_spark/session.py puts them on spark.jars)
# Usage: deploy/local/services/spark/install.sh        (also run by `make install` / `make test`)
SVC=spark
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../lib.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
req="$CITYPULSE_ROOT/spark/requirements.txt"
venv="$CITYPULSE_STACK/venv"
jars="$STACK_CACHE/spark/jars"
mkdir -p "$STACK_CACHE/spark"

need_cmd java "Spark needs a JDK 17 on PATH (apt-get install openjdk-17-jdk-headless)"

# --- the version: pyspark's pin is the one source; the pom must agree ---------------------------
spark_version="$(sed -n 's/^pyspark==\([0-9.]*\).*/\1/p' "$req")"
[ -n "$spark_version" ] || die "no 'pyspark==X.Y.Z' pin in $req"
pom_version="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$here/pom.xml")"
[ "$pom_version" = "$spark_version" ] ||
  die "$here/pom.xml has spark.version $pom_version but $req pins pyspark==$spark_version; make them equal"
if [ -n "${SPARK_VERSION:-}" ] && [ "$SPARK_VERSION" != "$spark_version" ]; then
  log "note: SPARK_VERSION=$SPARK_VERSION in the env file, but the installed Spark is $spark_version" \
    "(the pyspark pin in spark/requirements.txt decides; see the comment there)"
fi

# --- 1. the venv ---------------------------------------------------------------------------------
pick_python() {
  local c
  for c in "${CITYPULSE_PYTHON:-}" python3.11 python3; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 &&
      "$c" -c 'import sys, venv; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 11) else 1)' 2>/dev/null &&
      { command -v "$c"; return 0; }
  done
  return 1
}
py="$(pick_python)" || die "no Python 3.8-3.11 with the venv module on PATH (pyspark $spark_version; the README asks for 3.11)"
want="$(cat "$req" | sha256sum | cut -d' ' -f1) $("$py" -c 'import platform; print(platform.python_version())')"
stamp="$venv/.citypulse-requirements"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log "venv up to date ($venv)"
else
  t0=$SECONDS
  # A venv made by another Python version is rebuilt from scratch; otherwise pip moves the pins.
  if [ -x "$venv/bin/python" ] && [ "$("$venv/bin/python" -c 'import platform; print(platform.python_version())' 2>/dev/null)" != "${want#* }" ]; then
    rm -rf "$venv"
  fi
  [ -x "$venv/bin/python" ] || { log "creating venv $venv with $py"; "$py" -m venv "$venv" || die "python -m venv failed"; }
  log "pip install -r spark/requirements.txt (first time: about a minute, pyspark is a ~300 MB sdist built into a wheel; pip caches it)"
  "$venv/bin/python" -m pip install -q --upgrade pip >&2 || die "pip upgrade failed"
  "$venv/bin/python" -m pip install -q -r "$req" >&2 || die "pip install -r $req failed (is PyPI reachable?)"
  echo "$want" >"$stamp"
  log "venv ready in $((SECONDS - t0)) s"
fi

# --- 2. the connector jars -------------------------------------------------------------------------
jstamp="$jars/.citypulse-pom"
jwant="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"
if [ -f "$jstamp" ] && [ "$(cat "$jstamp")" = "$jwant" ] &&
  ls "$jars"/spark-sql-kafka-0-10_*-"$spark_version".jar "$jars"/spark-avro_*-"$spark_version".jar >/dev/null 2>&1; then
  log "connector jars up to date ($jars)"
else
  t0=$SECONDS
  rm -rf "$jars.tmp" && mkdir -p "$jars.tmp"
  log "fetching spark-sql-kafka-0-10 and spark-avro $spark_version with Maven"
  mvn_fetch "$here" "$jars.tmp"
  ls "$jars.tmp"/spark-sql-kafka-0-10_*-"$spark_version".jar "$jars.tmp"/spark-avro_*-"$spark_version".jar >/dev/null 2>&1 ||
    die "Maven ran but the connector jars of $spark_version are missing from $jars.tmp"
  echo "$jwant" >"$jars.tmp/.citypulse-pom"
  rm -rf "$jars" && mv "$jars.tmp" "$jars"
  log "$(find "$jars" -name '*.jar' | wc -l) jars in $jars ($((SECONDS - t0)) s)"
fi
