package org.aidcmp.lifecycle;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record the topology cannot decode goes to aid.dlq.v1, its bytes untouched, with the reason and where it
 * came from; processing goes on. Written in the same transaction as the task's other output (KIP-1034).
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
  /** The config key under which the registry client instance is handed over. */
  public static final String REGISTRY_CLIENT = "aid.schema.registry.client";

  private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);
  private AvroSerializer<DeadLetterRecord> serializer;

  @Override
  public void configure(Map<String, ?> configs) {
    Object client = configs.get(REGISTRY_CLIENT);
    if (!(client instanceof SchemaRegistryClient registry)) {
      throw new IllegalArgumentException(REGISTRY_CLIENT + " must hold the schema registry client");
    }
    serializer = new AvroSerializer<>(registry, true);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception e) {
    log.warn("record {}/{} of {} does not decode and goes to the dead letters: {}", record.partition(),
        record.offset(), record.topic(), e.getMessage());
    io.micrometer.core.instrument.Metrics.counter(org.aidcmp.schemas.metrics.AidMeters.DEAD_LETTERS,
        "stage", "lifecycle-streams/deserialization").increment();
    DeadLetter letter = new DeadLetter(record.topic(), record.partition(), record.offset(),
        record.key() == null ? null : ByteBuffer.wrap(record.key()),
        record.value() == null ? null : ByteBuffer.wrap(record.value()),
        "lifecycle-streams/deserialization", String.valueOf(e.getMessage()), e.getClass().getName(), 1);
    String id = Envelopes.derivedId(record.topic(), Integer.toString(record.partition()),
        Long.toString(record.offset()), "dead-letter");
    // A record without a timestamp (-1) keeps none: the broker stamps the dead letter.
    Long timestamp = record.timestamp() >= 0 ? record.timestamp() : null;
    DeadLetterRecord value = new DeadLetterRecord(Envelopes.header(id, Records.SOURCE, null, null,
        Instant.ofEpochMilli(timestamp == null ? 0 : timestamp)), letter);
    byte[] bytes = serializer.serialize(AidTopic.DLQ.topicName(), value);
    return Response.resume(List.of(new ProducerRecord<>(AidTopic.DLQ.topicName(), null, timestamp,
        record.key(), bytes)));
  }
}
