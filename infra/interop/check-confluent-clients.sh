#!/usr/bin/env bash
# Interoperability check (not part of mvn verify: it needs the npm registry and Debian packages): Confluent's
# own clients decode every message type on every topic of our embedded broker and registry.
#   1. starts the embedded stack only (no services), in a fresh data directory, on its own ports
#   2. publishes one random but valid record of every message type onto every topic (aid samples)
#   3. decodes them all with Confluent's JavaScript client (@confluentinc/schemaregistry AvroDeserializer
#      over kafkajs) and, where Debian's python3-confluent-kafka and python3-avro are installed
#      (apt-get install python3-confluent-kafka python3-avro python3-requests), its Python client
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$(mktemp -d)"
export AID_DATA_DIR="$data" AID_KAFKA_EMBEDDED_PORT=29092 AID_SCHEMA_REGISTRY_EMBEDDED_PORT=28081 \
  AID_POSTGRES_EMBEDDED_PORT=25432 AID_MQTT_EMBEDDED_PORT=21883 AID_TOPICS_PARTITIONS=1
cleanup() { [[ -n "${aid_pid:-}" ]] && kill "$aid_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT

(cd "$root/infra/interop/confluent-js" && npm install --no-audit --no-fund --silent)
"$root/aid" up --stack-only > "$data/aid.log" 2>&1 &
aid_pid=$!
for _ in $(seq 1 120); do grep -q "aid: up in" "$data/aid.log" && break; sleep 1; done
grep -q "aid: up in" "$data/aid.log" || { cat "$data/aid.log"; echo "the stack did not come up"; exit 1; }

"$root/aid" samples
topics=$("$root/aid" topics | awk 'NR > 1 { print $1 }')
echo "== Confluent JavaScript client"
node "$root/infra/interop/confluent-js/decode-every-topic.mjs" 127.0.0.1:29092 http://127.0.0.1:28081 $topics
if /usr/bin/python3 -c "import confluent_kafka.avro" 2>/dev/null; then
  echo "== Confluent Python client"
  /usr/bin/python3 "$root/infra/interop/confluent-python/decode_every_topic.py" 127.0.0.1:29092 http://127.0.0.1:28081 $topics
else
  echo "== Confluent Python client: not installed, skipped (see the comment at the top)"
fi
