package org.aidcmp.projections;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.dlq.DeadLetter;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A record the projections cannot apply goes to aid.dlq.v1 with its bytes untouched, where it came from and
 * why, for `aid dlq`. The letter's id is derived from the record's place, so a letter written again after a
 * crash (written, then the transaction lost) is recognisably the same letter.
 */
final class DeadLetterPublisher implements AutoCloseable {
  static final String STAGE = "projections";

  private final KafkaProducer<byte[], DeadLetterRecord> producer;
  private final String topic;
  private final List<Future<RecordMetadata>> pending = new ArrayList<>();

  DeadLetterPublisher(String bootstrapServers, SchemaRegistryClient registry, String topic) {
    this.topic = topic;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.CLIENT_ID_CONFIG, "aid-projections-dlq"),
        new ByteArraySerializer(), new AvroSerializer<>(registry, false));
  }

  /** A record to dead-letter and why, kept until the transaction that passes it is about to commit. */
  record Letter(ConsumerRecord<byte[], byte[]> record, Exception why) {}

  /** Writes the letters and waits until each is written; then the offsets that pass their records may commit. */
  void publish(List<Letter> letters) {
    if (letters.isEmpty()) {
      return;
    }
    for (Letter l : letters) {
      send(l.record(), l.why());
    }
    flush();
  }

  private void send(ConsumerRecord<byte[], byte[]> record, Exception why) {
    String id = Envelopes.derivedId(record.topic(), Integer.toString(record.partition()),
        Long.toString(record.offset()), "dead-letter", STAGE);
    DeadLetter letter = DeadLetter.newBuilder()
        .setSourceTopic(record.topic()).setSourcePartition(record.partition()).setSourceOffset(record.offset())
        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
        .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .setStage(STAGE).setReason(reason(why)).setErrorClass(why.getClass().getName()).setAttempts(1)
        .build();
    DeadLetterRecord value = DeadLetterRecord.newBuilder()
        .setHeader(Envelopes.header(id, STAGE, null, null, Instant.now()))
        .setPayload(letter).build();
    pending.add(producer.send(new ProducerRecord<>(topic, record.key(), value)));
  }

  private void flush() {
    producer.flush();
    try {
      for (Future<RecordMetadata> f : pending) {
        f.get(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted writing dead letters", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not write a dead letter to " + topic, e);
    } finally {
      pending.clear();
    }
  }

  /** The message, never the record's content: a message of ours names fields, not values. */
  static String reason(Exception why) {
    for (Throwable t = why; t != null; t = t.getCause()) {
      if (t instanceof org.postgresql.util.PSQLException sql && sql.getServerErrorMessage() != null) {
        // The primary message only: PostgreSQL's detail quotes the failing row.
        return "SQLSTATE " + sql.getSQLState() + ": " + sql.getServerErrorMessage().getMessage();
      }
      if (t instanceof java.sql.SQLException sql) {
        return "SQLSTATE " + sql.getSQLState();
      }
    }
    if (why instanceof org.jdbi.v3.core.JdbiException) {
      return why.getClass().getSimpleName(); // its message quotes the statement's arguments
    }
    String message = why.getMessage();
    if (message == null) {
      return why.getClass().getSimpleName();
    }
    return message.length() > 500 ? message.substring(0, 500) : message;
  }

  @Override
  public void close() {
    producer.close();
  }
}
