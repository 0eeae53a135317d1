#!/usr/bin/env bash
# Installs Apicurio Registry (Confluent-compatible API at /apis/ccompat/v7) from Maven Central into
# $CITYPULSE_STACK/cache/schema-registry/<version>. Maven Central carries the app's ready-built
# Quarkus distribution as io.apicurio:apicurio-registry-app:<v>:tar.gz:all; we fetch that one
# artifact (~/.m2 caches it, so a wiped cache reinstalls offline) and unpack it. Idempotent.
# Why Apicurio and not Karapace: see README.md beside this script.
set -euo pipefail
SVC=schema-registry
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

: "${SCHEMA_REGISTRY_VERSION:?SCHEMA_REGISTRY_VERSION is not set in .env (copy it from .env.example)}"
need_cmd java "the schema registry (Apicurio) needs a Java 17+ runtime (apt-get install openjdk-17-jre-headless)"

dest="$STACK_CACHE/schema-registry/$SCHEMA_REGISTRY_VERSION"
if [ -f "$dest/.installed" ]; then
  log "Apicurio Registry $SCHEMA_REGISTRY_VERSION already installed in $dest"
  exit 0
fi

artifact="io.apicurio:apicurio-registry-app:$SCHEMA_REGISTRY_VERSION:tar.gz:all"
log "installing Apicurio Registry $SCHEMA_REGISTRY_VERSION ($artifact) from Maven Central into $dest"
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp/app"
# dependency:copy fetches just the archive; a pom with this dependency would also try to read the
# app's parent pom, which is not on Central for every version.
mvn_quiet dependency:copy -Dartifact="$artifact" -DoutputDirectory="$dest.tmp/dist" ||
  die "Maven could not fetch $artifact (is SCHEMA_REGISTRY_VERSION a published version? is the network up?)"
tar -xzf "$dest.tmp/dist/"*.tar.gz -C "$dest.tmp/app" ||
  die "could not unpack $(ls "$dest.tmp/dist")"
# The archive stays in ~/.m2; no need for a second copy here.
rm -rf "$dest.tmp/dist"

# 3.0.x ships a legacy runner jar, later versions the fast-jar quarkus-run.jar. Record which.
jar=""
for f in "$dest.tmp/app/quarkus-run.jar" "$dest.tmp/app/"*-runner.jar; do
  if [ -f "$f" ]; then jar="$(basename "$f")"; break; fi
done
[ -n "$jar" ] || die "no quarkus-run.jar or *-runner.jar in the Apicurio $SCHEMA_REGISTRY_VERSION archive"
echo "$jar" >"$dest.tmp/runner"

# Apicurio 3.1+ is compiled for Java 21; fail here with the reason instead of at start-up.
java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
if command -v python3 >/dev/null 2>&1; then
  need_major="$(python3 - "$dest.tmp/app" <<'PY'
import sys, zipfile, pathlib
root = pathlib.Path(sys.argv[1])
for jar in sorted(root.rglob("*apicurio-registry-app*.jar")) + sorted(root.rglob("*apicurio-registry-common*.jar")):
    with zipfile.ZipFile(jar) as z:
        for n in z.namelist():
            if n.startswith("io/apicurio/registry/") and n.endswith(".class"):
                print(int.from_bytes(z.read(n)[6:8], "big") - 44)  # class file major -> Java version
                sys.exit(0)
PY
)" || need_major=""
  if [ -n "$need_major" ] && [ -n "$java_major" ] && [ "$java_major" -lt "$need_major" ]; then
    rm -rf "$dest.tmp"
    die "Apicurio Registry $SCHEMA_REGISTRY_VERSION needs Java $need_major, this machine's java is $java_major; set SCHEMA_REGISTRY_VERSION=3.0.9 (built for Java 17) or install Java $need_major"
  fi
fi

rm -rf "$dest" && mv "$dest.tmp" "$dest"
touch "$dest/.installed"
log "Apicurio Registry $SCHEMA_REGISTRY_VERSION installed ($(du -sh "$dest" | cut -f1))"
