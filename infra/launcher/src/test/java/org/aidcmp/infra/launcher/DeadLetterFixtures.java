package org.aidcmp.infra.launcher;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.lifecycle.DeadLetterDeserializationHandler;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Dead letters for the {@code aid dlq} tests, on topics of their own on the shared stack (other test classes of
 * this module write to the contract's topics): written the way egress and lifecycle-streams write them, the
 * latter by the real {@link DeadLetterDeserializationHandler}.
 */
final class DeadLetterFixtures implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  final Endpoints endpoints;
  final SchemaRegistryClient registry;
  final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final KafkaProducer<byte[], byte[]> bytes;
  private final AvroSerializer<SpecificRecord> avro;
  private final DeadLetterDeserializationHandler lifecycleHandler = new DeadLetterDeserializationHandler();

  DeadLetterFixtures(Endpoints endpoints) {
    this.endpoints = endpoints;
    this.registry = Aid.registryClient(AidConfig.of(Map.of()), endpoints);
    this.avro = new AvroSerializer<>(registry, true);
    this.bytes = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    lifecycleHandler.configure(Map.of(DeadLetterDeserializationHandler.REGISTRY_CLIENT, registry));
  }

  /** A topic of this test's own, with two partitions. */
  String topic(String name) {
    String topic = "test." + name + "." + suffix;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        endpoints.kafkaBootstrapServers()))) {
      TopicSetup.create(admin, List.of(new NewTopic(topic, 2, (short) 1)));
    } catch (Exception e) {
      throw new IllegalStateException("could not create " + topic, e);
    }
    return topic;
  }

  DeadLetters deadLetters(String dlqTopic) {
    return new DeadLetters(endpoints.kafkaBootstrapServers(), registry, dlqTopic, WAIT);
  }

  /** A command as lifecycle-streams writes it. */
  static Aid1Outbound command(Object payload) {
    return Aid1Outbound.newBuilder()
        .setHeader(Envelopes.header(UUID.randomUUID().toString(), "lifecycle-streams", UUID.randomUUID().toString(),
            UUID.randomUUID().toString(), Instant.now()))
        .setPayload(payload).build();
  }

  byte[] serialize(String topic, SpecificRecord value) {
    return avro.serialize(topic, value);
  }

  RecordMetadata write(String topic, Integer partition, String key, byte[] value, List<org.apache.kafka.common.header.Header> headers) {
    try {
      return bytes.send(new ProducerRecord<>(topic, partition, null, utf8(key), value, headers))
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not write to " + topic, e);
    }
  }

  /** What EgressWorker writes past the retry budget: the command's bytes, where they were, why it gave up. */
  RecordMetadata egressLetter(String dlqTopic, String key, byte[] command, String sourceTopic, int partition,
                              long offset, String reason, int attempts) {
    return letter(dlqTopic, key, new DeadLetter(sourceTopic, partition, offset, ByteBuffer.wrap(utf8(key)),
        ByteBuffer.wrap(command), DeadLetters.EGRESS_STAGE, reason, null, attempts));
  }

  /** What the topology's deserialization handler writes for a record it cannot decode, re-aimed at dlqTopic. */
  RecordMetadata undecodableLetter(String dlqTopic, ConsumerRecord<byte[], byte[]> record, String reason) {
    ProducerRecord<byte[], byte[]> dead = lifecycleHandler.handleError(null, record, new SerializationException(reason))
        .deadLetterQueueRecords().get(0);
    try {
      return bytes.send(new ProducerRecord<>(dlqTopic, null, dead.timestamp(), dead.key(), dead.value()))
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  RecordMetadata letter(String dlqTopic, String key, DeadLetter letter) {
    DeadLetterRecord value = new DeadLetterRecord(Envelopes.header(UUID.randomUUID().toString(), "test", null, null,
        Instant.now()), letter);
    return write(dlqTopic, null, key, serialize(dlqTopic, value), List.of());
  }

  /** Every committed record of a topic, from its beginning up to its end now. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = c.partitionsFor(topic, WAIT).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions, WAIT);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " within " + WAIT);
        }
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
      return out;
    }
  }

  static byte[] utf8(String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  static String header(ConsumerRecord<?, ?> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    bytes.close(Duration.ofSeconds(5));
    registry.close();
  }
}
