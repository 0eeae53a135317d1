#!/usr/bin/env bash
# Installs the secured broker (kafka-secure): the same Kafka jars as services/kafka (its install.sh,
# cached), and a TLS setup of its own in $CITYPULSE_STACK/data/kafka-secure/tls, made here once:
#   ca.pem / ca.key            a local CA (openssl), the file clients trust (KAFKA_SSL_CA_FILE)
#   broker.pem / broker.key    the broker's certificate, signed by that CA, for IP 127.0.0.1 and
#                              localhost, server and client use (the controller listener is mutual TLS)
#   broker.p12, truststore.p12 the broker's keystore and truststore (PKCS12, keytool), with a random
#                              password in store.password (0600)
# Made again when a file is missing or the broker certificate expires within 30 days.
set -euo pipefail
SVC=kafka-secure
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../../lib.sh"

SVC=kafka bash "$here/../kafka/install.sh"
need_cmd openssl "the secured broker's certificates are made with openssl (apt-get install openssl)"
need_cmd keytool "the secured broker's keystores are made with keytool (a Java 17 runtime has it)"

tls="$STACK_DATA/kafka-secure/tls"
files=(ca.pem ca.key broker.pem broker.key broker.p12 truststore.p12 store.password)
complete=1
for f in "${files[@]}"; do [ -s "$tls/$f" ] || complete=0; done
if [ "$complete" = 1 ] && openssl x509 -checkend $((30 * 86400)) -noout -in "$tls/broker.pem" >/dev/null; then
  log "TLS material present in $tls (broker certificate valid until $(openssl x509 -enddate -noout -in "$tls/broker.pem" | cut -d= -f2))"
  exit 0
fi

log "making a CA and the broker's certificate in $tls"
tmp="$tls.tmp"
rm -rf "$tmp" && mkdir -p "$tmp" && chmod 700 "$tmp"
(
  cd "$tmp"
  umask 077
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -keyout ca.key -out ca.pem \
    -subj "/CN=citypulse local CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout broker.key -out broker.csr \
    -subj "/CN=127.0.0.1" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >broker.ext
  openssl x509 -req -sha256 -days 825 -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -extfile broker.ext -out broker.pem 2>/dev/null
  openssl rand -hex 24 >store.password
  openssl pkcs12 -export -name broker -in broker.pem -inkey broker.key -certfile ca.pem \
    -out broker.p12 -passout "file:store.password"
  keytool -importcert -noprompt -alias citypulse-ca -file ca.pem -keystore truststore.p12 \
    -storetype PKCS12 -storepass:file store.password >/dev/null 2>&1
  openssl verify -CAfile ca.pem broker.pem >/dev/null
  rm -f broker.csr broker.ext ca.srl
  chmod 644 ca.pem broker.pem
) || { rm -rf "$tmp"; die "making the TLS material failed (openssl/keytool messages above)"; }
rm -rf "$tls" && mv "$tmp" "$tls" && chmod 755 "$tls" # the keys stay 0600; ca.pem is for every client
log "CA $tls/ca.pem, broker certificate valid until $(openssl x509 -enddate -noout -in "$tls/broker.pem" | cut -d= -f2)"
