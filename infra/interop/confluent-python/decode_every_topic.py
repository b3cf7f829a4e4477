"""Reads every given topic from the beginning and decodes each value with Confluent's Python client
(confluent_kafka's Avro MessageSerializer and CachedSchemaRegistryClient, which fetch the writer schema by id
from the registry), as an analytics team's consumer would. Keys are plain UTF-8 strings, so only values are
Avro. Usage: python3 decode_every_topic.py BOOTSTRAP REGISTRY_URL TOPIC...  Exit 1 if any record fails."""
import sys
import time

from confluent_kafka import Consumer
from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer import SerializerError
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

bootstrap, registry_url, topics = sys.argv[1], sys.argv[2], sys.argv[3:]
serializer = MessageSerializer(CachedSchemaRegistryClient({"url": registry_url}))
consumer = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": "aid-interop-python-%d" % int(time.time() * 1000),
    "auto.offset.reset": "earliest",
})
consumer.subscribe(topics)
decoded = {t: 0 for t in topics}
failures = []
started = last = time.time()
while time.time() - started < 90:
    message = consumer.poll(0.5)
    if message is None:
        if all(decoded.values()) and time.time() - last > 5:
            break
        continue
    if message.error():
        continue
    last = time.time()
    try:
        value = serializer.decode_message(message.value(), is_key=False)
    except (SerializerError, Exception) as e:  # any failure to decode is a finding
        failures.append("%s@%d: %s" % (message.topic(), message.offset(), e))
        continue
    if not isinstance(value, dict) or not isinstance(value.get("header", {}).get("messageId"), str):
        failures.append("%s@%d: no envelope header" % (message.topic(), message.offset()))
        continue
    decoded[message.topic()] += 1
consumer.close()

for topic in topics:
    print("%-30s %4d decoded" % (topic, decoded[topic]))
print("%d decoded, %d failed" % (sum(decoded.values()), len(failures)))
for failure in failures[:20]:
    print("FAILED " + failure)
sys.exit(0 if not failures and all(decoded.values()) else 1)
