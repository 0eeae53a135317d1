#!/usr/bin/env bash
# Installs Apache Kafka (KRaft broker) from Maven Central into $CITYPULSE_STACK/cache/kafka/<version>.
# Idempotent: a finished install leaves a marker (the pom's hash) and a second run returns at once; ~/.m2 keeps the
# downloaded jars, so even a wiped cache reinstalls without the network.
set -euo pipefail
SVC=kafka
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

: "${KAFKA_VERSION:?KAFKA_VERSION is not set in .env (copy it from .env.example)}"
need_cmd java "Kafka needs a Java 17+ runtime (apt-get install openjdk-17-jre-headless)"

dest="$STACK_CACHE/kafka/$KAFKA_VERSION"
# the marker holds the pom's hash: a pom that gained a jar (kafka-tools) installs again
pom_sum="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"
if [ -f "$dest/.installed" ] && [ "$(cat "$dest/.installed")" = "$pom_sum" ]; then
  log "Kafka $KAFKA_VERSION already installed in $dest"
  exit 0
fi

log "installing Kafka $KAFKA_VERSION jars from Maven Central into $dest"
rm -rf "$dest.tmp"
# The pom pins a default version; render it with the env file's KAFKA_VERSION (lib.sh's mvn_fetch
# takes no -D arguments). Install into a temp dir and rename, so an interrupted run never looks
# installed.
mkdir -p "$dest.tmp/pom"
sed "s|<kafka.version>[^<]*</kafka.version>|<kafka.version>$KAFKA_VERSION</kafka.version>|" \
  "$here/pom.xml" >"$dest.tmp/pom/pom.xml"
( mvn_fetch "$dest.tmp/pom" "$dest.tmp/libs" ) ||
  die "could not fetch Kafka $KAFKA_VERSION from Maven Central (is KAFKA_VERSION a published version? is the network up?)"
[ -f "$dest.tmp/libs/kafka_2.13-$KAFKA_VERSION.jar" ] ||
  die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing from $dest.tmp/libs"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "$pom_sum" >"$dest/.installed"
log "Kafka $KAFKA_VERSION installed ($(ls "$dest/libs" | wc -l) jars)"
