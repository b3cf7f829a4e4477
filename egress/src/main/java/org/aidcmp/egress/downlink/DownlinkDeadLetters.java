package org.aidcmp.egress.downlink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Dead letters of the downlink on {@code aid.dlq.v1}, as egress writes them (stage {@value #STAGE}): the record's
 * own key and value bytes, where it came from, and why it could not go to a vehicle. {@code aid dlq redrive}
 * republishes such a letter to the downlink topic unchanged. The id is derived from the source position, so a
 * record dead-lettered again after a crash gets the same letter id.
 */
final class DownlinkDeadLetters implements AutoCloseable {
  static final String STAGE = "egress.downlink";
  private static final String SOURCE = "egress";

  private final String topic;
  private final KafkaProducer<String, SpecificRecord> producer;

  DownlinkDeadLetters(DownlinkSettings settings, SchemaRegistryClient registry) {
    this.topic = settings.dlqTopic();
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.CLIENT_ID_CONFIG, settings.groupId() + "-dead-letters"),
        new StringSerializer(), new AvroSerializer<>(registry, true));
  }

  /** Fails fast at start if the topic is missing, not at the first bad record. */
  void checkTopic() {
    producer.partitionsFor(topic);
  }

  /** Completes when Kafka acknowledged the letter. */
  CompletableFuture<Void> write(ConsumerRecord<String, byte[]> record, String commandId, String reason,
                                Throwable error, int attempts) {
    io.micrometer.core.instrument.Metrics.counter(org.aidcmp.schemas.metrics.AidMeters.DEAD_LETTERS, "stage", STAGE)
        .increment();
    DeadLetter letter = DeadLetter.newBuilder()
        .setSourceTopic(record.topic()).setSourcePartition(record.partition()).setSourceOffset(record.offset())
        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)))
        .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .setStage(STAGE).setReason(reason).setErrorClass(error == null ? null : error.getClass().getName())
        .setAttempts(attempts)
        .build();
    String id = Envelopes.derivedId(record.topic(), Integer.toString(record.partition()),
        Long.toString(record.offset()), "dead-letter");
    DeadLetterRecord value = DeadLetterRecord.newBuilder()
        .setHeader(Envelopes.header(id, SOURCE, commandId, null, Instant.now()))
        .setPayload(letter).build();
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      producer.send(new ProducerRecord<>(topic, record.key(), value), (metadata, e) -> {
        if (e != null) {
          done.completeExceptionally(e);
        } else {
          done.complete(null);
        }
      });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
