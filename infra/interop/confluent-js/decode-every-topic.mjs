// Reads every given topic from the beginning and decodes each value with Confluent's AvroDeserializer,
// which fetches the writer schema by id from the registry, as an analytics team's consumer would.
// Usage: node decode-every-topic.mjs BOOTSTRAP REGISTRY_URL TOPIC...   Exit 1 if any record fails to decode.
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistryClient, AvroDeserializer, SerdeType } from '@confluentinc/schemaregistry';

const [bootstrap, registryUrl, ...topics] = process.argv.slice(2);
const registry = new SchemaRegistryClient({ baseURLs: [registryUrl] });
const deserializer = new AvroDeserializer(registry, SerdeType.VALUE, {});
const kafka = new Kafka({ brokers: [bootstrap], clientId: 'aid-interop', logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: `aid-interop-${Date.now()}` });

const decoded = Object.fromEntries(topics.map((t) => [t, 0]));
const kinds = Object.fromEntries(topics.map((t) => [t, new Set()]));
const failures = [];
let last = Date.now();

await consumer.connect();
await consumer.subscribe({ topics, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ topic, message }) => {
    last = Date.now();
    try {
      const value = await deserializer.deserialize(topic, message.value);
      if (!value || !value.header || typeof value.header.messageId !== 'string') {
        throw new Error('no envelope header');
      }
      decoded[topic] += 1;
      kinds[topic].add(Object.keys(value.payload ?? {}).sort().join(',').slice(0, 40));
    } catch (e) {
      failures.push(`${topic}@${message.offset}: ${e.message}`);
    }
  },
});

const started = Date.now();
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const idle = Date.now() - last > 5000;
    const allSeen = topics.every((t) => decoded[t] > 0);
    if ((allSeen && idle) || Date.now() - started > 90000) {
      clearInterval(timer);
      resolve();
    }
  }, 500);
});
await consumer.disconnect();

let total = 0;
for (const t of topics) {
  total += decoded[t];
  console.log(`${t.padEnd(30)} ${String(decoded[t]).padStart(4)} decoded, ${kinds[t].size} payload shapes`);
}
console.log(`${total} decoded, ${failures.length} failed`);
failures.slice(0, 20).forEach((f) => console.log(`FAILED ${f}`));
process.exit(failures.length === 0 && topics.every((t) => decoded[t] > 0) ? 0 : 1);
